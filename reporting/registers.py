"""The registers' lines in the year's reports (危房改造、雨露计划、技能培训、资产收益分红、
大病救助、小额信贷), and the income comparison the exit report states, each as of the
report's day (``run.as_of``).

Every record counts by its own dates: a renovation of the report's year, accepted if its
acceptance is dated by the report's day; money paid is the ledger's disbursements dated by
that day, net of reversals dated by it. A record entered later for an earlier date counts
where it belongs, as every other dated fact of the reports does.
"""

import datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from assistance import ledger
from assistance.models import (
    DividendContract,
    DividendPayment,
    HealthRelief,
    HousingRenovation,
    LedgerEntry,
    Loan,
    RainDewStudent,
    TrainingAttendance,
    TrainingSession,
)
from households import policy
from households.models import CountyIncome, HouseholdIncome
from reporting.selectors import households_in_scope

ZERO = Decimal("0.00")


def yuan(amount: Decimal) -> str:
    """An amount as a report states it: 740,000 or 1,234.50."""
    amount = amount or ZERO
    if amount == amount.to_integral_value():
        return f"{amount:,.0f}"
    return f"{amount:,.2f}"


def _paid(rows, day) -> Decimal:
    paid = ledger.paid_by_item([r.plan_item_id for r in rows if r.plan_item_id], until=day)
    return sum(paid.values(), ZERO)


def renovation_line(households, year: int, day: datetime.date) -> dict | None:
    rows = list(HousingRenovation.objects.inside(household__in=households).filter(year=year))
    if not rows:
        return None
    subsidy = sum((r.subsidy for r in rows), ZERO)
    paid = _paid(rows, day)
    n, accepted = len(rows), sum(1 for r in rows if r.accepted_on and r.accepted_on <= day)
    values = {"n": n, "accepted": accepted, "subsidy": yuan(subsidy), "paid": yuan(paid)}
    if subsidy > 0 and paid >= subsidy:
        text = (
            _(
                "Dilapidated-house renovation: %(n)d households, %(accepted)d accepted, "
                "subsidy %(subsidy)s yuan, all paid"
            )
            % values
        )
    else:
        text = (
            _(
                "Dilapidated-house renovation: %(n)d households, %(accepted)d accepted, "
                "subsidy %(subsidy)s yuan, %(paid)s yuan paid"
            )
            % values
        )
    return {
        "key": "renovation",
        "text": text,
        "figures": {
            "households": n,
            "accepted": accepted,
            "subsidy": str(subsidy),
            "paid": str(paid),
        },
    }


def rain_dew_line(households, year: int, day: datetime.date) -> dict | None:
    rows = list(RainDewStudent.objects.inside(household__in=households).filter(school_year=year))
    if not rows:
        return None
    subsidy = sum((r.subsidy for r in rows), ZERO)
    paid = _paid(rows, day)
    values = {"n": len(rows), "subsidy": yuan(subsidy), "paid": yuan(paid)}
    if subsidy > 0 and paid >= subsidy:
        text = _("Rain-and-Dew plan: %(n)d students, subsidy %(subsidy)s yuan, all paid") % values
    else:
        text = (
            _("Rain-and-Dew plan: %(n)d students, subsidy %(subsidy)s yuan, %(paid)s yuan paid")
            % values
        )
    return {
        "key": "rain_dew",
        "text": text,
        "figures": {"students": len(rows), "subsidy": str(subsidy), "paid": str(paid)},
    }


def training_line(households, year: int, day: datetime.date) -> dict | None:
    attendances = TrainingAttendance.objects.inside(household__in=households).filter(
        session__starts_on__year=year, session__starts_on__lte=day
    )
    sessions = TrainingSession.objects.inside(pk__in=attendances.values("session_id")).count()
    if not sessions:
        return None
    trainees = attendances.count()
    completed = attendances.filter(completed=True).count()
    transferred = attendances.filter(outcome__in=TrainingAttendance.TRANSFERRED).count()
    values = {
        "sessions": sessions,
        "trainees": trainees,
        "completed": completed,
        "transferred": transferred,
    }
    return {
        "key": "training",
        "text": _(
            "Skills training: %(sessions)d sessions, %(trainees)d trainees, %(completed)d "
            "completed, %(transferred)d in work after training"
        )
        % values,
        "figures": values,
    }


def dividend_line(households, year: int, day: datetime.date) -> dict | None:
    contracts = DividendContract.objects.inside(household__in=households).filter(
        start_year__lte=year, end_year__gte=year
    )
    n = contracts.values("household_id").distinct().count()
    if not n:
        return None
    paid = (
        DividendPayment.objects.filter(
            contract__in=contracts, year=year, paid_on__lte=day
        ).aggregate(s=Sum("amount"))["s"]
        or ZERO
    ).quantize(ZERO)
    paid_to = (
        DividendPayment.objects.filter(contract__in=contracts, year=year, paid_on__lte=day)
        .values("contract__household_id")
        .distinct()
        .count()
    )
    values = {"n": n, "paid_to": paid_to, "paid": yuan(paid)}
    return {
        "key": "dividends",
        "text": _(
            "Asset-income dividends: %(n)d households under contract, %(paid_to)d paid, "
            "%(paid)s yuan for the year"
        )
        % values,
        "figures": {"households": n, "paid_to": paid_to, "paid": str(paid)},
    }


def relief_line(households, year: int, day: datetime.date) -> dict | None:
    rows = list(
        HealthRelief.objects.inside(household__in=households).filter(
            year=year, admitted_on__lte=day
        )
    )
    if not rows:
        return None
    expenses = sum((r.expenses for r in rows), ZERO)
    insurance = sum((r.basic_insurance + r.serious_illness_insurance for r in rows), ZERO)
    relief = sum((r.relief for r in rows), ZERO)
    paid = _paid(rows, day)
    values = {
        "n": len(rows),
        "expenses": yuan(expenses),
        "insurance": yuan(insurance),
        "relief": yuan(relief),
        "paid": yuan(paid),
    }
    return {
        "key": "relief",
        "text": _(
            "Serious-illness relief: %(n)d cases, medical expenses %(expenses)s yuan, insurance "
            "paid %(insurance)s yuan, relief %(relief)s yuan (%(paid)s yuan paid)"
        )
        % values,
        "figures": {
            "cases": len(rows),
            "expenses": str(expenses),
            "insurance": str(insurance),
            "relief": str(relief),
            "paid": str(paid),
        },
    }


def loan_line(households, year: int, day: datetime.date) -> dict | None:
    loans = list(Loan.objects.inside(household__in=households).filter(disbursed_on__lte=day))
    if not loans:
        return None
    ids = [loan.pk for loan in loans]
    Use = LedgerEntry.LoanUse
    to_day = ledger.loans_paid(ids, until=day)
    before = ledger.loans_paid(ids, until=datetime.date(year - 1, 12, 31))

    def in_year(use: str) -> Decimal:
        return sum((to_day.get((i, use), ZERO) - before.get((i, use), ZERO) for i in ids), ZERO)

    def closed_as(status: str) -> int:
        return sum(1 for loan in loans if loan.status == status and loan.closed_on <= day)

    subsidy, compensation = in_year(Use.INTEREST_SUBSIDY), in_year(Use.RISK_COMPENSATION)
    compensated = sum(1 for i in ids if to_day.get((i, Use.RISK_COMPENSATION), ZERO) > 0)
    values = {
        "n": len(loans),
        "principal": yuan(sum((loan.principal for loan in loans), ZERO)),
        "subsidy": yuan(subsidy),
        "compensated": compensated,
        "compensation": yuan(compensation),
        "written_off": closed_as(Loan.Status.WRITTEN_OFF),
    }
    return {
        "key": "loans",
        "text": _(
            "Microfinance: %(n)d loans, %(principal)s yuan; interest subsidy paid this year "
            "%(subsidy)s yuan; risk compensation %(compensated)d loans, %(compensation)s yuan "
            "this year; %(written_off)d written off"
        )
        % values,
        "figures": {
            "loans": len(loans),
            "subsidy": str(subsidy),
            "compensation": str(compensation),
            "compensated": compensated,
            "written_off": values["written_off"],
        },
    }


LINES = [renovation_line, rain_dew_line, training_line, dividend_line, relief_line, loan_line]


def register_lines(run) -> list[dict]:
    """The lines of the registers that have records in the run's area and year."""
    households = households_in_scope(run)
    lines = (line(households, run.year, run.as_of) for line in LINES)
    return [line for line in lines if line is not None]


def income_comparison(run, rows: list[dict]) -> dict | None:
    """The registered households' per-capita net income of the year against the year before,
    and the county's average rural income growth, where one plan asks to compare them."""
    year = run.year
    ids = [r["household"].pk for r in rows]
    incomes = HouseholdIncome.objects.filter(household_id__in=ids, year__in=[year - 1, year])

    def average(y: int) -> Decimal | None:
        total, people = ZERO, 0
        for income in incomes:
            if income.year == y:
                total += income.net_income
                people += income.members_count
        return (total / people).quantize(Decimal("0.01")) if people else None

    current, previous = average(year), average(year - 1)
    county = dict(
        CountyIncome.objects.filter(
            county=run.township.county_id, year__in=[year - 1, year]
        ).values_list("year", "per_capita")
    )
    if current is None and not county:
        return None
    growth = policy.growth_percent(previous, current)
    county_growth = policy.growth_percent(county.get(year - 1), county.get(year))
    return {
        "per_capita": current,
        "previous": previous,
        "growth": growth,
        "county": county.get(year),
        "county_growth": county_growth,
        "outgrows": policy.outgrows(growth, county_growth),
    }
