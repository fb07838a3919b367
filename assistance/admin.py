from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from assistance.models import (
    AssistancePlan,
    Delivery,
    DividendContract,
    DividendPayment,
    Enterprise,
    Fund,
    HealthRelief,
    HousingRenovation,
    LedgerEntry,
    LibraryEntry,
    Loan,
    LoanPolicy,
    MeasureCause,
    MeasureKind,
    MutualAidEntry,
    MutualAidFund,
    PlanItem,
    Project,
    ProjectBeneficiary,
    ProjectEvaluation,
    RainDewStudent,
    Repayment,
    TeamAttendance,
    TrainingSession,
    VillagePlan,
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
    readonly_fields = ["subsidy_entry"]


@admin.register(Loan)
class LoanAdmin(SimpleHistoryAdmin):
    list_display = ["household", "bank", "principal", "disbursed_on", "status"]
    list_filter = ["status", "bank"]
    raw_id_fields = ["household"]
    inlines = [RepaymentInline]


@admin.register(LoanPolicy)
class LoanPolicyAdmin(admin.ModelAdmin):
    """The year's microfinance limits: policy data that leaders keep."""

    list_display = ["year", "max_principal", "max_term_months", "base_rate", "subsidy_share"]


class _ReadOnly(admin.ModelAdmin):
    """Written through their pages' services only; corrected by reversals, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MutualAidEntry)
class MutualAidEntryAdmin(_ReadOnly):
    list_display = ["fund", "voucher", "kind", "entry_date", "amount", "recorded_by"]
    list_filter = ["kind"]


@admin.register(DividendPayment)
class DividendPaymentAdmin(_ReadOnly):
    list_display = ["contract", "year", "paid_on", "amount", "voucher"]


@admin.register(MutualAidFund)
class MutualAidFundAdmin(SimpleHistoryAdmin):
    list_display = ["name", "village", "established_on", "max_loan"]


@admin.register(HousingRenovation)
class HousingRenovationAdmin(SimpleHistoryAdmin):
    list_display = ["household", "year", "grade", "subsidy", "started_on", "accepted_on"]
    list_filter = ["year", "grade"]
    raw_id_fields = ["household", "plan_item", "recorded_by"]


@admin.register(RainDewStudent)
class RainDewStudentAdmin(SimpleHistoryAdmin):
    list_display = ["member", "school", "level", "school_year", "subsidy"]
    raw_id_fields = ["household", "member", "plan_item", "recorded_by"]


@admin.register(HealthRelief)
class HealthReliefAdmin(SimpleHistoryAdmin):
    list_display = ["member", "year", "illness", "expenses", "relief"]
    raw_id_fields = ["household", "member", "plan_item", "recorded_by"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "skill", "starts_on", "township", "village"]
    raw_id_fields = ["recorded_by"]


@admin.register(Enterprise)
class EnterpriseAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "industry", "township"]


@admin.register(DividendContract)
class DividendContractAdmin(SimpleHistoryAdmin):
    list_display = ["enterprise", "household", "annual_dividend", "start_year", "end_year"]
    raw_id_fields = ["household", "plan_item", "recorded_by"]


@admin.register(ProjectEvaluation)
class ProjectEvaluationAdmin(admin.ModelAdmin):
    list_display = ["project", "kind", "evaluated_on", "indicator", "target_value", "actual_value"]
    raw_id_fields = ["recorded_by"]


@admin.register(VillagePlan)
class VillagePlanAdmin(SimpleHistoryAdmin):
    list_display = ["village", "title", "start_year", "end_year", "approved_on"]


@admin.register(LibraryEntry)
class LibraryEntryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "plan", "kind", "year", "estimated_budget", "project"]
    raw_id_fields = ["project"]


@admin.register(TeamAttendance)
class TeamAttendanceAdmin(SimpleHistoryAdmin):
    list_display = ["person", "village", "day", "presence"]
    list_filter = ["presence", "village"]
    raw_id_fields = ["recorded_by"]
