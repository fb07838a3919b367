"""The thematic registers through their pages: a renovation walked from its plan item to the
year-end report, Rain-and-Dew students, serious-illness relief, training, exports."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assistance import ledger
from assistance import register_selectors as rs
from assistance.models import (
    HealthRelief,
    HousingRenovation,
    LedgerEntry,
    RainDewStudent,
    TrainingAttendance,
    TrainingSession,
)
from households.models import Household
from reporting import services
from reporting.models import ReportRun
from tests import factories as f
from tests.reporting_helpers import exported, pdf_text

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def staff(client, world):
    client.force_login(world.profiles.staff.user)
    return client


def _item(household, code, description, amount, name="措施", name_en="Measure"):
    kind = f.MeasureKindFactory(code=code, name=name, name_en=name_en)
    return f.PlanItemFactory(
        plan=household.plan,
        kind=kind,
        description=description,
        planned_amount=amount,
        due_date=datetime.date(2025, 10, 31),
    )


def _build(kind, township, as_of):
    run = ReportRun.objects.create(
        kind=kind,
        year=as_of.year,
        as_of=as_of,
        township=township,
        scope_key=services.scope_key(township=township),
    )
    services.report_build(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "done", run.error
    return run


def test_a_household_goes_from_its_renovation_measure_to_the_subsidy_the_acceptance_and_the_year_end_line(  # noqa: E501
    staff, world
):
    hh = world.households.own
    Household.objects.filter(pk=hh.pk).update(housing=Household.Housing.DILAPIDATED_D)
    item = _item(hh, "housing", "危房改造补助", "20000.00", "危房改造", "Housing renovation")
    fund = world.funds.a
    ledger.ledger_receive(
        fund=fund,
        amount=D("30000"),
        voucher="R2",
        entry_date=datetime.date(2025, 3, 1),
        purpose="危改资金拨入",
        user=world.profiles.staff.user,
    )

    response = staff.post(
        reverse("registers:renovation_create"),
        {
            "plan_item": item.pk,
            "year": "2025",
            "grade": "D",
            "method": "rebuild",
            "subsidy": "20000",
        },
    )
    renovation = HousingRenovation.objects.get()
    assert response["Location"] == reverse("registers:renovation", args=[renovation.pk])
    assert (renovation.household, renovation.plan_item) == (hh, item)
    page = reverse("registers:renovation", args=[renovation.pk])

    staff.post(
        reverse("registers:item_allocate", args=[item.pk]),
        {
            "fund": fund.pk,
            "amount": "20000",
            "voucher": "WG-A1",
            "entry_date": "2025-04-01",
            "purpose": "危房改造补助",
            "next": page,
        },
    )
    allocation = LedgerEntry.objects.get(voucher="WG-A1")
    assert (allocation.kind, allocation.plan_item) == ("allocation", item)

    # Accepting before the works started is refused, and changes nothing.
    early = staff.post(
        reverse("registers:renovation_accept", args=[renovation.pk]),
        {"on": "2025-04-05", "accepted_by": "县住建局"},
    )
    assert "须开工后才能验收" in early.content.decode()
    staff.post(reverse("registers:renovation_start", args=[renovation.pk]), {"on": "2025-04-10"})
    staff.post(
        reverse("registers:renovation_accept", args=[renovation.pk]),
        {"on": "2025-09-15", "accepted_by": "县住房和城乡建设局"},
    )
    staff.post(
        reverse("registers:item_pay", args=[item.pk]),
        {
            "allocation": allocation.pk,
            "amount": "20000",
            "voucher": "WG-P1",
            "entry_date": "2025-09-20",
            "purpose": "危房改造补助兑付",
            "completes": "on",
            "next": page,
        },
    )

    renovation.refresh_from_db()
    hh.refresh_from_db()
    item.refresh_from_db()
    assert (renovation.started_on, renovation.accepted_on) == (
        datetime.date(2025, 4, 10),
        datetime.date(2025, 9, 15),
    )
    assert hh.housing == Household.Housing.SAFE  # the acceptance makes the card's house safe
    assert hh.history.latest().history_change_reason == "危房改造于 2025-09-15 验收"
    assert (item.status, item.closed_on) == ("done", datetime.date(2025, 9, 20))
    assert item.deliveries.get().amount == D("20000.00")
    assert ledger.fund_balance(fund).disbursed == D("20000.00")
    assert staff.get(page).context["paid"] == D("20000.00")
    listed = staff.get(reverse("registers:renovations"), {"status": "accepted"}).context["rows"]
    assert [(r.pk, r.paid) for r in listed] == [(renovation.pk, D("20000.00"))]

    year_end = _build("year_end", world.township, datetime.date(2025, 12, 31))
    assert "危房改造 1 户，已验收 1 户，补助 20,000 元全部兑付" in pdf_text(year_end.file.path)
    assert year_end.figures["registers"]["renovation"] == {
        "households": 1,
        "accepted": 1,
        "subsidy": "20000.00",
        "paid": "20000.00",
    }
    # Drawn up to 30 June, the same register states what was true then.
    mid_year = _build("mid_year", world.township, datetime.date(2025, 6, 30))
    assert "危房改造 1 户，已验收 0 户，补助 20,000 元，已兑付 0 元" in pdf_text(mid_year.file.path)


def test_the_renovation_form_offers_only_housing_measures_in_the_users_area(staff, world):
    mine = _item(world.households.own, "housing", "危房改造补助", "20000.00")
    _item(world.households.outsider, "housing", "危房改造补助", "20000.00")
    _item(world.households.colleague, "industry", "发放鸡苗", "500.00")
    offered = staff.get(reverse("registers:renovation_create")).context["form"]
    assert list(offered.fields["plan_item"].queryset) == [mine]


def options(html: str) -> list[str]:
    return re.findall(r'<option value="(\d+)"', html)


def test_the_renovation_form_offers_a_few_items_and_its_search_finds_any_in_the_users_area(
    staff, world
):
    kind = f.MeasureKindFactory(code="housing", name="危房改造", name_en="Housing renovation")
    items = [
        f.PlanItemFactory(plan=world.households.own.plan, kind=kind, description=f"改造第{n}项")
        for n in range(rs.ITEMS_SHOWN + 5)
    ]
    outsider = world.households.outsider
    outside = f.PlanItemFactory(plan=outsider.plan, kind=kind, description="外镇改造")
    page = staff.get(reverse("registers:renovation_create")).content.decode()
    offered = options(page)
    assert len(offered) == rs.ITEMS_SHOWN
    last = next(item for item in items if str(item.pk) not in offered)
    search = reverse("registers:item_options", args=["renovation"])
    assert f'hx-get="{search}"' in page

    found = staff.get(search, {"q": last.description}).content.decode()
    assert options(found) == [str(last.pk)]
    assert last.description in found
    assert options(staff.get(search, {"q": "外镇"}).content.decode()) == []
    assert staff.get(reverse("registers:item_options", args=["nothing"])).status_code == 404

    # Any item in the area is accepted, offered at first or found; the chosen one stays
    # offered when the form comes back with an error.
    response = staff.post(reverse("registers:renovation_create"), {"plan_item": last.pk})
    assert f'<option value="{last.pk}" selected>' in response.content.decode()
    fields = {"year": "2025", "grade": "D", "method": "rebuild", "subsidy": "1"}
    create = reverse("registers:renovation_create")
    response = staff.post(create, {"plan_item": outside.pk, **fields})
    assert "plan_item" in response.context["form"].errors
    response = staff.post(create, {"plan_item": last.pk, **fields})
    assert response.status_code == 302
    assert HousingRenovation.objects.get().plan_item == last


def test_a_rain_and_dew_student_is_named_by_id_number_and_paid_through_the_ledger(staff, world):
    hh = world.households.neighbour
    student = f.MemberFactory(household=hh, name="陈小雨", relation="daughter")
    item = _item(hh, "education", "雨露计划补助", "3000.00")
    url = reverse("registers:student_create")
    data = {
        "plan_item": item.pk,
        "id_number": world.households.own.members.get().id_number,  # someone else's
        "school": "县中等职业学校",
        "level": "secondary",
        "enrolled_year": "2025",
        "school_year": "2025",
        "subsidy": "3000",
    }
    refused = staff.post(url, data)
    assert refused.context["form"].errors["id_number"]
    assert staff.post(url, {**data, "id_number": student.id_number}).status_code == 302
    record = RainDewStudent.objects.get()
    assert (record.member, record.household) == (student, hh)
    allocation = ledger.ledger_allocate(
        fund=world.funds.a,
        amount=D("3000"),
        voucher="YL-A",
        entry_date=datetime.date(2025, 9, 1),
        purpose="雨露计划",
        user=world.profiles.staff.user,
        plan_item=item,
    )
    staff.post(
        reverse("registers:item_pay", args=[item.pk]),
        {
            "allocation": allocation.pk,
            "amount": "3000",
            "voucher": "YL-P",
            "entry_date": "2025-09-10",
            "purpose": "雨露计划补助",
        },
    )
    rows = staff.get(reverse("registers:students"), {"status": "secondary"}).context["rows"]
    assert [(r.member.name, r.paid) for r in rows] == [("陈小雨", D("3000.00"))]
    assert staff.get(reverse("registers:students"), {"status": "higher"}).context["rows"] == []
    book = load_workbook(io.BytesIO(exported(staff, reverse("reporting:export_students")).content))
    cells = [c.value for c in book.active[2]]
    assert "陈小雨" in cells and student.id_number in cells and 3000 in cells


def test_serious_illness_relief_keeps_reimbursements_within_the_expenses(staff, world):
    hh = world.households.own
    item = _item(hh, "health", "大病医疗救助", "5000.00")
    data = {
        "plan_item": item.pk,
        "id_number": hh.members.get().id_number,
        "year": "2025",
        "illness": "尿毒症",
        "hospital": "县人民医院",
        "admitted_on": "2025-03-02",
        "expenses": "40000",
        "basic_insurance": "24000",
        "serious_illness_insurance": "14000",
        "relief": "5000",
    }
    too_much = staff.post(reverse("registers:relief_create"), data)
    assert "不能超过医疗总费用" in too_much.content.decode()
    assert not HealthRelief.objects.exists()
    staff.post(reverse("registers:relief_create"), {**data, "relief": "2000"})
    relief = HealthRelief.objects.get()
    assert relief.out_of_pocket == D("0.00")
    page = staff.get(reverse("registers:reliefs"))
    assert page.context["expenses"] == D("40000.00")
    assert page.context["reimbursed"] == D("40000.00")


def test_trainees_and_their_labour_transfer_are_counted_and_seen_by_their_cadres_only(
    staff, client, world
):
    response = staff.post(
        reverse("registers:training_create"),
        {
            "village": world.villages.a1.pk,
            "title": "电焊工培训",
            "skill": "电焊",
            "organiser": "县人社局",
            "starts_on": "2025-05-10",
            "ends_on": "2025-05-20",
        },
    )
    session = TrainingSession.objects.get()
    assert response["Location"] == reverse("registers:training", args=[session.pk])
    own = world.households.own
    staff.post(
        reverse("registers:attendance_add", args=[session.pk]),
        {
            "id_number": own.members.get().id_number,
            "completed": "on",
            "outcome": "migrant",
            "employer": "宁波某电器厂",
            "monthly_wage": "4200",
        },
    )
    attendance = TrainingAttendance.objects.get()
    assert (attendance.household, attendance.outcome) == (own, "migrant")
    listed = staff.get(reverse("registers:trainings"), {"year": "2025"}).context["rows"]
    assert [(s.trainees, s.completed, s.transferred) for s in listed] == [(1, 1, 1)]
    # cadre2 answers for a household of the same village: the session, not own's trainee.
    client.force_login(world.profiles.cadre2.user)
    assert client.get(reverse("registers:training", args=[session.pk])).context["attendances"] == []
    client.force_login(world.profiles.cadre.user)
    seen = client.get(reverse("registers:training", args=[session.pk])).context["attendances"]
    assert [a.member.name for a in seen] == [own.members.get().name]


def test_a_register_speaks_chinese_and_english(client, world):
    client.force_login(world.profiles.staff.user)
    chinese = client.get(reverse("registers:renovations"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("registers:renovations"))
    assert "农村危房改造" in chinese.content.decode()
    assert "Dilapidated-house renovation" in english.content.decode()
    assert "农村危房改造" not in english.content.decode()
