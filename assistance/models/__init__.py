from assistance.models.funds import Fund, LedgerEntry
from assistance.models.loans import Loan, Repayment
from assistance.models.measures import MeasureCause, MeasureKind
from assistance.models.plans import AssistancePlan, Delivery, PlanItem
from assistance.models.projects import Project, ProjectBeneficiary, ProjectStageChange

__all__ = [
    "AssistancePlan",
    "Delivery",
    "Fund",
    "LedgerEntry",
    "Loan",
    "MeasureCause",
    "MeasureKind",
    "PlanItem",
    "Project",
    "ProjectBeneficiary",
    "ProjectStageChange",
    "Repayment",
]
