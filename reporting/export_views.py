"""Export pages: each queues its workbook as a background run and shows its progress.

The workbook is written by a worker (a county's list takes longer than any web request may),
through the same form and scoped selectors as the page it mirrors, as the user who asked.
"""

import functools

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext as _

from assistance.models import LedgerEntry, PlanItem
from assistance.scoping import get_fund_for
from households import selectors as household_selectors
from households.audit import can_export_full_ids, id_access_record, masked_filters
from households.forms import HouseholdFilterForm
from households.imports.export import roster_headings, roster_rows
from households.masking import mask_id
from households.models import IdAccess, Member
from reporting.exports import Sheet, export, export_start, form_data
from township.forms import YearForm, chosen_filters
from township.models import Village
from township.scoping import get_village_for


def _household_form(user, data) -> HouseholdFilterForm:
    return HouseholdFilterForm(
        data or None,
        villages=Village.objects.visible_to(user).order_by("code"),
        cadres=functools.partial(household_selectors.list_cadres, user),
    )


@login_required
def households_xlsx(request: HttpRequest) -> HttpResponse:
    """The household list with the filters of its page, one row a member."""
    data = form_data(_household_form(request.user, request.GET))
    return export_start(request, "households", "households.xlsx", data=data)


@export("households")
def households_sheets(user, data: QueryDict, pk=None) -> list[Sheet]:
    form = _household_form(user, data)
    filters = chosen_filters(form)
    households = household_selectors.households_sorted(user, **filters)
    # The roster format of the import: what is exported imports back unchanged. Full ID
    # numbers only for the roles that may take them out in bulk, and never without a record.
    full_ids = can_export_full_ids(user)
    if full_ids:
        id_access_record(
            user=user,
            action=IdAccess.Action.EXPORT,
            reason="households.xlsx",
            households_count=households.count(),
            detail={"filters": masked_filters(filters)},
        )
    members = Member.objects.filter(
        is_active=True, household__in=households.order_by().values("pk")
    ).count()
    rows = roster_rows(households, full_ids=full_ids)
    return [Sheet(_("Households"), roster_headings(), rows, members)]


@login_required
def register_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    village = get_village_for(request.user, pk)
    return export_start(request, "register", f"register-{village.code}.xlsx", pk=village.pk)


@export("register")
def register_sheets(user, data, pk) -> list[Sheet]:
    village = get_village_for(user, pk)
    households = household_selectors.village_register(user, village)
    rows = (
        [
            n,
            h.card_number,
            h.group_name,
            h.head_name or "",
            mask_id(h.head_id_number),
            h.members_count,
            h.get_attribute_display(),
            h.get_status_display(),
            h.cadre_name or "",
        ]
        for n, h in enumerate(households.iterator(chunk_size=2000), start=1)
    )
    headings = [
        "#",
        _("Card number"),
        _("Villager group"),
        _("Head of household"),
        _("ID number"),
        _("Members"),
        _("Attribute"),
        _("Status"),
        _("Pairing cadre"),
    ]
    return [Sheet(village.name, headings, rows)]


@login_required
def plans_xlsx(request: HttpRequest) -> HttpResponse:
    form = YearForm(request.GET)
    year = form.year_or_this_year()
    return export_start(request, "plans", f"plans-{year}.xlsx", data={"year": [str(year)]})


@export("plans")
def plans_sheets(user, data, pk=None) -> list[Sheet]:
    year = YearForm(data).year_or_this_year()
    items = (
        PlanItem.objects.visible_to(user)
        .filter(plan__year=year)
        .select_related("plan__household__village", "kind", "responsible")
        .order_by("plan__household__village__code", "plan__household__card_number", "due_date")
    )
    rows = (
        [
            i.plan.household.village.name,
            i.plan.household.card_number,
            i.kind.label,
            i.description,
            i.planned_amount,
            i.due_date,
            i.responsible.name,
            i.get_status_display(),
            i.cancel_reason,
        ]
        for i in items.iterator(chunk_size=2000)
    )
    headings = [
        _("Village"),
        _("Card number"),
        _("Measure kind"),
        _("What exactly"),
        _("Planned"),
        _("Due on"),
        _("Responsible cadre"),
        _("Status"),
        _("Reason for cancelling"),
    ]
    return [Sheet(str(year), headings, rows)]


@login_required
def ledger_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    fund = get_fund_for(request.user, pk)
    return export_start(request, "ledger", f"ledger-{fund.pk}.xlsx", pk=fund.pk)


@export("ledger")
def ledger_sheets(user, data, pk) -> list[Sheet]:
    fund = get_fund_for(user, pk)
    entries = LedgerEntry.objects.inside(fund=fund).select_related(
        "reverses", "project", "allocation", "recorded_by"
    )
    rows = (
        [
            e.entry_date,
            e.voucher,
            e.get_kind_display(),
            e.amount,
            e.purpose,
            e.project.name if e.project else "",
            e.allocation.voucher if e.allocation else "",
            e.reverses.voucher if e.reverses else "",
            e.recorded_by.get_username(),
        ]
        for e in entries.order_by("entry_date", "pk").iterator(chunk_size=2000)
    )
    headings = [
        _("Date"),
        _("Voucher number"),
        _("Kind"),
        _("Amount (yuan)"),
        _("Purpose"),
        _("Project"),
        _("Against allocation (for a disbursement)"),
        _("Reverses"),
        _("Recorded by"),
    ]
    return [Sheet(fund.name, headings, rows)]
