"""Asset-income dividends (资产收益分红): a contract's payments become the household's
property income of their year, move its per-capita income against the line, and are
reported and exported."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from assistance.models import DividendContract, Enterprise
from households import services as household_services
from households.models import CountyIncome, HouseholdIncome
from reporting import services as report_services
from reporting.models import ReportRun
from tests import factories as f
from tests.reporting_helpers import exported, pdf_text

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def staff(client, world):
    client.force_login(world.profiles.staff.user)
    return client


def _contract(staff, world, name="林香园茶叶专业合作社"):
    staff.post(
        reverse("registers:enterprise_create"),
        {"township": world.township.pk, "name": name, "kind": "cooperative", "industry": "茶叶"},
    )
    enterprise = Enterprise.objects.get(name=name)
    staff.post(
        reverse("registers:contract_create", args=[enterprise.pk]),
        {
            "card_number": world.households.own.card_number,
            "basis": "fund_shares",
            "invested": "5000",
            "annual_dividend": "1200",
            "signed_on": "2025-02-01",
            "start_year": "2025",
            "end_year": "2027",
        },
    )
    return DividendContract.objects.get(enterprise=enterprise)


@time_machine.travel(datetime.datetime(2025, 12, 30, 12, tzinfo=datetime.UTC), tick=False)
def test_a_dividend_contract_becomes_property_income_and_lifts_the_household_above_the_line(
    staff, world
):
    f.PovertyLineFactory(year=2025, amount="4000")
    hh = world.households.own
    income = hh.incomes.get(year=2025)
    household_services.income_save(
        user=world.profiles.staff.user,
        household=hh,
        income=income,
        fields={"wage_income": D("11000"), "members_count": 3},
    )
    card = reverse("households:detail", args=[hh.pk])
    before = {c.key: c.state for c in staff.get(card).context["eligibility"]}
    contract = _contract(staff, world)
    assert contract.household == hh

    pay = reverse("registers:dividend_pay", args=[contract.pk])
    outside = staff.post(
        pay, {"year": "2024", "paid_on": "2025-01-05", "amount": "1200", "voucher": "FH-0"}
    )
    assert "协议分红年度为 2025 至 2027 年" in outside.content.decode()
    staff.post(pay, {"year": "2025", "paid_on": "2025-12-20", "amount": "1200", "voucher": "FH-1"})

    income.refresh_from_db()
    assert (income.property_income, income.property_dividends) == (D("1200.00"), D("1200.00"))
    assert income.per_capita_net_income == D("4066.67")
    page = staff.get(card)
    after = {c.key: c.state for c in page.context["eligibility"]}
    assert (before["income"], after["income"]) == ("not_met", "met")
    assert "4066.67 &gt; 4000.00" in page.content.decode()

    # Editing the year's income keeps the dividends and changes the rest of property income.
    staff.post(
        reverse("households:income_edit", args=[hh.pk, 2025]),
        {
            "year": "2025",
            "members_count": "3",
            "wage_income": "11000",
            "business_income": "0",
            "property_other": "300",
            "transfer_dibao": "0",
            "transfer_pension": "0",
            "transfer_ecological": "0",
            "transfer_dividends": "0",
            "transfer_other": "0",
            "production_cost": "0",
        },
    )
    income.refresh_from_db()
    assert (income.property_income, income.property_dividends) == (D("1500.00"), D("1200.00"))


def test_the_exit_report_states_the_dividends_and_income_growth_against_the_county(staff, world):
    hh = world.households.own
    f.IncomeFactory(household=hh, year=2024, members_count=3, wage_income=D("9000"))
    for other in (world.households.colleague, world.households.neighbour):
        f.IncomeFactory(household=other, year=2024, members_count=3)
    HouseholdIncome.objects.filter(household=hh, year=2025).update(wage_income=D("10800"))
    CountyIncome.objects.create(county=world.counties[0], year=2024, per_capita=D("10000"))
    CountyIncome.objects.create(county=world.counties[0], year=2025, per_capita=D("10500"))
    contract = _contract(staff, world)
    staff.post(
        reverse("registers:dividend_pay", args=[contract.pk]),
        {"year": "2025", "paid_on": "2025-07-01", "amount": "1200", "voucher": "FH-1"},
    )
    run = ReportRun.objects.create(
        kind="exit",
        year=2025,
        as_of=datetime.date(2025, 12, 31),
        township=world.township,
        scope_key=report_services.scope_key(township=world.township),
    )
    report_services.report_build(run_id=run.pk)
    run.refresh_from_db()
    text = pdf_text(run.file.path)
    assert "资产收益分红 签约 1 户，已分红 1 户，当年分红 1,200 元" in text
    # Three registered households of three people: 9,000 yuan in 2024 (1,000.00 a person),
    # 10,800 + 1,200 dividends in 2025 (1,333.33): +33.3%, against the county's +5.0%.
    figures = run.figures["income_growth"]
    assert (figures["previous"], figures["per_capita"]) == ("1000.00", "1333.33")
    assert (figures["growth"], figures["county_growth"]) == ("33.3", "5.0")
    assert figures["outgrows"] == "True"
    assert "增速高于全县平均水平" in text


def test_the_dividends_kept_on_the_income_are_rebuilt_from_the_payments(staff, world):
    contract = _contract(staff, world)
    staff.post(
        reverse("registers:dividend_pay", args=[contract.pk]),
        {"year": "2025", "paid_on": "2025-07-01", "amount": "600", "voucher": "FH-1"},
    )
    income = world.households.own.incomes.get(year=2025)
    HouseholdIncome.objects.filter(pk=income.pk).update(property_dividends=0, property_income=0)
    call_command("rebuild_contract_dividends")
    income.refresh_from_db()
    assert (income.property_income, income.property_dividends) == (D("600.00"), D("600.00"))


def test_the_dividend_export_keeps_user_text_from_becoming_a_formula(staff, world):
    _contract(staff, world, name='=HYPERLINK("http://x","点我")')
    book = load_workbook(io.BytesIO(exported(staff, reverse("reporting:export_dividends")).content))
    row = list(book.active[2])
    # The text is kept as it was typed, stored as text that no spreadsheet calculates.
    assert row[0].value == '=HYPERLINK("http://x","点我")'
    assert (row[0].data_type, row[0].quotePrefix) == ("s", True)
    assert row[2].value == world.households.own.card_number
