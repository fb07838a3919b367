"""Microfinance money in the one ledger: the year's policy on the loan form, the interest
subsidy (贴息) of paid instalments, compensation from the risk fund, write-off."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assistance import ledger, services
from assistance.models import LedgerEntry, Loan, LoanPolicy
from reporting import services as report_services
from reporting.models import ReportRun
from tests import factories as f
from tests.constraints import violates
from tests.reporting_helpers import pdf_text

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def staff(client, world):
    client.force_login(world.profiles.staff.user)
    return client


@pytest.fixture
def policy(db):
    return LoanPolicy.objects.create(
        year=2025,
        max_principal=D("50000"),
        max_term_months=36,
        base_rate=D("4.35"),
        subsidy_share=D("100"),
    )


def _loan_data(world, **changes):
    return {
        "card_number": world.households.own.card_number,
        "bank": "农村信用社",
        "principal": "20000",
        "disbursed_on": "2025-03-01",
        "term_months": "6",
        "annual_rate": "4.35",
        "subsidy_fund": world.funds.a.pk,
        "risk_fund": "",
        "purpose": "养牛",
        **changes,
    }


def test_the_loan_form_keeps_the_years_policy_limits(staff, world, policy):
    url = reverse("assistance:loan_create")
    before = Loan.objects.count()
    for changes, message in [
        ({"principal": "60000"}, "贷款金额超过本年度上限 50000.00 元"),
        ({"term_months": "48"}, "贷款期限超过本年度上限 36 个月"),
        ({"annual_rate": "6.00"}, "贷款利率高于本年度基准利率 4.35%"),
    ]:
        response = staff.post(url, _loan_data(world, **changes))
        assert message in response.content.decode()
    assert Loan.objects.count() == before
    # The service checks as the form does; a year without a policy kept is not limited.
    fields = {
        "household": world.households.own,
        "bank": "农村信用社",
        "principal": D("60000"),
        "disbursed_on": datetime.date(2025, 5, 1),
        "term_months": 12,
        "annual_rate": D("4.35"),
    }
    with pytest.raises(ValidationError, match="上限"):
        services.loan_create(fields=fields, user=world.profiles.staff.user)
    earlier = {**fields, "disbursed_on": datetime.date(2024, 5, 1)}
    assert services.loan_create(fields=earlier, user=world.profiles.staff.user).pk


def test_a_loan_goes_from_disbursement_to_interest_subsidy_to_repayment(staff, world, policy):
    fund = world.funds.a
    assert staff.post(reverse("assistance:loan_create"), _loan_data(world)).status_code == 302
    loan = Loan.objects.get(principal=D("20000"))
    first, second = loan.repayments.order_by("due_date")
    assert (first.interest_due, second.interest_due) == (D("217.50"), D("217.50"))
    page = reverse("assistance:loan", args=[loan.pk])

    staff.post(
        reverse("assistance:loan_allocate", args=[loan.pk]),
        {
            "use": "interest",
            "amount": "435.00",
            "voucher": "TX-A",
            "entry_date": "2025-03-05",
            "purpose": "小额信贷贴息",
        },
    )
    allocation = LedgerEntry.objects.get(voucher="TX-A")
    assert (allocation.loan, allocation.loan_use, allocation.fund) == (loan, "interest", fund)

    subsidise = reverse("assistance:loan_subsidise", args=[loan.pk])
    entry = {
        "repayment": first.pk,
        "amount": "217.50",
        "voucher": "TX-1",
        "entry_date": "2025-06-02",
    }
    unpaid = staff.post(subsidise, entry)
    assert "农户还款后才能贴息" in unpaid.content.decode()
    staff.post(
        reverse("assistance:repayment_paid", args=[loan.pk]),
        {"repayment": first.pk, "paid_on": "2025-06-01"},
    )
    assert staff.post(subsidise, entry).status_code == 302
    paid = LedgerEntry.objects.get(voucher="TX-1")
    first.refresh_from_db()
    assert (paid.kind, paid.allocation, first.subsidy_entry) == ("disbursement", allocation, paid)
    twice = staff.post(subsidise, {**entry, "voucher": "TX-1b"})
    assert "该期利息已贴息" in twice.content.decode()

    staff.post(
        reverse("assistance:repayment_paid", args=[loan.pk]),
        {"repayment": second.pk, "paid_on": "2025-09-01"},
    )
    staff.post(subsidise, {**entry, "repayment": second.pk, "voucher": "TX-2"})
    loan.refresh_from_db()
    assert (loan.status, loan.closed_on) == (Loan.Status.REPAID, datetime.date(2025, 9, 1))
    assert ledger.loan_paid(loan, "interest") == D("435.00")
    assert ledger.fund_balance(fund).disbursed == D("435.00")
    assert staff.get(page).context["subsidy_paid"] == D("435.00")

    run = ReportRun.objects.create(
        kind="year_end",
        year=2025,
        as_of=datetime.date(2025, 12, 31),
        township=world.township,
        scope_key=report_services.scope_key(township=world.township),
    )
    report_services.report_build(run_id=run.pk)
    run.refresh_from_db()
    assert "当年贴息 435 元" in pdf_text(run.file.path)
    assert run.figures["registers"]["loans"]["subsidy"] == "435.00"


def test_a_loan_in_default_is_compensated_from_the_risk_fund_then_written_off(staff, world):
    risk = f.FundFactory(township=world.township, name="风险补偿金", source="county")
    ledger.ledger_receive(
        fund=risk,
        amount=D("50000"),
        voucher="FX-R",
        entry_date=datetime.date(2025, 1, 5),
        purpose="县财政注入",
        user=world.profiles.staff.user,
    )
    loan = services.loan_create(
        fields={
            "household": world.households.neighbour,
            "bank": "邮政储蓄银行",
            "principal": D("30000"),
            "disbursed_on": datetime.date(2025, 1, 10),
            "term_months": 12,
            "annual_rate": D("4.35"),
            "risk_fund": risk,
        },
        user=world.profiles.staff.user,
    )
    compensate = reverse("assistance:loan_compensate", args=[loan.pk])
    claim = {"amount": "24000", "voucher": "FX-1", "entry_date": "2025-08-01", "reason": "因病"}
    before = staff.post(compensate, claim)
    assert "请先分配资金" in before.content.decode()
    staff.post(
        reverse("assistance:loan_allocate", args=[loan.pk]),
        {
            "use": "risk",
            "amount": "30000",
            "voucher": "FX-A",
            "entry_date": "2025-07-20",
            "purpose": "风险补偿",
        },
    )
    assert staff.post(compensate, claim).status_code == 302
    loan.refresh_from_db()
    assert (loan.status, loan.closed_on) == (Loan.Status.COMPENSATED, datetime.date(2025, 8, 1))
    assert ledger.loan_paid(loan, "risk") == D("24000.00")
    assert ledger.fund_balance(risk).in_hand == D("26000.00")
    again = staff.post(compensate, {**claim, "voucher": "FX-2"})
    assert "只有正在还款的贷款才能代偿" in again.content.decode()
    staff.post(
        reverse("assistance:loan_write_off", args=[loan.pk]),
        {"on": "2025-09-01", "reason": "剩余本息核销"},
    )
    loan.refresh_from_db()
    assert (loan.status, loan.close_reason) == (Loan.Status.WRITTEN_OFF, "剩余本息核销")
    # A reversal of the compensation puts the money back in the risk fund.
    ledger.ledger_reverse(
        entry=LedgerEntry.objects.get(voucher="FX-1"),
        voucher="FX-V",
        entry_date=datetime.date(2025, 9, 2),
        reason="重复代偿",
        user=world.profiles.staff.user,
    )
    assert ledger.loan_paid(loan, "risk") == D("0.00")


def test_the_database_keeps_a_loans_allocation_to_one_target_with_its_use(world):
    fields = {
        "fund": world.funds.a,
        "kind": "allocation",
        "amount": D("10"),
        "entry_date": datetime.date(2025, 3, 1),
        "purpose": "x",
        "recorded_by": world.profiles.staff.user,
    }
    with violates("ledger_entry_links_match_kind"):
        LedgerEntry.objects.create(
            voucher="X1",
            loan=world.households.own.loan,
            loan_use="interest",
            project=world.projects.a,
            **fields,
        )
    with violates("ledger_loan_has_use"):
        LedgerEntry.objects.create(voucher="X2", loan=world.households.own.loan, **fields)
