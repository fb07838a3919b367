"""Assistance pages through the HTTP client: what each action does and refuses."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from assistance import register_selectors as rs
from assistance.models import LedgerEntry, PlanItem, Project, ProjectStageChange
from households.models import Pairing
from tests import factories as f

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def staff(client, world):
    client.force_login(world.profiles.staff.user)
    return client


def test_reassigning_a_household_ends_the_old_pairing_and_keeps_it(staff, world):
    hh = world.households.own
    response = staff.post(
        reverse("assistance:pair", args=[hh.pk]),
        {"cadre": world.profiles.cadre2.pk, "start_date": "2025-07-01", "reason": "工作调整"},
    )
    assert response.status_code == 302
    pairings = list(hh.pairings.order_by("start_date"))
    assert [(p.cadre.name, p.end_date) for p in pairings] == [
        (world.profiles.cadre.name, datetime.date(2025, 7, 1)),
        (world.profiles.cadre2.name, None),
    ]
    assert pairings[0].history.latest().history_user == world.profiles.staff.user


def test_bulk_reassignment_moves_all_of_a_leaving_cadres_households_at_once(staff, world):
    cadre2 = world.profiles.cadre2
    url = reverse("assistance:reassign", args=[cadre2.pk])
    households = [world.households.colleague.pk, world.households.neighbour.pk]
    response = staff.post(
        url,
        {
            "to_cadre": world.profiles.cadre.pk,
            "households": households,
            "start_date": "2025-08-01",
            "reason": "调离",
        },
    )
    assert response.status_code == 302
    assert not Pairing.objects.current().filter(cadre=cadre2).exists()
    assert Pairing.objects.current().filter(cadre=world.profiles.cadre).count() == 3


def test_the_workload_counts_households_and_overdue_visits(staff, world):
    f.VisitFactory(household=world.households.colleague, visited_on=datetime.date.today())
    cadres = {
        c.name: (c.households, c.overdue)
        for c in staff.get(reverse("assistance:workload")).context["cadres"]
    }
    assert cadres[world.profiles.cadre.name] == (1, 1)
    assert cadres[world.profiles.cadre2.name] == (2, 1)


def _workload_row(html: str, name: str) -> str:
    start = html.index(f"<tr><td>{name}</td>")
    return html[start : html.index("</tr>", start)]


def test_each_workload_row_links_the_cadres_households_and_escapes_what_it_shows(client, world):
    township = world.profiles.staff.township
    idle = f.ProfileFactory(name="闲<b>置</b>", township=township, unit="", phone="")
    busy = f.ProfileFactory(
        name="忙碌", township=township, unit="农业&服务中心", phone="13800000001"
    )
    f.PairingFactory(household=f.HouseholdFactory(village=world.villages.a1), cadre=busy)
    visited = f.HouseholdFactory(village=world.villages.a1)
    f.PairingFactory(household=visited, cadre=busy)
    f.VisitFactory(household=visited, visited_on=datetime.date.today())
    client.force_login(world.profiles.staff.user)
    html = client.get(reverse("assistance:workload"), {"q": ""}).content.decode()
    idle_row = _workload_row(html, "闲&lt;b&gt;置&lt;/b&gt;")
    assert "<td></td><td></td>" in idle_row and "tel:" not in idle_row
    assert f'?cadre={idle.pk}">0</a>' in idle_row
    assert '<td class="text-end ">0</td>' in idle_row
    assert reverse("assistance:reassign", args=[idle.pk]) not in idle_row
    busy_row = _workload_row(html, "忙碌")
    assert "<td>农业&amp;服务中心</td>" in busy_row
    assert '<a href="tel:13800000001">13800000001</a>' in busy_row
    assert f'href="{reverse("households:list")}?cadre={busy.pk}">2</a>' in busy_row
    assert '<td class="text-end text-danger fw-bold">1</td>' in busy_row
    assert f'href="{reverse("assistance:reassign", args=[busy.pk])}"' in busy_row


def test_the_workload_lists_a_county_s_cadres_a_page_at_a_time_found_by_name_and_township(
    client, world
):
    from assistance.views.pairings import WORKLOAD_PAGE_SIZE

    township_a = world.profiles.staff.township
    for n in range(WORKLOAD_PAGE_SIZE + 5):
        f.ProfileFactory(name=f"甲{n:03d}", township=township_a)
    client.force_login(world.profiles.county.user)
    url = reverse("assistance:workload")

    first = client.get(url)
    assert len(first.context["cadres"]) == WORKLOAD_PAGE_SIZE
    assert first.context["page"].paginator.count == WORKLOAD_PAGE_SIZE + 5 + 2
    second = client.get(url, {"page": 2})
    names = {c.name for c in first.context["cadres"]} | {c.name for c in second.context["cadres"]}
    assert len(names) == WORKLOAD_PAGE_SIZE + 5 + 2  # every cadre once, on one page or the other
    assert world.profiles.cadre_b.name not in names  # another county's cadre is not listed

    found = client.get(url, {"q": world.profiles.cadre2.name})
    assert [(c.name, c.households) for c in found.context["cadres"]] == [
        (world.profiles.cadre2.name, 2)
    ]
    other = f.TownshipFactory(county=township_a.county, name="龙井乡", code="520399300000")
    f.ProfileFactory(name="乙001", township=other)
    in_other = client.get(url, {"township": other.pk})
    assert [c.name for c in in_other.context["cadres"]] == ["乙001"]
    assert "乙001" in in_other.content.decode()


def test_a_cadre_from_elsewhere_is_listed_once_paired_in_the_scope(staff, world):
    """The cadres paired into a scope from elsewhere (a county unit's) are kept with the
    figures: a new pairing shows them at once, and a pairing elsewhere does not."""
    url = reverse("assistance:workload")
    outsider = f.ProfileFactory(name="县直干部", township=None)

    def listed() -> set[str]:
        return {c.name for c in staff.get(url).context["cadres"]}

    assert "县直干部" not in listed()
    f.PairingFactory(  # a household of another county
        household=world.households.outsider,
        cadre=outsider,
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 12, 31),
    )
    assert "县直干部" not in listed()
    f.PairingFactory(
        household=world.households.neighbour,
        cadre=outsider,
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 12, 31),
    )
    assert "县直干部" in listed()
    # ... and it may be chosen for a household of the scope.
    page = staff.get(reverse("assistance:pair", args=[world.households.own.pk])).content
    assert "县直干部" in page.decode()


def test_plan_progress_counts_done_due_and_overdue_items(client, world):
    plan = world.households.own.plan
    PlanItem.objects.filter(plan=plan).update(
        due_date=datetime.date.today() - datetime.timedelta(days=1)
    )
    f.PlanItemFactory(plan=plan, due_date=datetime.date.today() + datetime.timedelta(days=30))
    done = f.PlanItemFactory(plan=plan, planned_amount=D("500"))
    client.force_login(world.profiles.cadre.user)
    response = client.post(
        reverse("assistance:item_deliver", args=[done.pk]),
        {
            "delivered_on": datetime.date.today().isoformat(),
            "amount": "500",
            "quantity": "",
            "note": "",
            "completes": "on",
        },
    )
    assert response.status_code == 302
    progress = client.get(reverse("assistance:plan", args=[plan.pk])).context["progress"]
    assert (progress.done, progress.due, progress.overdue) == (1, 1, 1)
    assert (progress.planned, progress.delivered) == (D("2500.00"), D("500.00"))
    card = client.get(reverse("households:detail", args=[world.households.own.pk]))
    assert card.context["plans"][0][1].overdue == 1


def test_the_card_shows_each_plans_progress_as_its_page_does_in_the_same_queries(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    own = world.households.own
    client.force_login(world.profiles.cadre.user)
    url = reverse("households:detail", args=[own.pk])
    client.get(url)  # the session's first write and the figures kept
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    one_plan = len(queries)  # read now: the next request empties the log
    older = f.PlanFactory(household=own, year=own.plan.year - 1, cadre=world.profiles.cadre)
    today = datetime.date.today()
    f.PlanItemFactory(plan=older, due_date=today - datetime.timedelta(days=3))
    f.PlanItemFactory(plan=older, status="cancelled", closed_on=today, cancel_reason="外出")
    paid = f.PlanItemFactory(
        plan=older, planned_amount=D("300"), due_date=today + datetime.timedelta(days=30)
    )
    client.post(
        reverse("assistance:item_deliver", args=[paid.pk]),
        {"delivered_on": today.isoformat(), "amount": "120", "quantity": "", "note": ""},
    )
    client.get(url)  # the figures the writes dropped, kept again
    with CaptureQueriesContext(connection) as queries:
        card = client.get(url)
    two_plans = len(queries)
    shown = [(plan.pk, progress) for plan, progress in card.context["plans"]]
    assert [pk for pk, _progress in shown] == [own.plan.pk, older.pk]
    for pk, progress in shown:
        page = client.get(reverse("assistance:plan", args=[pk])).context["progress"]
        fields = ("done", "due", "overdue", "cancelled", "planned", "delivered")
        assert [getattr(progress, n) for n in fields] == [getattr(page, n) for n in fields]
    assert (shown[1][1].overdue, shown[1][1].cancelled, shown[1][1].delivered) == (
        1,
        1,
        D("120.00"),
    )
    assert two_plans == one_plan


def test_a_delivery_needs_an_amount_or_a_quantity_and_a_cancellation_a_reason(client, world):
    item = world.households.own.item
    client.force_login(world.profiles.cadre.user)
    response = client.post(
        reverse("assistance:item_deliver", args=[item.pk]),
        {"delivered_on": "2025-03-01", "amount": "0", "quantity": ""},
    )
    assert response.status_code == 200 and not item.deliveries.exists()
    response = client.post(reverse("assistance:item_cancel", args=[item.pk]), {"reason": ""})
    assert response.status_code == 200
    client.post(reverse("assistance:item_cancel", args=[item.pk]), {"reason": "农户已外出务工"})
    item.refresh_from_db()
    assert (item.status, item.cancel_reason) == ("cancelled", "农户已外出务工")


def test_measures_are_suggested_from_the_causes_of_poverty(client, world):
    f.CauseFactory(household=world.households.own, cause="schooling")
    client.force_login(world.profiles.cadre.user)
    response = client.get(reverse("assistance:plan", args=[world.households.own.plan.pk]))
    assert [k.code for k in response.context["suggested"]] == ["education"]


def test_a_project_moves_through_its_stages_with_who_and_when(staff, world):
    project = world.projects.a
    for _ in range(3):
        staff.post(reverse("assistance:project_advance", args=[project.pk]))
    project.refresh_from_db()
    assert project.stage == Project.Stage.ACCEPTED
    assert list(
        ProjectStageChange.objects.filter(project=project)
        .order_by("pk")
        .values_list("stage", flat=True)
    ) == ["approved", "in_progress", "accepted"]
    staff.post(reverse("assistance:project_advance", args=[project.pk]))
    assert ProjectStageChange.objects.filter(project=project).count() == 3


def test_an_over_allocation_through_the_page_shows_the_refusal_and_saves_nothing(staff, world):
    fund = world.funds.a
    response = staff.post(
        reverse("assistance:entry_create", args=[fund.pk]),
        {
            "kind": "allocation",
            "voucher": "A1",
            "entry_date": "2025-03-01",
            "amount": "10000.01",
            "purpose": "通组公路",
            "project": world.projects.a.pk,
        },
    )
    assert response.status_code == 200
    assert "10000" in response.content.decode()
    assert not LedgerEntry.objects.filter(kind="allocation").exists()


def test_an_allocation_to_a_household_measure_is_found_by_search_among_the_funds_items(
    staff, world
):
    fund = world.funds.a
    items = [
        f.PlanItemFactory(plan=world.households.own.plan, description=f"鸡苗第{n}批")
        for n in range(rs.ITEMS_SHOWN + 3)
    ]
    outside = f.PlanItemFactory(plan=world.households.outsider.plan, description="外镇鸡苗")
    page = staff.get(reverse("assistance:entry_create", args=[fund.pk])).content.decode()
    plan_items = re.search(r'<select name="plan_item".*?</select>', page, re.S).group(0)
    offered = re.findall(r'<option value="(\d+)"', plan_items)
    assert len(offered) == rs.ITEMS_SHOWN
    search = reverse("assistance:entry_item_options", args=[fund.pk])
    assert f'hx-get="{search}"' in page

    last = next(item for item in items if str(item.pk) not in offered)
    found = staff.get(search, {"q": last.description}).content.decode()
    assert re.findall(r'<option value="(\d+)"', found) == [str(last.pk)]
    assert "外镇" not in staff.get(search, {"q": "鸡苗"}).content.decode()
    assert (
        staff.get(reverse("assistance:entry_item_options", args=[world.funds.b.pk])).status_code
        == 404
    )

    fields = {"kind": "allocation", "entry_date": "2025-03-01", "amount": "100", "purpose": "鸡苗"}
    create = reverse("assistance:entry_create", args=[fund.pk])
    response = staff.post(create, {"voucher": "A8", "plan_item": outside.pk, **fields})
    assert "plan_item" in response.context["form"].errors
    response = staff.post(create, {"voucher": "A9", "plan_item": last.pk, **fields})
    assert response.status_code == 302
    assert LedgerEntry.objects.get(voucher="A9").plan_item == last


def test_a_negative_amount_is_refused_with_a_message(staff, world):
    response = staff.post(
        reverse("assistance:entry_create", args=[world.funds.a.pk]),
        {
            "kind": "receipt",
            "voucher": "R9",
            "entry_date": "2025-03-01",
            "amount": "-5",
            "purpose": "x",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["amount"]
    assert not LedgerEntry.objects.filter(voucher="R9").exists()


def test_a_reversal_through_the_page_restores_the_balance(staff, world):
    fund = world.funds.a
    staff.post(
        reverse("assistance:entry_create", args=[fund.pk]),
        {
            "kind": "allocation",
            "voucher": "A1",
            "entry_date": "2025-03-01",
            "amount": "4000",
            "purpose": "通组公路",
            "project": world.projects.a.pk,
        },
    )
    allocation = LedgerEntry.objects.get(voucher="A1")
    staff.post(
        reverse("assistance:entry_reverse", args=[allocation.pk]),
        {"voucher": "V1", "entry_date": "2025-03-02", "reason": "项目调整"},
    )
    balance = staff.get(reverse("assistance:fund", args=[fund.pk])).context["balance"]
    assert balance.unallocated == D("10000.00")


def test_the_reconciliation_adds_up(staff, world):
    fund = world.funds.a
    staff.post(
        reverse("assistance:entry_create", args=[fund.pk]),
        {
            "kind": "allocation",
            "voucher": "A1",
            "entry_date": "2025-03-01",
            "amount": "4000",
            "purpose": "p",
            "project": world.projects.a.pk,
        },
    )
    allocation = LedgerEntry.objects.get(voucher="A1")
    staff.post(
        reverse("assistance:entry_create", args=[fund.pk]),
        {
            "kind": "disbursement",
            "voucher": "D1",
            "entry_date": "2025-06-01",
            "amount": "1500",
            "purpose": "p",
            "allocation": allocation.pk,
        },
    )
    rec = staff.get(
        reverse("assistance:fund", args=[fund.pk]), {"start": "2025-03-01", "end": "2025-12-31"}
    ).context["reconciliation"]
    assert (rec.opening, rec.increases, rec.decreases, rec.closing) == (
        D("10000"),
        D("0"),
        D("1500"),
        D("8500"),
    )
    project = staff.get(reverse("assistance:project", args=[world.projects.a.pk])).context[
        "reconciliation"
    ]
    assert (project.opening, project.increases, project.decreases, project.closing) == (
        D("0"),
        D("4000"),
        D("1500"),
        D("2500"),
    )


def test_no_page_edits_or_deletes_a_ledger_entry(client, world):
    entry = world.funds.a.receipt
    client.force_login(world.superuser)
    change = reverse("admin:assistance_ledgerentry_change", args=[entry.pk])
    delete = reverse("admin:assistance_ledgerentry_delete", args=[entry.pk])
    client.post(change, {"amount": "1", "voucher": "X"})
    assert client.post(delete, {"post": "yes"}).status_code in (302, 403)
    entry.refresh_from_db()
    assert (entry.amount, entry.voucher) == (D("10000.00"), "R1")
    assert client.get(reverse("admin:assistance_ledgerentry_add")).status_code == 403


def test_a_loan_has_a_quarterly_schedule_and_an_overdue_flag(staff, world):
    loan = world.households.own.loan
    assert loan.repayments.count() == 12
    assert loan.repayments.order_by("due_date").last().principal_due == D("50000.00")
    listed = {x.pk: x.overdue for x in staff.get(reverse("assistance:loans")).context["loans"]}
    assert listed[loan.pk] is True  # the first quarter fell due in April 2025, unpaid


def test_notices_mask_id_numbers_and_last_at_least_ten_days(staff, world):
    hh = world.households.own
    staff.post(
        reverse("assistance:beneficiary_add", args=[world.projects.a.pk]),
        {"card_number": hh.card_number, "how": "道路通到家门口"},
    )
    url = reverse("assistance:project_notice", args=[world.projects.a.pk])
    page = staff.get(
        url, {"posted_from": "2025-05-01", "days": "10", "contact": "0851-1234567"}
    ).content.decode()
    head = hh.members.get(relation="head").id_number
    assert head not in page and f"{head[:4]}**********{head[-4:]}" in page
    assert "0851-1234567" in page
    short = staff.get(url, {"posted_from": "2025-05-01", "days": "5"})
    assert short.context["form"].errors["days"]
    loans = staff.get(
        reverse("assistance:loan_notice", args=[world.villages.a1.pk])
    ).content.decode()
    assert head not in loans and "50000.00" in loans


def test_funds_are_listed_a_page_at_a_time_each_with_its_own_balance(client, world):
    from assistance import ledger

    township = world.funds.a.township
    for n in range(25):
        fund = f.FundFactory(township=township, year=2020, name=f"旧资金{n:02d}")
        ledger.ledger_receive(
            fund=fund,
            amount=Decimal(100 + n),
            voucher=f"V{n}",
            entry_date=datetime.date(2020, 3, 1),
            purpose="拨入",
            user=world.profiles.staff.user,
        )
    client.force_login(world.profiles.staff.user)
    first = client.get(reverse("assistance:funds"))
    funds = first.context["page"].paginator.count
    assert funds > 25 and len(first.context["funds"]) == 25
    last = client.get(
        reverse("assistance:funds"), {"page": first.context["page"].paginator.num_pages}
    )
    shown = {fund.name: fund.received for fund in last.context["funds"]}
    assert shown["旧资金24"] == Decimal("124")  # the oldest year, the last name: the last page


def test_each_fund_on_the_list_shows_the_ledgers_balance(client, world):
    """The list sums a page's entries in SQL; the fund's page asks the ledger: they agree,
    reversals netted, for every fund shown."""
    from assistance import ledger

    fund, user = world.funds.a, world.profiles.staff.user
    project = f.ProjectFactory(township=fund.township, budget=Decimal("50000"))
    day = datetime.date(2025, 3, 1)
    allocation = ledger.ledger_allocate(
        fund=fund,
        amount=Decimal("6000"),
        voucher="A1",
        entry_date=day,
        purpose="项目",
        user=user,
        project=project,
    )
    paid, _kept = (
        ledger.ledger_disburse(
            allocation=allocation,
            amount=Decimal(amount),
            voucher=voucher,
            entry_date=day,
            purpose="进度款",
            user=user,
        )
        for amount, voucher in (("2500", "D1"), ("1000", "D2"))
    )
    ledger.ledger_reverse(entry=paid, voucher="X1", entry_date=day, reason="错付", user=user)
    client.force_login(user)
    listed = client.get(reverse("assistance:funds")).context["funds"]
    assert listed
    for shown in listed:
        balance = ledger.fund_balance(shown)
        assert (shown.received, shown.allocated, shown.disbursed, shown.in_hand) == (
            balance.received,
            balance.allocated,
            balance.disbursed,
            balance.in_hand,
        )
    (row,) = [shown for shown in listed if shown.pk == fund.pk]
    assert (row.allocated, row.disbursed, row.unallocated) == (
        Decimal("6000"),
        Decimal("1000"),
        Decimal("4000"),
    )
