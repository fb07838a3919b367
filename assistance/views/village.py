"""The village's own books: development plan and project library, mutual-aid fund, and the
work team's attendance. Every page is reached through ``get_village_for`` (404 outside the
scope); the village keeps its books (its work team, with the township and the county), and
the township takes library entries into its projects."""

import calendar
import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assistance import scoping
from assistance import village_services as vs
from assistance.models import (
    MutualAidEntry,
    MutualAidFund,
    TeamAttendance,
    VillagePlan,
)
from assistance.selectors import heads_of
from assistance.views._common import first_message, require
from assistance.village_forms import (
    AttendanceForm,
    LibraryEntryForm,
    MemberForm,
    MutualAidEntryForm,
    MutualAidFundForm,
    MutualAidReverseForm,
    PromoteForm,
    VillagePlanForm,
)
from households.models import Household
from township.access import can_manage_township, profile_for
from township.formfields import WholeNumberField, param
from township.models import StaffProfile
from township.scoping import get_village_for


def can_keep_village(user, village) -> bool:
    """The village's books are kept by its work team, the township office and the county."""
    if user.is_superuser or can_manage_township(user):
        return True
    profile = profile_for(user)
    return (
        profile is not None
        and profile.role == StaffProfile.Role.VILLAGE_TEAM
        and profile.village_id == (village.pk)
    )


def _form_page(request, form, title, back, **extra) -> HttpResponse:
    return render(
        request, "assistance/form.html", {"form": form, "title": title, "back": back, **extra}
    )


# Development plan and project library ---------------------------------------------------


@login_required
def village_plan(request: HttpRequest, pk: int) -> HttpResponse:
    village = get_village_for(request.user, pk)
    plans = list(
        VillagePlan.objects.filter(village=village)
        .prefetch_related("entries__project")
        .order_by("-start_year")
    )
    return render(
        request,
        "villagework/plan.html",
        {
            "village": village,
            "plans": plans,
            "can_keep": can_keep_village(request.user, village),
            "can_promote": can_manage_township(request.user),
        },
    )


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A new plan, or (``?plan=``) the village's plan corrected."""
    village = get_village_for(request.user, pk)
    require(can_keep_village(request.user, village))
    field = WholeNumberField(min_value=1, required=False)
    chosen = param(request, "plan", field) or param(request, "plan", field, source="POST")
    plan = get_object_or_404(VillagePlan, village=village, pk=chosen) if chosen else None
    year = datetime.date.today().year
    form = VillagePlanForm(
        request.POST or None,
        instance=plan,
        initial={"start_year": year, "end_year": year + 2},
    )
    back = reverse("villagework:plan", args=[village.pk])
    if request.method == "POST" and form.is_valid():
        try:
            vs.village_plan_save(
                village=village, plan=plan, fields=form.cleaned_data, user=request.user
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Development plan saved."))
            return redirect(back)
    title = _("Development plan of %(village)s") % {"village": village.name}
    return _form_page(request, form, title, back, hidden={"plan": plan.pk} if plan else {})


@login_required
def library_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A project proposed in the village's latest plan (项目库)."""
    village = get_village_for(request.user, pk)
    require(can_keep_village(request.user, village))
    back = reverse("villagework:plan", args=[village.pk])
    plan = VillagePlan.objects.filter(village=village).order_by("-start_year").first()
    if plan is None:
        messages.error(request, _("Draw up the village's development plan first."))
        return redirect(back)
    form = LibraryEntryForm(request.POST or None, initial={"year": plan.start_year})
    if request.method == "POST" and form.is_valid():
        try:
            vs.library_entry_add(plan=plan, fields=form.cleaned_data, user=request.user)
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Project added to the village's library."))
            return redirect(back)
    title = _("Project library of %(village)s") % {"village": village.name}
    return _form_page(request, form, title, back)


@login_required
def library_promote(request: HttpRequest, pk: int) -> HttpResponse:
    """The township takes a library entry into its projects."""
    entry = scoping.get_library_entry_for(request.user, pk)
    require(can_manage_township(request.user))
    form = PromoteForm(request.POST or None)
    back = reverse("villagework:plan", args=[entry.plan.village_id])
    if request.method == "POST" and form.is_valid():
        try:
            project = vs.library_entry_promote(
                entry=entry,
                implementing_unit=form.cleaned_data["implementing_unit"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("The entry is now a township project."))
            return redirect("assistance:project", project.pk)
    title = _("Take %(name)s into the township's projects") % {"name": entry.name}
    return _form_page(request, form, title, back)


# Mutual-aid fund ------------------------------------------------------------------------


def _fund_of(village) -> MutualAidFund | None:
    return MutualAidFund.objects.filter(village=village).first()


@login_required
def mutual_aid(request: HttpRequest, pk: int) -> HttpResponse:
    village = get_village_for(request.user, pk)
    fund = _fund_of(village)
    context = {
        "village": village,
        "fund": fund,
        "can_keep": can_keep_village(request.user, village),
    }
    if fund is not None:
        members = list(fund.members.select_related("household").order_by("household__card_number"))
        heads = heads_of([m.household_id for m in members])
        for m in members:
            m.head = heads.get(m.household_id)
        context.update(
            balance=vs.mutual_aid_balance(fund),
            members=members,
            loans=vs.open_loans(fund),
            entries=list(
                fund.entries.select_related("member__household", "loan", "reverses").order_by(
                    "-entry_date", "-pk"
                )[:200]
            ),
            today=datetime.date.today(),
        )
    return render(request, "villagework/mutual_aid.html", context)


@login_required
def mutual_aid_setup(request: HttpRequest, pk: int) -> HttpResponse:
    village = get_village_for(request.user, pk)
    require(can_keep_village(request.user, village))
    back = reverse("villagework:mutual_aid", args=[village.pk])
    if _fund_of(village) is not None:
        return redirect(back)
    form = MutualAidFundForm(
        request.POST or None,
        initial={"name": _("%(village)s mutual-aid fund") % {"village": village.name}},
    )
    if request.method == "POST" and form.is_valid():
        try:
            vs.mutual_aid_fund_create(village=village, fields=form.cleaned_data, user=request.user)
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Mutual-aid fund set up."))
            return redirect(back)
    return _form_page(request, form, _("Set up the mutual-aid fund"), back)


@login_required
def mutual_aid_member(request: HttpRequest, pk: int) -> HttpResponse:
    village = get_village_for(request.user, pk)
    require(can_keep_village(request.user, village))
    back = reverse("villagework:mutual_aid", args=[village.pk])
    fund = _fund_of(village)
    if fund is None:
        return redirect("villagework:mutual_aid_setup", village.pk)
    form = MemberForm(
        request.POST or None,
        households=Household.objects.visible_to(request.user).filter(village=village),
    )
    if request.method == "POST" and form.is_valid():
        try:
            vs.mutual_aid_member_add(
                fund=fund,
                household=form.cleaned_data["household"],
                joined_on=form.cleaned_data["joined_on"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Member added."))
            return redirect(back)
    return _form_page(request, form, _("New member of the mutual-aid fund"), back)


@login_required
def mutual_aid_entry(request: HttpRequest, pk: int) -> HttpResponse:
    village = get_village_for(request.user, pk)
    require(can_keep_village(request.user, village))
    back = reverse("villagework:mutual_aid", args=[village.pk])
    fund = _fund_of(village)
    if fund is None:
        return redirect("villagework:mutual_aid_setup", village.pk)
    open_ids = [loan.pk for loan in vs.open_loans(fund)]
    form = MutualAidEntryForm(
        request.POST or None,
        initial={
            "kind": param(request, "kind", forms.ChoiceField(choices=MutualAidEntry.Kind.choices))
            or MutualAidEntry.Kind.CAPITAL
        },
        members=fund.members.select_related("household").order_by("household__card_number"),
        loans=fund.entries.filter(pk__in=open_ids).select_related("member__household"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        Kind = MutualAidEntry.Kind
        common = {
            "amount": data["amount"],
            "voucher": data["voucher"],
            "entry_date": data["entry_date"],
            "user": request.user,
        }
        try:
            if data["kind"] == Kind.CAPITAL:
                vs.mutual_aid_capital(
                    fund=fund, purpose=data["purpose"], member=data["member"], **common
                )
            elif data["kind"] == Kind.LOAN:
                vs.mutual_aid_lend(
                    fund=fund,
                    member=data["member"],
                    due_on=data["due_on"],
                    purpose=data["purpose"] or _("Loan"),
                    **common,
                )
            else:
                vs.mutual_aid_repay(loan=data["loan"], fee=data["kind"] == Kind.FEE, **common)
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(
                request, _("Entry %(voucher)s recorded.") % {"voucher": data["voucher"]}
            )
            return redirect(back)
    return _form_page(request, form, _("New entry in the mutual-aid fund"), back)


@login_required
def mutual_aid_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    entry = scoping.get_mutual_aid_entry_for(request.user, pk)
    village = entry.fund.village
    require(can_keep_village(request.user, village))
    back = reverse("villagework:mutual_aid", args=[village.pk])
    form = MutualAidReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            vs.mutual_aid_reverse(entry=entry, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Entry %(voucher)s reversed.") % {"voucher": entry.voucher})
            return redirect(back)
    title = _("Reverse entry %(voucher)s (%(amount)s yuan)") % {
        "voucher": entry.voucher,
        "amount": entry.amount,
    }
    return _form_page(request, form, title, back)


# The work team's attendance ----------------------------------------------------------------


def _month(request) -> datetime.date:
    month = param(request, "month", forms.RegexField(regex=r"^\d{4}-\d{1,2}$"))
    try:
        year, number = (int(x) for x in (month or "").split("-"))
        return datetime.date(year, number, 1)
    except ValueError:
        return datetime.date.today().replace(day=1)


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """驻村考勤: the month's presence of the village's work team, day by day."""
    village = get_village_for(request.user, pk)
    team = vs.team_of(village)
    first = _month(request)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    rows = TeamAttendance.objects.filter(village=village, day__gte=first, day__lte=last)
    by_person: dict[int, dict[int, TeamAttendance]] = {}
    for row in rows:
        by_person.setdefault(row.person_id, {})[row.day.day] = row
    days = list(range(1, last.day + 1))
    grid = [
        {
            "person": person,
            "days": [by_person.get(person.pk, {}).get(d) for d in days],
            "present": sum(
                1
                for r in by_person.get(person.pk, {}).values()
                if r.presence == TeamAttendance.Presence.IN_VILLAGE
            ),
        }
        for person in team
    ]
    form = AttendanceForm(team=team, initial={"day": datetime.date.today()})
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = last + datetime.timedelta(days=1)
    return render(
        request,
        "villagework/attendance.html",
        {
            "village": village,
            "month": first,
            "previous": previous,
            "following": following,
            "days": days,
            "grid": grid,
            "form": form,
            "can_keep": can_keep_village(request.user, village),
        },
    )


@login_required
@require_POST
def attendance_log(request: HttpRequest, pk: int) -> HttpResponse:
    village = get_village_for(request.user, pk)
    require(can_keep_village(request.user, village))
    form = AttendanceForm(request.POST, team=vs.team_of(village))
    if not form.is_valid():
        messages.error(request, _("Give the team member, the day and where they were."))
    else:
        try:
            vs.attendance_record(village=village, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, first_message(error))
        else:
            messages.success(request, _("Attendance recorded."))
    day = form.cleaned_data.get("day") if form.is_valid() else None
    month = f"?month={day:%Y-%m}" if day else ""
    return redirect(reverse("villagework:attendance", args=[village.pk]) + month)
