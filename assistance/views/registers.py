"""The thematic registers' pages: lists with filters, records, and their money.

Every list goes through the record's ``visible_to(user)``; every record through a
``get_*_for(user, pk)`` (404 outside the scope); writes are the township office's
(``can_manage_township``), like the ledger they pay through.
"""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from assistance import ledger, register_services, scoping
from assistance import register_selectors as rs
from assistance.models import Fund, RainDewStudent
from assistance.money_forms import ItemAllocateForm, ItemPayForm
from assistance.register_forms import (
    RENOVATION_STATUSES,
    AttendanceForm,
    ContractForm,
    DividendPayForm,
    EnterpriseForm,
    RainDewForm,
    RegisterFilterForm,
    ReliefForm,
    RenovationAcceptForm,
    RenovationForm,
    RenovationStartForm,
    TrainingForm,
)
from assistance.views._common import add_service_error, first_message, require
from households.forms import OptionSearchForm
from households.models import Household
from township.access import can_manage_township
from township.formfields import param
from township.models import Township, Village


def _villages(user):
    return Village.objects.visible_to(user).order_by("code")


def _townships(user):
    return Township.objects.filter(villages__in=_villages(user)).distinct().order_by("code")


def _form_page(request, form, title: str, back: str, **extra) -> HttpResponse:
    return render(
        request, "assistance/form.html", {"form": form, "title": title, "back": back, **extra}
    )


def _list_page(request, template: str, form, rows, export: str, **extra) -> HttpResponse:
    query = request.GET.urlencode()
    return render(
        request,
        template,
        {
            "form": form,
            "rows": rows,
            "export_url": f"{reverse(export)}?{query}" if query else reverse(export),
            "can_manage": can_manage_township(request.user),
            **extra,
        },
    )


def _money_context(item) -> dict:
    """The ledger's money for a record's plan item: allocations, what is left, what was paid."""
    return {
        "item": item,
        "allocations": ledger.open_allocations(plan_item=item),
        "paid": ledger.paid_by_item([item.pk]).get(item.pk, ledger.ZERO),
    }


# 危房改造 --------------------------------------------------------------------------------


@login_required
def renovation_list(request: HttpRequest) -> HttpResponse:
    form = RegisterFilterForm(
        request.GET or None, villages=_villages(request.user), statuses=RENOVATION_STATUSES
    )
    rows = rs.renovations_for_list(request.user, **form.filters())
    return _list_page(
        request,
        "registers/renovations.html",
        form,
        rows,
        "reporting:export_renovations",
        subsidy=sum((r.subsidy for r in rows), ledger.ZERO),
        paid=sum((r.paid for r in rows), ledger.ZERO),
        accepted=sum(1 for r in rows if r.accepted_on),
    )


@login_required
def item_options(request: HttpRequest, register: str) -> HttpResponse:
    """The record forms' search: the plan items in scope that match, as <option>s."""
    require(can_manage_township(request.user))
    if register not in rs.ITEM_KINDS:
        raise Http404
    form = OptionSearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    return render(
        request,
        "households/includes/_options.html",
        {
            "options": rs.item_options(rs.items_for(request.user, register), q),
            "empty_label": "---------",
        },
    )


@login_required
def renovation_create(request: HttpRequest) -> HttpResponse:
    require(can_manage_township(request.user))
    form = RenovationForm(
        request.POST or None,
        items=rs.items_for(request.user, "renovation"),
        initial={"year": datetime.date.today().year},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        item = data.pop("plan_item")
        try:
            renovation = register_services.renovation_create(
                household=item.plan.household, plan_item=item, fields=data, user=request.user
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Renovation registered."))
            return redirect("registers:renovation", renovation.pk)
    return _form_page(
        request, form, _("Register a housing renovation"), reverse("registers:renovations")
    )


@login_required
def renovation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    renovation = scoping.get_renovation_for(request.user, pk)
    return render(
        request,
        "registers/renovation.html",
        {
            "renovation": renovation,
            "status": renovation.status_on(datetime.date.today()),
            "can_manage": can_manage_township(request.user),
            **_money_context(renovation.plan_item),
        },
    )


@login_required
def renovation_start(request: HttpRequest, pk: int) -> HttpResponse:
    renovation = scoping.get_renovation_for(request.user, pk)
    require(can_manage_township(request.user))
    form = RenovationStartForm(request.POST or None, initial={"on": datetime.date.today()})
    if request.method == "POST" and form.is_valid():
        try:
            register_services.renovation_start(
                renovation=renovation, on=form.cleaned_data["on"], user=request.user
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Start of the works recorded."))
            return redirect("registers:renovation", renovation.pk)
    return _form_page(
        request,
        form,
        _("Works started: %(household)s") % {"household": renovation.household},
        reverse("registers:renovation", args=[renovation.pk]),
    )


@login_required
def renovation_accept(request: HttpRequest, pk: int) -> HttpResponse:
    renovation = scoping.get_renovation_for(request.user, pk)
    require(can_manage_township(request.user))
    form = RenovationAcceptForm(request.POST or None, initial={"on": datetime.date.today()})
    if request.method == "POST" and form.is_valid():
        try:
            register_services.renovation_accept(
                renovation=renovation,
                on=form.cleaned_data["on"],
                accepted_by=form.cleaned_data["accepted_by"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Renovation accepted: the card's housing is now safe."))
            return redirect("registers:renovation", renovation.pk)
    return _form_page(
        request,
        form,
        _("Acceptance: %(household)s") % {"household": renovation.household},
        reverse("registers:renovation", args=[renovation.pk]),
    )


# 雨露计划 --------------------------------------------------------------------------------


@login_required
def student_list(request: HttpRequest) -> HttpResponse:
    form = RegisterFilterForm(
        request.GET or None,
        villages=_villages(request.user),
        statuses=RainDewStudent.Level.choices,
    )
    filters = form.filters()
    level = filters.pop("status", "")
    rows = rs.students_for_list(request.user, level=level, **filters)
    return _list_page(
        request,
        "registers/students.html",
        form,
        rows,
        "reporting:export_students",
        subsidy=sum((r.subsidy for r in rows), ledger.ZERO),
        paid=sum((r.paid for r in rows), ledger.ZERO),
    )


@login_required
def student_create(request: HttpRequest) -> HttpResponse:
    require(can_manage_township(request.user))
    year = datetime.date.today().year
    form = RainDewForm(
        request.POST or None,
        items=rs.items_for(request.user, "rain_dew"),
        initial={"school_year": year, "enrolled_year": year},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        item, member = data.pop("plan_item"), data.pop("member")
        data.pop("id_number")
        try:
            student = register_services.rain_dew_create(
                household=item.plan.household,
                member=member,
                plan_item=item,
                fields=data,
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Rain-and-Dew student registered."))
            return redirect("registers:student", student.pk)
    return _form_page(
        request, form, _("Register a Rain-and-Dew student"), reverse("registers:students")
    )


@login_required
def student_detail(request: HttpRequest, pk: int) -> HttpResponse:
    student = scoping.get_student_for(request.user, pk)
    return render(
        request,
        "registers/student.html",
        {
            "student": student,
            "can_manage": can_manage_township(request.user),
            **_money_context(student.plan_item),
        },
    )


# 大病救助 --------------------------------------------------------------------------------


@login_required
def relief_list(request: HttpRequest) -> HttpResponse:
    form = RegisterFilterForm(request.GET or None, villages=_villages(request.user))
    rows = rs.reliefs_for_list(request.user, **form.filters())
    return _list_page(
        request,
        "registers/reliefs.html",
        form,
        rows,
        "reporting:export_reliefs",
        expenses=sum((r.expenses for r in rows), ledger.ZERO),
        reimbursed=sum((r.reimbursed for r in rows), ledger.ZERO),
        paid=sum((r.paid for r in rows), ledger.ZERO),
    )


@login_required
def relief_create(request: HttpRequest) -> HttpResponse:
    require(can_manage_township(request.user))
    form = ReliefForm(
        request.POST or None,
        items=rs.items_for(request.user, "relief"),
        initial={"year": datetime.date.today().year},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        item, member = data.pop("plan_item"), data.pop("member")
        data.pop("id_number")
        try:
            relief = register_services.health_relief_create(
                household=item.plan.household,
                member=member,
                plan_item=item,
                fields=data,
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Serious-illness relief registered."))
            return redirect("registers:relief", relief.pk)
    return _form_page(
        request, form, _("Register serious-illness relief"), reverse("registers:reliefs")
    )


@login_required
def relief_detail(request: HttpRequest, pk: int) -> HttpResponse:
    relief = scoping.get_relief_for(request.user, pk)
    return render(
        request,
        "registers/relief.html",
        {
            "relief": relief,
            "can_manage": can_manage_township(request.user),
            **_money_context(relief.plan_item),
        },
    )


# 技能培训 --------------------------------------------------------------------------------


@login_required
def training_list(request: HttpRequest) -> HttpResponse:
    form = RegisterFilterForm(request.GET or None, villages=_villages(request.user))
    rows = rs.trainings_for_list(request.user, **form.filters())
    return _list_page(
        request,
        "registers/trainings.html",
        form,
        rows,
        "reporting:export_trainings",
        trainees=sum(r.trainees for r in rows),
        transferred=sum(r.transferred for r in rows),
    )


@login_required
def training_create(request: HttpRequest) -> HttpResponse:
    require(can_manage_township(request.user))
    form = TrainingForm(
        request.POST or None,
        villages=_villages(request.user),
        townships=_townships(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        township, village = data.pop("township"), data.pop("village")
        try:
            session = register_services.training_create(
                township=township, village=village, fields=data, user=request.user
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Training session registered."))
            return redirect("registers:training", session.pk)
    return _form_page(request, form, _("New training session"), reverse("registers:trainings"))


@login_required
def training_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = scoping.get_training_for(request.user, pk)
    return render(
        request,
        "registers/training.html",
        {
            "session": session,
            "attendances": rs.attendances_for(session, request.user),
            "can_manage": can_manage_township(request.user),
        },
    )


@login_required
def attendance_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter a trainee, or what came of their training (entered again for the same person)."""
    session = scoping.get_training_for(request.user, pk)
    require(can_manage_township(request.user))
    households = Household.objects.visible_to(request.user).filter(
        village__township=session.township
    )
    form = AttendanceForm(request.POST or None, households=households)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            register_services.attendance_save(
                session=session,
                member=data["member"],
                plan_item=None,
                completed=data["completed"],
                outcome=data["outcome"],
                employer=data["employer"],
                monthly_wage=data["monthly_wage"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Trainee recorded."))
            return redirect("registers:training", session.pk)
    return _form_page(
        request,
        form,
        _("Trainee of %(session)s") % {"session": session.title},
        reverse("registers:training", args=[session.pk]),
    )


# 资产收益 --------------------------------------------------------------------------------


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    form = RegisterFilterForm(request.GET or None, villages=_villages(request.user))
    filters = form.filters()
    year = filters.get("year") or datetime.date.today().year
    contracts = rs.contracts_for_list(
        request.user, village=filters.get("village"), year=filters.get("year")
    )
    return _list_page(
        request,
        "registers/enterprises.html",
        form,
        contracts,
        "reporting:export_dividends",
        enterprises=rs.enterprises_for_list(request.user),
        year=year,
        paid=sum((c.paid or ledger.ZERO for c in contracts), ledger.ZERO),
    )


@login_required
def enterprise_create(request: HttpRequest) -> HttpResponse:
    require(can_manage_township(request.user))
    form = EnterpriseForm(request.POST or None, townships=_townships(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        township = data.pop("township")
        try:
            enterprise = register_services.enterprise_create(
                township=township, fields=data, user=request.user
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Enterprise registered."))
            return redirect("registers:enterprise", enterprise.pk)
    return _form_page(
        request, form, _("New cooperative or enterprise"), reverse("registers:enterprises")
    )


@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = scoping.get_enterprise_for(request.user, pk)
    return render(
        request,
        "registers/enterprise.html",
        {
            "enterprise": enterprise,
            "contracts": rs.contracts_for_list(request.user, enterprise=enterprise),
            "can_manage": can_manage_township(request.user),
        },
    )


@login_required
def contract_create(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = scoping.get_enterprise_for(request.user, pk)
    require(can_manage_township(request.user))
    households = Household.objects.visible_to(request.user).filter(
        village__township=enterprise.township
    )
    year = datetime.date.today().year
    form = ContractForm(
        request.POST or None,
        households=households,
        initial={"start_year": year, "end_year": year + 2, "signed_on": datetime.date.today()},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        household = data.pop("household")
        data.pop("card_number")
        try:
            contract = register_services.contract_create(
                enterprise=enterprise,
                household=household,
                plan_item=None,
                fields=data,
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Dividend contract registered."))
            return redirect("registers:contract", contract.pk)
    return _form_page(
        request,
        form,
        _("Dividend contract with %(name)s") % {"name": enterprise.name},
        reverse("registers:enterprise", args=[enterprise.pk]),
    )


@login_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = scoping.get_contract_for(request.user, pk)
    return render(
        request,
        "registers/contract.html",
        {
            "contract": contract,
            "payments": rs.payments_of(contract),
            "can_manage": can_manage_township(request.user),
        },
    )


@login_required
def dividend_pay(request: HttpRequest, pk: int) -> HttpResponse:
    contract = scoping.get_contract_for(request.user, pk)
    require(can_manage_township(request.user))
    year = min(max(datetime.date.today().year, contract.start_year), contract.end_year)
    form = DividendPayForm(
        request.POST or None, initial={"year": year, "amount": contract.annual_dividend}
    )
    if request.method == "POST" and form.is_valid():
        try:
            register_services.dividend_pay(
                contract=contract, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(
                request, _("Dividend recorded: it counts as the household's property income.")
            )
            return redirect("registers:contract", contract.pk)
    return _form_page(
        request,
        form,
        _("Dividend paid by %(name)s") % {"name": contract.enterprise.name},
        reverse("registers:contract", args=[contract.pk]),
    )


# Money against a household's measure ---------------------------------------------------


def _back(request, item) -> str:
    field = forms.CharField(max_length=500, required=False)
    target = param(request, "next", field, source="POST") or param(request, "next", field) or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("assistance:plan", args=[item.plan_id])


@login_required
def item_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    """Earmark money of one of the township's funds for a household's measure."""
    item = scoping.get_item_for(request.user, pk)
    require(can_manage_township(request.user))
    funds = Fund.objects.visible_to(request.user).filter(
        township=item.plan.household.village.township
    )
    form = ItemAllocateForm(
        request.POST or None,
        funds=funds.order_by("-year", "name"),
        initial={"amount": item.planned_amount or None, "purpose": item.description},
    )
    back = _back(request, item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            register_services.plan_item_allocate(item=item, user=request.user, **data)
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Money allocated to the measure."))
            return redirect(back)
    title = _("Allocate money to: %(item)s") % {"item": item.description}
    return _form_page(request, form, title, back, hidden={"next": back})


@login_required
def item_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """Pay the household money allocated to its measure (a disbursement and a delivery)."""
    item = scoping.get_item_for(request.user, pk)
    require(can_manage_township(request.user))
    allocations = ledger.open_allocations(plan_item=item)
    left = next((a.remaining for a in allocations if a.remaining > 0), None)
    form = ItemPayForm(
        request.POST or None,
        allocations=item.ledger_entries.filter(pk__in=[a.pk for a in allocations]),
        initial={"amount": left, "purpose": item.description},
    )
    back = _back(request, item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            register_services.plan_item_pay(item=item, user=request.user, **data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Paid: the payment is the measure's delivery."))
            return redirect(back)
    title = _("Pay: %(item)s") % {"item": item.description}
    return _form_page(request, form, title, back, hidden={"next": back})
