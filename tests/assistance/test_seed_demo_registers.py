"""seed_demo fills every register, the loans' money and the village's books through the
services, once: a second run adds nothing, and every balance stays whole."""

import pytest
from django.core.management import call_command

from assistance import ledger, village_services
from assistance.models import (
    DividendPayment,
    Fund,
    HealthRelief,
    HousingRenovation,
    LedgerEntry,
    LibraryEntry,
    Loan,
    LoanPolicy,
    MutualAidEntry,
    MutualAidFund,
    ProjectDocument,
    ProjectEvaluation,
    RainDewStudent,
    TeamAttendance,
    TrainingAttendance,
)
from households.models import CountyIncome, ExitTarget, HouseholdIncome

pytestmark = pytest.mark.django_db
MODELS = [
    HousingRenovation,
    RainDewStudent,
    HealthRelief,
    TrainingAttendance,
    DividendPayment,
    LibraryEntry,
    MutualAidEntry,
    TeamAttendance,
    ProjectEvaluation,
    ProjectDocument,
    LoanPolicy,
    CountyIncome,
    ExitTarget,
]


def counts():
    return {
        **{m.__name__: m.objects.count() for m in MODELS},
        "loan entries": LedgerEntry.objects.exclude(loan=None).count(),
        "entries": LedgerEntry.objects.count(),
    }


def test_seed_demo_fills_every_register_once_and_keeps_every_balance_whole():
    call_command("seed_demo", households=120)
    first = counts()
    assert all(first.values()), first
    assert HousingRenovation.objects.filter(accepted_on__isnull=False).exists()
    assert Loan.objects.filter(status=Loan.Status.WRITTEN_OFF).count() == 1
    assert HouseholdIncome.objects.filter(property_dividends__gt=0).exists()
    call_command("seed_demo", households=120)
    assert counts() == first
    for fund in Fund.objects.all():
        balance = ledger.fund_balance(fund)
        assert balance.unallocated >= 0 and balance.in_hand >= 0
    for fund in MutualAidFund.objects.all():
        assert village_services.mutual_aid_balance(fund).in_hand >= 0
