from households.models.audit import IdAccess
from households.models.card import Household, HouseholdCause, PovertyCause
from households.models.imports import ImportJob
from households.models.income import HouseholdIncome, PovertyLine
from households.models.members import Member
from households.models.monitoring import Hardship, MonitoringCase
from households.models.pairing import Pairing
from households.models.status import Removal, StatusChange
from households.models.visits import Visit, VisitPhoto
from households.models.workflow import (
    NoticeCorrection,
    NoticeObjection,
    WorkflowCase,
    WorkflowStep,
)
from households.models.yearly import CountyIncome, ExitTarget

__all__ = [
    "CountyIncome",
    "ExitTarget",
    "Household",
    "HouseholdCause",
    "Hardship",
    "HouseholdIncome",
    "IdAccess",
    "ImportJob",
    "Member",
    "MonitoringCase",
    "NoticeCorrection",
    "NoticeObjection",
    "Pairing",
    "PovertyCause",
    "PovertyLine",
    "Removal",
    "StatusChange",
    "Visit",
    "VisitPhoto",
    "WorkflowCase",
    "WorkflowStep",
]
