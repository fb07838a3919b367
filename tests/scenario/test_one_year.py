"""One whole year of a small township, built through the services on the days things happen,
and every page and report checked against figures worked out by hand.

新田镇, two registered poor villages, five households, two cadres, 2025:

- 张一 (新田村, 3 people) meets every criterion; its exit case is announced on 20 September.
- 李二 (新田村, 2 people) stays poor: income 3,000 a head against a line of 4,000, and a
  13-year-old who dropped out of school. Paired with cadre 甲, reassigned to 乙 on 1 July.
- 王三 (石门村, 3 people) lives in a D-grade house; a leader overrides, exit on 10 November.
- 赵四 (石门村, 2 people) left poverty in 2019, entered from the county's records; an
  illness on 5 August makes it a monitored household.
- 孙五 (新田村, 2 people) applies on 1 March; identification announced on 20 May.

Plans: 张一 chicks 1,500 (due 31 March, delivered 20 March) and training (due 30 September,
held 10 September); 李二 housing subsidy 20,000 (due 15 June, 8,000 paid 15 August, still
open); 王三 industry support 2,000 (due 31 May, 2,500 delivered 20 May). The county fund
receives 100,000 (20 January) and 5,000 in error (1 March, reversed 5 March), allocates 20,000
to 李二's subsidy, pays 8,000 (15 August) and 500 by mistake (20 August, reversed 25 August).

Hand-worked figures, each as of its own day:

| | 31 Jan | 30 Jun | 31 Dec |
|---|---|---|---|
| households in the register | 4 | 5 | 5 |
| people | 10 | 12 | 12 |
| measures done / overdue | 0 / 0 | 2 / 1 | 3 / 1 |
| delivered (yuan) | 0.00 | 4000.00 | 12000.00 |
| 李二's cadre | 甲 | 甲 | 乙 |
| fund in hand: opening + receipts − disbursements | 0+100000−0 | 0+100000−0 | 0+100000−8000 |
| 新田村 incidence (poor people / 200) | 2.50 | 3.50 | 2.00 |

Exits of 2025: 2 households, 6 people (target 2 households, 6 people), one with an override;
remaining on 31 December: 李二 and 孙五. 新田村 may exit (2.00 % < 3 %, 60,000 yuan); 石门村
may not (30,000 yuan collective income).
"""

import contextlib
import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assistance import ledger
from assistance import services as assistance
from assistance.models import Fund, MeasureKind
from households import policy_data, services, workflows
from households.models import Hardship, Household, Member
from households.monitoring import monitoring_refresh
from reporting import services as reports
from reporting.models import ReportRun
from tests import factories as f
from tests.pages import village_exit_rows
from tests.reporting_helpers import pdf_text
from township.models import County, StaffProfile, Township, Village

pytestmark = pytest.mark.django_db
D = Decimal
Role = StaffProfile.Role


@contextlib.contextmanager
def on(day: datetime.date, hour: int = 10):
    """Run the block as if it were ``day``: every record and its history carry that time."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    with time_machine.travel(moment, tick=False):
        yield


def member(name, born: str, relation, *, sex="M", n=0, **fields) -> services.MemberRow:
    from township.validators import id_check_char

    seq = n * 2 + (1 if sex == "M" else 0)
    first17 = f"520399{born}{seq:03d}"
    data = {
        "name": name,
        "id_number": first17 + id_check_char(first17),
        "sex": sex,
        "relation": relation,
        "ethnicity": "汉族",
        "education": "primary",
        "schooling": "not_in_school",
        "health": "healthy",
        "disability_grade": None,
        "labour": "normal",
        "migrant_months": 0,
        "skills": "",
        "medical_insurance": True,
        "pension_insurance": False,
        "is_active": True,
        "left_on": None,
        "left_reason": "",
    }
    data.update(fields)
    return services.MemberRow(None, data)


def card(village, *, housing="safe", **extra) -> dict:
    return {
        "village": village,
        "group_name": "一组",
        "address": "",
        "phone": "",
        "bank_name": "",
        "bank_account": "",
        "attribute": "general",
        "year_identified": 2016,
        "housing": housing,
        "no_worry_food": True,
        "no_worry_clothing": True,
        "water_safe": True,
        "road_distance_km": D("1"),
        "farmland_mu": D("2"),
        "forest_mu": D("0"),
        **extra,
    }


def income(user, household, year, wage, members):
    services.income_save(
        user=user,
        household=household,
        income=None,
        fields={
            "year": year,
            "members_count": members,
            "wage_income": D(wage),
            "business_income": D("0"),
            "property_income": D("0"),
            "transfer_income": D("0"),
            "production_cost": D("0"),
        },
    )


def walk_exit(case, *, team, staff, county, start: datetime.date, cadre):
    """Every step of an exit case, the notice recorded as posted on ``start`` (up for 7
    days by the server's clock); announced 8 days later."""
    with on(start):
        workflows.workflow_advance(case=case, user=cadre, comment="评估")
        workflows.workflow_advance(
            case=case, user=team, data={"date": start, "attendance": 30, "result": "pass"}
        )
        workflows.workflow_advance(case=case, user=team)  # the notice goes up
    day = start + datetime.timedelta(days=8)
    with on(day):
        letter = SimpleUploadedFile("letter.png", f.png_bytes(), content_type="image/png")
        workflows.workflow_advance(case=case, user=cadre, document=letter)
        workflows.workflow_advance(case=case, user=staff)
        workflows.workflow_advance(case=case, user=county)
        return workflows.workflow_advance(case=case, user=staff)


@pytest.fixture
def year(db):
    """The township's 2025, event by event."""
    with on(datetime.date(2025, 1, 2)):
        county = County.objects.create(name="青山县", code="520399000000")
        township = Township.objects.create(county=county, name="新田镇", code="520399100000")
        v1 = Village.objects.create(township=township, name="新田村", code="520399100201")
        v2 = Village.objects.create(township=township, name="石门村", code="520399100202")

        def person(username, name, role, **place):
            user = get_user_model().objects.create_user(username, password="pw")
            StaffProfile.objects.create(user=user, name=name, role=role, **place)
            return user

        staff = person("staff", "李干事", Role.TOWNSHIP_STAFF, township=township)
        leader = person("leader", "张书记", Role.LEADER, township=township)
        team = person("team", "王书记", Role.VILLAGE_TEAM, village=v1)
        county_admin = person("county", "罗主任", Role.COUNTY_ADMIN, county=county)
        cadre_a = person("cadre_a", "陈甲", Role.CADRE, township=township)
        cadre_b = person("cadre_b", "刘乙", Role.CADRE, township=township)
        # The year's policy figures, kept by the county and the township on their pages.
        policy_data.poverty_line_save(
            user=county_admin,
            year=2025,
            amount=D("4000"),
            monitoring_line=D("6000"),
            exit_incidence_threshold=D("3"),
            village_collective_income=D("50000"),
        )
        policy_data.township_year_save(
            user=staff, township=township, year=2025, exit_target=2, exit_target_people=6
        )
        for village, population, collective in ((v1, 200, "60000"), (v2, 100, "30000")):
            policy_data.village_year_save(
                user=staff,
                village=village,
                year=2025,
                rural_population=population,
                is_poor_village=True,
                exit_year=None,
                collective_income=D(collective),
            )
    users = SimpleNamespace(
        staff=staff, leader=leader, team=team, county=county_admin, a=cadre_a, b=cadre_b
    )

    with on(datetime.date(2025, 1, 5)):
        h1 = services.household_create(
            user=staff,
            fields=card(v1),
            main_cause="illness",
            other_causes=[],
            members=[
                member("张一", "19800305", "head", n=1),
                member("刘花", "19820611", "spouse", sex="F", n=2),
                member("张小", "20150402", "son", n=3, schooling="primary"),
            ],
        )
        h2 = services.household_create(
            user=staff,
            fields=card(v1),
            main_cause="schooling",
            other_causes=[],
            members=[
                member("李二", "19750101", "head", n=4),
                member("李小", "20120310", "daughter", sex="F", n=5, schooling="dropped_out"),
            ],
        )
        h3 = services.household_create(
            user=staff,
            fields=card(v2, housing="dilapidated_d"),
            main_cause="disaster",
            other_causes=[],
            members=[
                member("王三", "19700707", "head", n=6),
                member("周梅", "19720808", "spouse", sex="F", n=7),
                member("王父", "19450909", "parent", n=8),
            ],
        )
        h4 = services.household_create(
            user=staff,
            fields=card(v2),
            main_cause="labour",
            other_causes=[],
            members=[
                member("赵四", "19660606", "head", n=9),
                member("钱芳", "19680303", "spouse", sex="F", n=10),
            ],
            status="exited",
            exited_on=datetime.date(2019, 12, 31),
            exit_note="2019年度脱贫，县扶贫办批复",
        )
    kinds = {k.code: k for k in MeasureKind.objects.all()}

    def pair(household, cadre, day):
        assistance.pairing_assign(
            household=household, cadre=cadre.profile, start_date=day, reason="结对帮扶", user=staff
        )

    def visit(user, household, day):
        services.visit_log(
            user=user,
            household=household,
            fields={"visited_on": day, "findings": "了解情况"},
            photos=[],
            client_token=None,
        )

    def deliver(item, day, amount, user, *, completes, quantity="", beyond_plan=False):
        assistance.plan_item_deliver(
            beyond_plan=beyond_plan,
            item=item,
            delivered_on=day,
            amount=D(amount),
            quantity=quantity,
            note="",
            evidence=None,
            completes=completes,
            user=user,
        )

    with on(datetime.date(2025, 1, 10)):
        for household, cadre in ((h1, cadre_a), (h2, cadre_a), (h3, cadre_b), (h4, cadre_b)):
            pair(household, cadre, datetime.date(2025, 1, 10))
    with on(datetime.date(2025, 1, 15)):
        plans = {}
        for household, cadre in ((h1, cadre_a), (h2, cadre_a), (h3, cadre_b)):
            plans[household.pk] = assistance.plan_create(
                household=household,
                year=2025,
                cadre=cadre.profile,
                target_income=D("5000"),
                required_visits=12,
                user=staff,
            )

        def item(household, kind, text, amount, due, cadre):
            return assistance.plan_item_add(
                plan=plans[household.pk],
                kind=kinds[kind],
                description=text,
                planned_amount=D(amount),
                due_date=due,
                responsible=cadre.profile,
                user=staff,
            )

        chicks = item(h1, "industry", "发放鸡苗", "1500", datetime.date(2025, 3, 31), cadre_a)
        training = item(h1, "training", "技能培训", "0", datetime.date(2025, 9, 30), cadre_a)
        subsidy = item(h2, "housing", "危房改造补助", "20000", datetime.date(2025, 6, 15), cadre_a)
        industry = item(h3, "industry", "产业扶持", "2000", datetime.date(2025, 5, 31), cadre_b)
    fund = Fund.objects.create(
        township=township, name="县级财政专项扶贫资金", source="county", year=2025, purpose="到户"
    )
    with on(datetime.date(2025, 1, 20)):
        ledger.ledger_receive(
            fund=fund,
            amount=D("100000"),
            voucher="R1",
            entry_date=datetime.date(2025, 1, 20),
            purpose="县级拨入",
            user=staff,
        )
        visit(cadre_a, h1, datetime.date(2025, 1, 20))
    with on(datetime.date(2025, 2, 1)):
        allocation = ledger.ledger_allocate(
            fund=fund,
            amount=D("20000"),
            voucher="A1",
            entry_date=datetime.date(2025, 2, 1),
            purpose="李二危房改造",
            user=staff,
            plan_item=subsidy,
        )
    with on(datetime.date(2025, 2, 10)):
        visit(cadre_a, h2, datetime.date(2025, 2, 10))
    with on(datetime.date(2025, 3, 1)):
        wrong = ledger.ledger_receive(
            fund=fund,
            amount=D("5000"),
            voucher="R2",
            entry_date=datetime.date(2025, 3, 1),
            purpose="误入",
            user=staff,
        )
        h5 = services.household_create(
            user=staff,
            fields=card(v1, year_identified=2025),
            main_cause="illness",
            other_causes=[],
            members=[
                member("孙五", "19900101", "head", n=11),
                member("孙母", "19600202", "parent", sex="F", n=12),
            ],
            status="applicant",
        )
        case = workflows.workflow_start(household=h5, kind="identification", user=team)
        workflows.workflow_advance(case=case, user=team)
    with on(datetime.date(2025, 3, 5)):
        ledger.ledger_reverse(
            entry=wrong,
            voucher="V2",
            entry_date=datetime.date(2025, 3, 5),
            reason="误入冲销",
            user=staff,
        )
    with on(datetime.date(2025, 3, 20)):
        deliver(chicks, datetime.date(2025, 3, 20), "1500", cadre_a, completes=True)
    with on(datetime.date(2025, 4, 1)):
        day = datetime.date(2025, 4, 1)
        workflows.workflow_advance(
            case=case, user=team, data={"date": day, "attendance": 28, "result": "pass"}
        )
        workflows.workflow_advance(case=case, user=team)  # first notice, up until 8 April
    with on(datetime.date(2025, 4, 10)):
        workflows.workflow_advance(case=case, user=staff)
        workflows.workflow_advance(case=case, user=staff)  # second notice, until 17 April
    with on(datetime.date(2025, 5, 20)):
        day = datetime.date(2025, 5, 20)
        workflows.workflow_advance(case=case, user=county_admin)
        workflows.workflow_advance(case=case, user=staff)  # 孙五 registered
        deliver(industry, day, "2500", cadre_b, completes=True, beyond_plan=True)
    with on(datetime.date(2025, 5, 25)):
        pair(h5, cadre_b, datetime.date(2025, 5, 25))
    with on(datetime.date(2025, 6, 15)):
        visit(cadre_a, h1, datetime.date(2025, 6, 15))
    with on(datetime.date(2025, 7, 1)):
        pair(h2, cadre_b, datetime.date(2025, 7, 1))  # 李二 reassigned from 甲 to 乙
    with on(datetime.date(2025, 8, 5)):
        Hardship.objects.create(
            household=h4,
            kind="illness",
            occurred_on=datetime.date(2025, 8, 5),
            note="户主突发重病",
            recorded_by=cadre_b,
        )
        visit(cadre_b, h4, datetime.date(2025, 8, 5))
        monitoring_refresh(today=datetime.date(2025, 8, 5))
    with on(datetime.date(2025, 8, 15)):
        ledger.ledger_disburse(
            allocation=allocation,
            amount=D("8000"),
            voucher="D1",
            entry_date=datetime.date(2025, 8, 15),
            purpose="危房改造首付",
            user=staff,
        )
        deliver(subsidy, datetime.date(2025, 8, 15), "8000", staff, completes=False)
    with on(datetime.date(2025, 8, 20)):
        mistake = ledger.ledger_disburse(
            allocation=allocation,
            amount=D("500"),
            voucher="D2",
            entry_date=datetime.date(2025, 8, 20),
            purpose="重复支付",
            user=staff,
        )
    with on(datetime.date(2025, 8, 25)):
        ledger.ledger_reverse(
            entry=mistake,
            voucher="V1",
            entry_date=datetime.date(2025, 8, 25),
            reason="重复支付冲销",
            user=staff,
        )
    with on(datetime.date(2025, 8, 31)):
        income(staff, h1, 2025, "15000", 3)  # 5,000 a head
        income(staff, h2, 2025, "6000", 2)  # 3,000 a head: below the line
        income(staff, h3, 2025, "18000", 3)  # 6,000 a head
        income(staff, h4, 2025, "14000", 2)  # 7,000 a head
    with on(datetime.date(2025, 9, 10)):
        deliver(training, datetime.date(2025, 9, 10), "0", cadre_a, completes=True, quantity="3天")
    with on(datetime.date(2025, 9, 12)):
        exit1 = workflows.workflow_start(household=h1, kind="exit", user=team)
        walk_exit(
            exit1,
            team=team,
            staff=staff,
            county=county_admin,
            cadre=cadre_a,
            start=datetime.date(2025, 9, 12),
        )  # announced on 20 September
    with on(datetime.date(2025, 11, 2)):
        exit3 = workflows.workflow_start(
            household=h3,
            kind="exit",
            user=leader,
            override_reason="住房改造已开工，年内竣工",
        )
        walk_exit(
            exit3,
            team=team,
            staff=staff,
            county=county_admin,
            cadre=cadre_b,
            start=datetime.date(2025, 11, 2),
        )  # announced on 10 November
    return SimpleNamespace(
        township=township,
        villages=SimpleNamespace(v1=v1, v2=v2),
        users=users,
        households=SimpleNamespace(h1=h1, h2=h2, h3=h3, h4=h4, h5=h5),
        fund=fund,
        items=SimpleNamespace(subsidy=subsidy),
    )


def build(township, kind, as_of, capture, **place) -> ReportRun:
    """Request a report as the township's staff and let the (eager) task build it."""
    with capture(execute=True):
        run = reports.report_request(
            kind=kind,
            year=as_of.year,
            as_of=as_of,
            township=township,
            user=get_user_model().objects.get(username="staff"),
            **place,
        )
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    return run


def line_with(text: str, needle: str) -> str:
    return next(line for line in text.splitlines() if needle in line)


def criteria_states(context) -> dict[str, str]:
    return {c.key: c.state for c in context["eligibility"]}


def test_the_card_the_exit_gate_and_the_card_pdf_agree(
    client, year, django_capture_on_commit_callbacks
):
    h, u = year.households, year.users
    with on(datetime.date(2025, 12, 31)):
        client.force_login(u.staff)
        one = client.get(reverse("households:detail", args=[h.h1.pk])).context
        assert one["eligible"] is True
        two = client.get(reverse("households:detail", args=[h.h2.pk])).context
        assert {k for k, v in criteria_states(two).items() if v != "met"} == {"income", "schooling"}
        with pytest.raises(ValidationError):
            workflows.workflow_start(household=h.h2, kind="exit", user=u.team)
        three = client.get(reverse("households:detail", args=[h.h3.pk]))
        assert {k for k, v in criteria_states(three.context).items() if v != "met"} == {"housing"}
        assert "住房改造已开工，年内竣工" in three.content.decode()  # the override, on the card
        four = client.get(reverse("households:detail", args=[h.h4.pk])).context
        assert [(s.status, s.effective_on) for s in four["status_changes"]] == [
            ("exited", datetime.date(2019, 12, 31)),
            ("poor", datetime.date(2016, 1, 1)),
        ]
        # The card's PDF prints the same states, criterion by criterion.
        run = build(
            year.township,
            "cards",
            datetime.date(2025, 12, 31),
            django_capture_on_commit_callbacks,
            household=h.h2,
        )
        text = pdf_text(run.file.path)
        labels = {c.key: c.label for c in two["eligibility"]}
        for key, state in criteria_states(two).items():
            words = line_with(text, labels[key]).split()
            assert ("未达标" in words) == (state == "not_met"), key
        assert "户主（签字）" in text or "Head of household (signature)" in text


def test_the_dashboard_its_lists_and_the_village_exit_page_on_31_december(client, year):
    with on(datetime.date(2025, 12, 31)):
        client.force_login(year.users.leader)
        dashboard = client.get(reverse("home")).context["dashboard"]
        counts = dashboard["counts"]
        assert {k: counts[k] for k in ("registered", "exited_this_year", "poor", "returned")} == {
            "registered": 5,
            "exited_this_year": 2,
            "poor": 2,
            "returned": 0,
        }
        assert counts["monitored"] == 1  # 赵四, after the illness of 5 August
        assert dashboard["exit_progress"] == {
            "households": 2,
            "people": 6,
            "target_households": 2,
            "target_people": 6,
        }
        for tile in dashboard["figures"]:
            if tile.url.split("?")[0] == reverse("households:list"):
                assert client.get(tile.url).context["page"].paginator.count == tile.value
        exited = client.get(reverse("households:list"), {"exit_year": 2025}).context["page"]
        assert {hh["head_name"] for hh in exited} == {"张一", "王三"}
        rows = {r.village.name: r for r in village_exit_rows(client, 2025)}
        assert (rows["新田村"].poor_people, rows["新田村"].incidence) == (4, D("2.00"))
        assert rows["新田村"].qualifies
        assert (rows["石门村"].poor_people, rows["石门村"].reasons) == (0, ["income"])
        incidence = {r.village.name: r.incidence for r in dashboard["incidence"]}
        assert incidence == {"新田村": D("2.00"), "石门村": D("0.00")}


def test_the_accounts_and_the_exit_report_each_as_of_its_own_day(
    year, django_capture_on_commit_callbacks
):
    capture, township = django_capture_on_commit_callbacks, year.township
    with on(datetime.date(2026, 1, 5)):
        start = build(township, "year_start", datetime.date(2025, 1, 31), capture)
        middle = build(township, "mid_year", datetime.date(2025, 6, 30), capture)
        end = build(township, "year_end", datetime.date(2025, 12, 31), capture)
        exits = build(township, "exit", datetime.date(2025, 12, 31), capture)
        exits_june = build(township, "exit", datetime.date(2025, 6, 30), capture)

    def totals(run):
        keys = ("households", "people", "items", "items_done", "items_overdue", "delivered")
        return tuple(run.figures[k] for k in keys)

    assert totals(start) == (4, 10, 4, 0, 0, "0.00")
    assert totals(middle) == (5, 12, 4, 2, 1, "4000.00")
    assert totals(end) == (5, 12, 4, 3, 1, "12000.00")
    assert (start.figures["visits"], middle.figures["visits"], end.figures["visits"]) == (1, 3, 4)
    assert end.figures["criteria_met"] == 2  # 张一 and 赵四
    assert end.figures["exited_this_year"] == 2
    for run, closing in ((start, "100000.00"), (middle, "100000.00"), (end, "92000.00")):
        fund = run.figures["funds"][0]
        assert (fund["opening"], fund["closing"]) == ("0.00", closing)
    end_text = pdf_text(end.file.path)
    assert "0.00 + 100000.00 − 8000.00 = 92000.00" in end_text
    # 李二's cadre as the account stood each day: 陈甲 until 1 July, then 刘乙.
    assert "陈甲" in line_with(pdf_text(start.file.path), "李二")
    assert "陈甲" in line_with(pdf_text(middle.file.path), "李二")
    assert "刘乙" in line_with(end_text, "李二")
    for text in (end_text, pdf_text(exits.file.path)):
        for words in ("制表人", "审核人", "负责人签字", "盖章"):
            assert words in text, words

    figures = exits.figures
    assert (figures["exited"], figures["exited_people"]) == (2, 6)
    assert (figures["target_households"], figures["target_people"]) == (2, 6)
    assert (figures["remaining"], figures["overrides"]) == (2, 1)
    assert figures["eligible_villages"] == ["新田村"]
    assert figures["incidence"] == {"新田村": "2.00", "石门村": "0.00"}
    assert figures["exits_by_year"]["2025"] == 2  # 赵四's 2019 exit is not this year's
    exit_text = pdf_text(exits.file.path)
    assert "张一" in exit_text and "王三" in exit_text and "赵四" not in exit_text
    assert "住房改造已开工，年内竣工" in exit_text
    # The same report asked as of 30 June: nobody out of poverty yet, 3.50 % in 新田村.
    june = exits_june.figures
    assert (june["exited"], june["remaining"]) == (0, 4)
    assert june["incidence"] == {"新田村": "3.50", "石门村": "3.00"}


def test_a_2025_report_built_again_in_2026_has_the_same_figures(
    year, django_capture_on_commit_callbacks
):
    capture, h, u = django_capture_on_commit_callbacks, year.households, year.users
    with on(datetime.date(2026, 1, 5)):
        first = build(year.township, "year_end", datetime.date(2025, 12, 31), capture)
        first_exit = build(year.township, "exit", datetime.date(2025, 12, 31), capture)
    with on(datetime.date(2026, 2, 10)):
        # Life goes on in 2026: a reassignment, a card and a member changed, a delivery,
        # a visit and an income of the new year.
        assistance.pairing_assign(
            household=h.h1,
            cadre=u.b.profile,
            start_date=datetime.date(2026, 2, 10),
            reason="调整",
            user=u.staff,
        )
        household = Household.objects.get(pk=h.h2.pk)
        household.water_safe = False
        household.save()
        child = Member.objects.get(name="张小")
        child.medical_insurance = False
        child.save()
        assistance.plan_item_deliver(
            item=year.items.subsidy,
            delivered_on=datetime.date(2026, 2, 1),
            amount=D("12000"),
            quantity="",
            note="",
            evidence=None,
            completes=True,
            user=u.staff,
        )
        services.visit_log(
            user=u.b,
            household=h.h2,
            fields={"visited_on": datetime.date(2026, 2, 9), "findings": "新年走访"},
            photos=[],
            client_token=None,
        )
        income(u.staff, h.h2, 2026, "20000", 2)
        again = build(year.township, "year_end", datetime.date(2025, 12, 31), capture)
        again_exit = build(year.township, "exit", datetime.date(2025, 12, 31), capture)
    assert again.version == 2 and again_exit.version == 2
    assert again.figures == first.figures
    assert again_exit.figures == first_exit.figures
    text = pdf_text(again.file.path)
    assert "No figure of any household changed since version 1." in text or ("自第1版以来" in text)
    # A correction of the past: a visit of 15 December entered late, in 2026.
    with on(datetime.date(2026, 2, 12)):
        services.visit_log(
            user=u.b,
            household=h.h2,
            fields={"visited_on": datetime.date(2025, 12, 15), "findings": "补录"},
            photos=[],
            client_token=None,
        )
        third = build(year.township, "year_end", datetime.date(2025, 12, 31), capture)
    assert third.figures["visits"] == first.figures["visits"] + 1
    changed = line_with(pdf_text(third.file.path), h.h2.card_number)
    assert "1 → 2" in changed
