from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from households.masking import mask_id
from households.models import (
    CountyIncome,
    ExitTarget,
    Household,
    HouseholdCause,
    HouseholdIncome,
    IdAccess,
    Member,
    Pairing,
    PovertyLine,
    StatusChange,
)
from households.services import (
    household_cadres_refresh,
    household_member_facts_refresh,
    visit_villages_refresh,
)


class KeepsCardFacts:
    """Admin pages that write what a card keeps for its lists (its head, members, cadre,
    village) put those facts right after each save and delete, as the app's own services do.
    ``card_field`` names the household of a row; None when the row is the household."""

    card_field: str | None = "household"

    def _cards(self, rows) -> set:
        if self.card_field is None:
            return {row.pk for row in rows}
        return {getattr(row, f"{self.card_field}_id") for row in rows}

    def _refresh(self, household_ids: set) -> None:
        household_ids = {pk for pk in household_ids if pk is not None}
        household_member_facts_refresh(household_ids=household_ids)
        household_cadres_refresh(household_ids=household_ids)
        visit_villages_refresh(household_ids=household_ids)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        moved_from = form.initial.get(self.card_field) if self.card_field else None
        self._refresh(self._cards([form.instance]) | {moved_from})

    def delete_model(self, request, obj):
        cards = self._cards([obj])
        super().delete_model(request, obj)
        self._refresh(cards)

    def delete_queryset(self, request, queryset):
        cards = self._cards(queryset)
        super().delete_queryset(request, queryset)
        self._refresh(cards)


class MemberInline(admin.StackedInline):
    model = Member
    extra = 0
    can_delete = False


class CauseInline(admin.TabularInline):
    model = HouseholdCause
    extra = 0


@admin.register(Household)
class HouseholdAdmin(KeepsCardFacts, SimpleHistoryAdmin):
    card_field = None
    list_display = ["card_number", "village", "attribute", "status", "year_identified"]
    list_filter = ["status", "attribute", "village__township"]
    list_select_related = ["village"]
    search_fields = ["card_number"]
    autocomplete_fields = ["village"]
    inlines = [CauseInline, MemberInline]
    # A status changes only as a dated fact (households.services.status_change_record).
    readonly_fields = ["status"]


@admin.register(StatusChange)
class StatusChangeAdmin(SimpleHistoryAdmin):
    """Read-only: facts are recorded by cases, the card form and imports."""

    list_display = ["household", "status", "effective_on", "source", "recorded_by"]
    list_filter = ["status", "source"]
    date_hierarchy = "effective_on"
    raw_id_fields = ["household", "case"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Member)
class MemberAdmin(KeepsCardFacts, SimpleHistoryAdmin):
    list_display = ["name", "masked_id_number", "relation", "household", "is_active"]

    @admin.display(description=_("ID number"))
    def masked_id_number(self, member):
        return mask_id(member.id_number)

    list_filter = ["is_active", "relation", "health"]
    list_select_related = ["household"]
    search_fields = ["=id_number", "name"]
    autocomplete_fields = ["household"]


@admin.register(HouseholdIncome)
class HouseholdIncomeAdmin(SimpleHistoryAdmin):
    list_display = ["household", "year", "members_count", "net_income", "per_capita_net_income"]
    list_filter = ["year"]
    list_select_related = ["household"]
    search_fields = ["household__card_number"]
    autocomplete_fields = ["household"]


@admin.register(PovertyLine)
class PovertyLineAdmin(SimpleHistoryAdmin):
    list_display = ["year", "amount", "monitoring_line", "stable_years", "note"]


@admin.register(Pairing)
class PairingAdmin(KeepsCardFacts, SimpleHistoryAdmin):
    list_display = ["household", "cadre", "start_date", "end_date"]
    list_filter = ["end_date"]
    list_select_related = ["household", "cadre"]
    search_fields = ["household__card_number", "cadre__name"]
    autocomplete_fields = ["household", "cadre"]


@admin.register(IdAccess)
class IdAccessAdmin(admin.ModelAdmin):
    """The record of full ID numbers shown, exported and searched: read only."""

    list_display = ["at", "user", "action", "household", "households_count", "reason"]
    list_filter = ["action"]
    list_select_related = ["user", "household"]
    search_fields = ["user__username", "household__card_number"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CountyIncome)
class CountyIncomeAdmin(SimpleHistoryAdmin):
    """The county's average rural income per year: policy data that leaders keep."""

    list_display = ["county", "year", "per_capita"]


@admin.register(ExitTarget)
class ExitTargetAdmin(SimpleHistoryAdmin):
    """Households each help unit, village or cadre is to bring out of poverty in a year."""

    list_display = ["year", "help_unit", "village", "cadre", "households"]
    list_filter = ["year"]
