"""Microfinance loans: the list with overdue flags, a loan and its schedule, publicity."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assistance import ledger, scoping, selectors, services
from assistance.forms import LoanForm, NoticeForm, RepaymentForm
from assistance.models import Fund, LedgerEntry, Loan, LoanPolicy
from assistance.money_forms import CompensateForm, LoanAllocateForm, SubsidyForm, WriteOffForm
from assistance.views._common import first_message, require
from households.models import Household
from township.access import can_manage_township
from township.formfields import WholeNumberField, param
from township.models import Village
from township.scoping import get_village_for


@login_required
def loan_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "assistance/loans.html",
        {
            "loans": selectors.loans_for_list(request.user),
            "villages": Village.objects.visible_to(request.user).order_by("code"),
            "can_manage": can_manage_township(request.user),
        },
    )


@login_required
def loan_create(request: HttpRequest) -> HttpResponse:
    require(can_manage_township(request.user))
    form = LoanForm(
        request.POST or None,
        households=Household.objects.visible_to(request.user),
        funds=Fund.objects.visible_to(request.user),
    )
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "card_number"}
        try:
            loan = services.loan_create(fields=fields, user=request.user)
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Loan recorded with its repayment schedule."))
            return redirect("assistance:loan", loan.pk)
    return render(
        request,
        "assistance/form.html",
        {
            "form": form,
            "title": _("New microfinance loan"),
            "back": reverse("assistance:loans"),
        },
    )


@login_required
def loan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    loan = scoping.get_loan_for(request.user, pk)
    today = datetime.date.today()
    repayments = list(loan.repayments.select_related("subsidy_entry").order_by("due_date"))
    reversed_ids = set(
        LedgerEntry.objects.inside(
            reverses__in=[r.subsidy_entry for r in repayments if r.subsidy_entry_id]
        ).values_list("reverses_id", flat=True)
    )
    policy = LoanPolicy.objects.filter(year=loan.disbursed_on.year).first()
    for r in repayments:
        r.overdue = r.is_overdue(today)
        r.subsidised = r.subsidy_entry_id and r.subsidy_entry_id not in reversed_ids
        r.subsidy_due = services.interest_subsidy_due(r, policy=policy)
    Use = LedgerEntry.LoanUse
    return render(
        request,
        "assistance/loan.html",
        {
            "loan": loan,
            "repayments": repayments,
            "allocations": ledger.open_allocations(loan=loan),
            "subsidy_paid": ledger.loan_paid(loan, Use.INTEREST_SUBSIDY),
            "compensation_paid": ledger.loan_paid(loan, Use.RISK_COMPENSATION),
            "policy": policy,
            "can_manage": can_manage_township(request.user),
        },
    )


def _money_page(request, form, title: str, loan: Loan) -> HttpResponse:
    return render(
        request,
        "assistance/form.html",
        {"form": form, "title": title, "back": reverse("assistance:loan", args=[loan.pk])},
    )


@login_required
def loan_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    """Earmark money for the loan's interest subsidy or risk compensation."""
    loan = scoping.get_loan_for(request.user, pk)
    require(can_manage_township(request.user))
    use = param(request, "use", forms.ChoiceField(choices=LedgerEntry.LoanUse.choices))
    form = LoanAllocateForm(request.POST or None, initial={"use": use})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.loan_money_allocate(
                loan=loan,
                use=data["use"],
                amount=data["amount"],
                voucher=data["voucher"],
                entry_date=data["entry_date"],
                purpose=data["purpose"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Money allocated to the loan."))
            return redirect("assistance:loan", loan.pk)
    return _money_page(request, form, _("Allocate money to this loan"), loan)


@login_required
def loan_subsidise(request: HttpRequest, pk: int) -> HttpResponse:
    """Pay the interest subsidy (贴息) of one paid instalment."""
    loan = scoping.get_loan_for(request.user, pk)
    require(can_manage_township(request.user))
    field = WholeNumberField(min_value=1, required=False)
    chosen = param(request, "repayment", field, source="POST") or param(request, "repayment", field)
    repayments = loan.repayments.order_by("due_date")
    repayment = get_object_or_404(repayments, pk=chosen) if chosen else repayments.first()
    if repayment is None:
        raise Http404
    form = SubsidyForm(
        request.POST or None, initial={"amount": services.interest_subsidy_due(repayment)}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.loan_interest_subsidise(
                repayment=repayment,
                amount=data["amount"],
                voucher=data["voucher"],
                entry_date=data["entry_date"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Interest subsidy paid."))
            return redirect("assistance:loan", loan.pk)
    title = _("Interest subsidy for the instalment due %(day)s") % {"day": repayment.due_date}
    return render(
        request,
        "assistance/form.html",
        {
            "form": form,
            "title": title,
            "back": reverse("assistance:loan", args=[loan.pk]),
            "hidden": {"repayment": repayment.pk},
        },
    )


@login_required
def loan_compensate(request: HttpRequest, pk: int) -> HttpResponse:
    """The risk-compensation fund pays for a loan in default (代偿)."""
    loan = scoping.get_loan_for(request.user, pk)
    require(can_manage_township(request.user))
    form = CompensateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.loan_compensate(
                loan=loan,
                amount=data["amount"],
                voucher=data["voucher"],
                entry_date=data["entry_date"],
                reason=data["reason"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("The loan is compensated from the risk fund."))
            return redirect("assistance:loan", loan.pk)
    return _money_page(request, form, _("Compensate from the risk-compensation fund"), loan)


@login_required
def loan_write_off(request: HttpRequest, pk: int) -> HttpResponse:
    loan = scoping.get_loan_for(request.user, pk)
    require(can_manage_township(request.user))
    form = WriteOffForm(request.POST or None, initial={"on": datetime.date.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.loan_write_off(
                loan=loan,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("The loan is written off."))
            return redirect("assistance:loan", loan.pk)
    return _money_page(request, form, _("Write the loan off"), loan)


@login_required
@require_POST
def repayment_paid(request: HttpRequest, pk: int) -> HttpResponse:
    loan = scoping.get_loan_for(request.user, pk)
    require(can_manage_township(request.user))
    form = RepaymentForm(request.POST, loan=loan)
    if not form.is_valid():
        messages.error(request, _("Give a valid date."))
        return redirect("assistance:loan", loan.pk)
    try:
        services.repayment_record(
            repayment=form.cleaned_data["repayment"],
            paid_on=form.cleaned_data["paid_on"],
            user=request.user,
        )
    except ValidationError as error:
        messages.error(request, first_message(error))
    else:
        messages.success(request, _("Repayment recorded."))
    return redirect("assistance:loan", loan.pk)


@login_required
def loan_notice(request: HttpRequest, pk: int) -> HttpResponse:
    village = get_village_for(request.user, pk)
    form = NoticeForm(request.GET or None)
    notice = form.cleaned_data if form.is_valid() else NoticeForm.defaults()
    loans = list(
        Loan.objects.visible_to(request.user)
        .filter(household__village=village)
        .select_related("household")
        .order_by("disbursed_on")
    )
    return render(
        request,
        "assistance/notice_loans.html",
        {
            "village": village,
            "form": form,
            "notice": notice,
            "loans": loans,
            "heads": selectors.heads_of([loan.household_id for loan in loans]),
        },
    )
