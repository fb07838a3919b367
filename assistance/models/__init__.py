from assistance.models.funds import Fund, LedgerEntry
from assistance.models.loan_policy import LoanPolicy
from assistance.models.loans import Loan, Repayment
from assistance.models.measures import MeasureCause, MeasureKind
from assistance.models.plans import AssistancePlan, Delivery, PlanItem
from assistance.models.project_records import ProjectDocument, ProjectEvaluation
from assistance.models.projects import Project, ProjectBeneficiary, ProjectStageChange
from assistance.models.registers import (
    DividendContract,
    DividendPayment,
    Enterprise,
    HealthRelief,
    HousingRenovation,
    RainDewStudent,
    TrainingAttendance,
    TrainingSession,
)
from assistance.models.village import (
    LibraryEntry,
    MutualAidEntry,
    MutualAidFund,
    MutualAidMember,
    TeamAttendance,
    VillagePlan,
)

__all__ = [
    "AssistancePlan",
    "Delivery",
    "DividendContract",
    "DividendPayment",
    "Enterprise",
    "Fund",
    "HealthRelief",
    "HousingRenovation",
    "LedgerEntry",
    "LibraryEntry",
    "Loan",
    "LoanPolicy",
    "MeasureCause",
    "MeasureKind",
    "MutualAidEntry",
    "MutualAidFund",
    "MutualAidMember",
    "PlanItem",
    "Project",
    "ProjectBeneficiary",
    "ProjectDocument",
    "ProjectEvaluation",
    "ProjectStageChange",
    "RainDewStudent",
    "Repayment",
    "TeamAttendance",
    "TrainingAttendance",
    "TrainingSession",
    "VillagePlan",
]
