from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from assistance.models import (
    AssistancePlan,
    Delivery,
    Fund,
    LedgerEntry,
    Loan,
    MeasureCause,
    MeasureKind,
    PlanItem,
    Project,
    ProjectBeneficiary,
    Repayment,
)


class MeasureCauseInline(admin.TabularInline):
    model = MeasureCause
    extra = 0


@admin.register(MeasureKind)
class MeasureKindAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "is_active", "order"]
    inlines = [MeasureCauseInline]


class PlanItemInline(admin.TabularInline):
    model = PlanItem
    extra = 0
    can_delete = False


@admin.register(AssistancePlan)
class AssistancePlanAdmin(SimpleHistoryAdmin):
    list_display = ["household", "year", "cadre"]
    list_filter = ["year"]
    list_select_related = ["household", "cadre"]
    raw_id_fields = ["household", "cadre", "created_by"]
    inlines = [PlanItemInline]


@admin.register(Delivery)
class DeliveryAdmin(SimpleHistoryAdmin):
    list_display = ["item", "delivered_on", "amount", "quantity", "recorded_by"]
    raw_id_fields = ["item", "recorded_by"]


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "year", "stage", "budget", "township"]
    list_filter = ["stage", "kind", "year"]
    filter_horizontal = ["villages"]


@admin.register(ProjectBeneficiary)
class ProjectBeneficiaryAdmin(SimpleHistoryAdmin):
    list_display = ["project", "household", "how"]
    raw_id_fields = ["project", "household"]


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ["name", "source", "year", "township"]
    list_filter = ["source", "year"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """Read-only: entries are written through the ledger pages and corrected by reversals."""

    list_display = ["fund", "voucher", "kind", "entry_date", "amount", "purpose", "recorded_by"]
    list_filter = ["kind", "fund"]
    search_fields = ["voucher", "purpose"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RepaymentInline(admin.TabularInline):
    model = Repayment
    extra = 0
    can_delete = False


@admin.register(Loan)
class LoanAdmin(SimpleHistoryAdmin):
    list_display = ["household", "bank", "principal", "disbursed_on", "status"]
    list_filter = ["status", "bank"]
    raw_id_fields = ["household"]
    inlines = [RepaymentInline]
