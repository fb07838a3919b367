"""Export pages: each one reads through the same scoped selectors as the page it mirrors."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from assistance.models import LedgerEntry, PlanItem
from assistance.scoping import get_fund_for
from households import selectors as household_selectors
from households.audit import can_export_full_ids, id_access_record, masked_filters
from households.forms import HouseholdFilterForm
from households.imports.export import roster_headings, roster_rows
from households.masking import mask_id
from households.models import Household, IdAccess
from reporting.exports import xlsx_response
from township.forms import YearForm
from township.models import Village
from township.scoping import get_village_for


@login_required
def households_xlsx(request: HttpRequest) -> HttpResponse:
    """The household list with the filters of its page, one row a member."""
    visible = Household.objects.visible_to(request.user)
    form = HouseholdFilterForm(
        request.GET or None,
        villages=Village.objects.visible_to(request.user).order_by("code"),
        cadres=household_selectors.cadres_for_list(visible),
    )
    filters = (
        {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        if form.is_valid()
        else {}
    )
    households = household_selectors.households_for_list(request.user, **filters)
    # The roster format of the import: what is exported imports back unchanged. Full ID
    # numbers only for the roles that may take them out in bulk, and never without a record.
    full_ids = can_export_full_ids(request.user)
    if full_ids:
        id_access_record(
            user=request.user,
            action=IdAccess.Action.EXPORT,
            reason="households.xlsx",
            households_count=households.count(),
            detail={"filters": masked_filters(filters)},
        )
    rows = roster_rows(households, full_ids=full_ids)
    return xlsx_response("households.xlsx", [(_("Households"), roster_headings(), rows)])


@login_required
def register_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    village = get_village_for(request.user, pk)
    households = household_selectors.village_register(request.user, village)
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
        for n, h in enumerate(households, start=1)
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
    return xlsx_response(f"register-{village.code}.xlsx", [(village.name, headings, rows)])


@login_required
def plans_xlsx(request: HttpRequest) -> HttpResponse:
    year = YearForm(request.GET).year_or_this_year()
    items = (
        PlanItem.objects.visible_to(request.user)
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
    return xlsx_response(f"plans-{year}.xlsx", [(str(year), headings, rows)])


@login_required
def ledger_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    fund = get_fund_for(request.user, pk)
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
        for e in entries.order_by("entry_date", "pk")
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
    return xlsx_response(f"ledger-{fund.pk}.xlsx", [(fund.name, headings, rows)])
