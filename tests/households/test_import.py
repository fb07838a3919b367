"""Roster imports with real .xlsx files made here: checks, preview, all or nothing, round trip."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from households import tasks
from households.imports.roster import COLUMNS
from households.models import Household, HouseholdIncome, ImportJob, Member
from tests import factories as f
from tests.reporting_helpers import exported as downloaded

pytestmark = pytest.mark.django_db
KEYS = [c.key for c in COLUMNS]


def roster(rows, *, headings=None, extra=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headings or [c.zh for c in COLUMNS])
    sheet.append([c.en for c in COLUMNS])
    for row in rows:
        sheet.append([row.get(k, "") for k in KEYS] if isinstance(row, dict) else row)
    if extra:
        extra(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def person(n, village, head=None, **values):
    own = f.make_id_number(5000 + n)
    return {
        "village": village.code,
        "head_id": head or own,
        "name": f"人{n}",
        "id_number": own,
        "sex": "男",
        "relation": "户主" if head is None else "之子",
        **values,
    }


def upload(client, data: bytes, name="roster.xlsx"):
    response = client.post(reverse("households:imports"), {"file": SimpleUploadedFile(name, data)})
    return ImportJob.objects.order_by("-pk").first(), response


@pytest.fixture(autouse=True)
def tasks_run_at_once(monkeypatch):
    """The pages queue their tasks on commit; inside the test's transaction, run them at once."""
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda callback, *args, **kwargs: callback()
    )


@pytest.fixture
def staff(client, world):
    client.force_login(world.profiles.staff.user)
    return client


def test_a_new_roster_is_previewed_then_written_and_a_reimport_changes_nothing(staff, world):
    head = person(
        1,
        world.villages.a1,
        attribute="低保贫困户",
        year_identified=2016,
        income_year=2025,
        wage_income="6000",
        transfer_income="1200.5",
        main_cause="因病",
    )
    son = person(2, world.villages.a1, head=head["id_number"])
    other = person(3, world.villages.a2)
    data = roster([head, son, other])
    job, response = upload(staff, data)
    assert response["Location"] == reverse("households:import", args=[job.pk])
    assert job.status == "checked", (job.error, job.problems)
    assert job.counts["households"] == {"create": 2, "update": 0, "same": 0}
    assert job.counts["members"] == {"create": 3, "update": 0, "same": 0}
    assert not Member.objects.filter(name="人1").exists()  # nothing written before confirming
    staff.post(reverse("households:import_apply", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "applied", job.error
    household = Member.objects.get(name="人1").household
    assert household.attribute == "dibao" and household.members.count() == 2
    # The card keeps its head and its size, as the list shows them.
    assert (household.head_name, household.head_id_number, household.members_count) == (
        "人1",
        head["id_number"],
        2,
    )
    assert household.causes.get().cause == "illness"
    income = household.incomes.get(year=2025)
    assert (income.wage_income, income.transfer_income, income.members_count) == (
        Decimal("6000.00"),
        Decimal("1200.50"),
        2,
    )
    assert household.history.get().history_change_reason.startswith(f"import {job.pk}")
    histories = Member.history.count()
    again, _ = upload(staff, data)
    assert again.counts["households"] == {"create": 0, "update": 0, "same": 2}
    assert again.counts["members"] == {"create": 0, "update": 0, "same": 3}
    staff.post(reverse("households:import_apply", args=[again.pk]))
    assert Member.history.count() == histories


def test_an_export_imports_back_unchanged(staff, world):
    f.IncomeFactory(household=world.households.own, year=2024, wage_income=Decimal("100.10"))
    # A five-guarantee household (特困供养户（五保户）: full-width brackets) with its 两不愁.
    Household.objects.filter(pk=world.households.own.pk).update(
        attribute="tekun", no_worry_food=True, water_safe=True
    )
    exported = downloaded(staff, reverse("reporting:export_households")).content
    job, _ = upload(staff, exported, "export.xlsx")
    assert job.status == "checked", job.problems
    assert job.counts["households"]["create"] == 0 and job.counts["households"]["update"] == 0
    assert job.counts["members"] == {"create": 0, "update": 0, "same": 3}


def test_the_export_carries_status_the_two_no_worries_water_and_the_cadre(staff, world):
    from openpyxl import load_workbook

    Household.objects.filter(pk=world.households.own.pk).update(attribute="tekun")
    exported = downloaded(staff, reverse("reporting:export_households")).content
    sheet = load_workbook(io.BytesIO(exported)).active
    rows = list(sheet.iter_rows(values_only=True))
    columns = {name: i for i, name in enumerate(rows[0])}
    own = next(
        r
        for r in rows[2:]
        if r[columns["村"]] == world.villages.a1.code
        and r[columns["帮扶责任人"]] == world.profiles.cadre.name
    )
    assert own[columns["贫困户属性"]] == "特困供养户（五保户）"
    assert (own[columns["不愁吃"]], own[columns["饮水安全"]]) == ("否", "否")
    assert own[columns["户状态"]] == "未脱贫"


def test_a_new_roster_brings_its_pairing_cadre_and_two_no_worries(staff, world):
    row = person(
        1,
        world.villages.a1,
        no_worry_food="是",
        no_worry_clothing="√",
        water_safe="否",
        cadre=world.profiles.cadre2.name,
        attribute="特困供养户(五保户)",
    )
    job, _ = upload(staff, roster([row]))
    assert job.status == "checked", job.problems
    staff.post(reverse("households:import_apply", args=[job.pk]))
    household = Household.objects.get(members__name="人1")
    assert (household.no_worry_food, household.no_worry_clothing, household.water_safe) == (
        True,
        True,
        False,
    )
    assert household.attribute == "tekun"
    assert household.pairings.get(end_date__isnull=True).cadre == world.profiles.cadre2
    assert household.current_cadre == world.profiles.cadre2  # what the lists show


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"cadre": "查无此人"}, "没有"),
        ({"no_worry_food": "也许"}, "是"),
    ],
)
def test_an_unknown_cadre_or_a_yes_no_that_is_neither_is_refused(staff, world, values, words):
    job, _ = upload(staff, roster([person(1, world.villages.a1, **values)]))
    assert job.status == "refused"
    assert any(words in p["message"] for p in job.problems), job.problems


def test_a_village_team_cannot_pair_cadres_by_import(client, world):
    client.force_login(world.profiles.team.user)
    row = person(1, world.villages.a1, cadre=world.profiles.cadre.name)
    job, _ = upload(client, roster([row]))
    assert job.status == "refused" and job.problems[0]["column"] == "帮扶责任人"


def test_missing_required_columns_are_named(staff, world):
    job, _ = upload(staff, roster([], headings=["村", "姓名"]))
    assert job.status == "refused"
    assert "户主身份证号" in job.error and "身份证号" in job.error


@pytest.mark.parametrize(
    ("change", "column", "words"),
    [
        ({"id_number": "520399198001010012"}, "身份证号", "校验码"),
        ({"village": "不存在村"}, "村", "未知"),
        ({"income_year": 2025, "wage_income": "abc"}, "工资性收入", "不是数字"),
        ({"income_year": 2025, "wage_income": "-5"}, "工资性收入", "负数"),
        ({"sex": "未知"}, "性别", "允许"),
        ({"year_identified": "去年"}, "识别年度", "2016"),
    ],
)
def test_each_check_reports_row_column_value_and_message(staff, world, change, column, words):
    row = {**person(1, world.villages.a1), **change}
    if "id_number" in change:
        row["head_id"] = change["id_number"]
    job, _ = upload(staff, roster([row]))
    assert job.status == "refused"
    problem = next(p for p in job.problems if p["column"] == column)
    assert problem["row"] == 3 and words in problem["message"]


def test_a_village_outside_the_users_area_is_refused(client, world):
    client.force_login(world.profiles.team.user)  # village A1 only
    job, _ = upload(client, roster([person(1, world.villages.a2)]))
    assert job.status == "refused" and job.problems[0]["column"] == "村"


def test_the_same_id_twice_and_an_id_of_another_household_are_caught(staff, world):
    h = world.households
    outside = h.outsider.members.get().id_number
    inside = h.neighbour.members.get().id_number
    first = person(1, world.villages.a1)
    twice = {
        **person(2, world.villages.a1, head=first["id_number"]),
        "id_number": first["id_number"],
    }
    elsewhere = {**person(3, world.villages.a1, head=first["id_number"]), "id_number": outside}
    nearby = {**person(4, world.villages.a1, head=first["id_number"]), "id_number": inside}
    job, _ = upload(staff, roster([first, twice, elsewhere, nearby]))
    messages = {p["row"]: p["message"] for p in job.problems}
    assert "第 3 行" in messages[4]
    # Outside the user's area: taken, ask the township; not which household or where.
    assert "已在您辖区以外的农户中登记" in messages[5]
    assert h.outsider.card_number not in messages[5]
    assert reverse("households:detail", args=[h.outsider.pk]) not in messages[5]
    # Inside it: which card, with its link.
    assert h.neighbour.card_number in messages[6]
    assert reverse("households:detail", args=[h.neighbour.pk]) in messages[6]


def test_legacy_ids_full_width_digits_dates_and_trailing_rows_are_normalised(staff, world):
    legacy = "520399800101001"  # 15 digits: born 1980-01-01
    row = person(1, world.villages.a1, year_identified=42370.0)  # an Excel serial for 2016-01-01
    row.update({"id_number": legacy, "head_id": legacy, "name": " 王　明 ", "group_name": "三组"})
    full_width = person(2, world.villages.a1, year_identified="2017年3月1日")
    full_width["id_number"] = full_width["head_id"] = full_width["id_number"].translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    data = roster([row, full_width, {}, {}])
    job, _ = upload(staff, data)
    assert job.status == "checked", job.problems
    staff.post(reverse("households:import_apply", args=[job.pk]))
    converted = Member.objects.get(id_number__startswith="52039919800101001")
    assert len(converted.id_number) == 18 and converted.name == "王 明"
    assert converted.household.year_identified == 2016
    assert Member.objects.get(name="人2").household.year_identified == 2017


def test_a_formula_is_refused(staff, world):
    row = person(1, world.villages.a1, income_year=2025)

    def formula(sheet):
        sheet.cell(row=3, column=KEYS.index("wage_income") + 1, value="=1+1")

    job, _ = upload(staff, roster([row], extra=formula))
    assert job.status == "refused" and "公式" in job.problems[0]["message"]


def test_one_bad_row_among_a_thousand_writes_nothing(staff, world):
    rows = [person(n, world.villages.a1) for n in range(1000)]
    rows[500]["id_number"] = rows[500]["head_id"] = "520399198001010012"
    before = Household.objects.count()
    job, _ = upload(staff, roster(rows))
    assert job.status == "refused" and len(job.problems) == 1
    staff.post(reverse("households:import_apply", args=[job.pk]))
    assert Household.objects.count() == before


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("notes.txt", b"hello", "xlsx"),
        ("roster.xlsx", b"\xd0\xcf\x11\xe0 an encrypted OLE file", "密码"),
    ],
)
def test_files_that_are_not_open_xlsx_are_explained(staff, world, name, data, words):
    job, response = upload(staff, data, name)
    # Refused on the upload page itself: nothing is kept, nothing is sent to a worker.
    assert job is None
    assert response.status_code == 200 and words in response.content.decode()


def test_size_and_row_limits_are_settings(staff, world, settings):
    settings.BANGFU_IMPORT_MAX_ROWS = 2
    job, _ = upload(staff, roster([person(n, world.villages.a1) for n in range(3)]))
    assert job.status == "refused" and "2" in job.error
    settings.BANGFU_IMPORT_MAX_BYTES = 100
    _, response = upload(staff, roster([person(1, world.villages.a1)]))
    assert "MB" in response.content.decode()


def test_the_command_imports_for_operators(world, tmp_path, capsys):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(roster([person(1, world.villages.a1)]))
    call_command("import_households", str(path), "--user", "staff", "--apply")
    assert "written" in capsys.readouterr().out
    assert Member.objects.filter(name="人1").exists()
    assert HouseholdIncome.objects.exists()


def template(client) -> "Workbook":
    from openpyxl import load_workbook

    response = client.get(reverse("households:import_template"))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def saved(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_template_has_drop_downs_for_coded_columns_and_the_users_villages(client, world):
    client.force_login(world.profiles.team.user)  # village A1 only
    book = template(client)
    roster_sheet, example, notes, lists = book.worksheets
    assert [c.value for c in roster_sheet[1]] == [c.zh for c in COLUMNS]
    assert roster_sheet.max_row == 2  # the import reads this sheet: headings, no data
    assert lists.sheet_state == "hidden"
    checks = {}  # column key → its data validation
    for check in roster_sheet.data_validations.dataValidation:
        for cell_range in check.sqref.ranges:
            checks[KEYS[cell_range.min_col - 1]] = check

    def choices(key):
        check = checks[key]
        assert check.type == "list" and check.showErrorMessage
        cells = lists[check.formula1.split("!")[1].replace("$", "")]
        return [row[0].value for row in cells]

    assert choices("village") == ["新田村"]
    assert choices("sex") == ["男", "女"]
    assert "低保贫困户" in choices("attribute") and "因病" in choices("main_cause")
    assert (checks["migrant_months"].type, checks["migrant_months"].formula2) == ("whole", "12")
    id_letter = get_column_letter(KEYS.index("id_number") + 1)
    assert roster_sheet.column_dimensions[id_letter].number_format == "@"
    assert example.max_row > 2 and "示例" in example.title
    assert any("新田村" in (row[0].value or "") for row in notes.iter_rows())


def test_the_template_filled_in_imports_and_its_example_rows_are_refused(staff, world):
    book = template(staff)
    sheet = book.worksheets[0]
    head = {**person(1, world.villages.a1, attribute="一般贫困户"), "village": "新田村"}
    for row in (head, person(2, world.villages.a1, head=head["id_number"])):
        sheet.append([row.get(k, "") for k in KEYS])
    job, _ = upload(staff, saved(book))
    assert job.status == "checked", job.problems
    assert job.counts["households"]["create"] == 1 and job.counts["members"]["create"] == 2

    # The example household, copied onto the roster sheet as it is, is refused row by row:
    # nothing else is wrong with it, so its rows are otherwise a valid household.
    for row in book.worksheets[1].iter_rows(min_row=3, values_only=True):
        sheet.append(list(row))
    job, _ = upload(staff, saved(book))
    assert job.status == "refused"
    assert {p["row"] for p in job.problems} == {5, 6}
    assert all("示例" in p["message"] for p in job.problems)


def test_the_preview_lists_the_households_to_create_and_to_change(staff, world):
    own = world.households.own
    head = own.members.get()
    changed = {
        "village": own.village.code,
        "head_id": head.id_number,
        "name": head.name,
        "id_number": head.id_number,
        "sex": head.get_sex_display(),
        "relation": "户主",
        "phone": "13912345678",
    }
    baby = person(7, world.villages.a1, head=head.id_number)
    new_head = person(8, world.villages.a2, name="新户主")
    new_son = person(9, world.villages.a2, head=new_head["id_number"])
    job, _ = upload(staff, roster([changed, baby, new_head, new_son]))
    assert job.status == "checked", job.problems
    assert job.preview["create"] == [
        {"head": "新户主", "village": "石门村", "card": "", "members": 2}
    ]
    [update] = job.preview["update"]
    assert (update["head"], update["card"], update["members"]) == (head.name, own.card_number, 2)
    with translation.override("zh-hans"):
        phone = str(Household._meta.get_field("phone").verbose_name)
    assert update["changes"] == [phone, "新增成员 1 人"]
    page = staff.get(reverse("households:import", args=[job.pk])).content.decode()
    assert "新户主" in page and own.card_number in page


def test_a_confirmed_import_shows_it_is_being_written_until_the_worker_has_written_it(
    staff, world, monkeypatch
):
    job, _ = upload(staff, roster([person(1, world.villages.a1)]))
    queued = []
    monkeypatch.setattr(
        "households.imports.service.send_apply", lambda pk: queued.append(pk) or True
    )
    staff.post(reverse("households:import_apply", args=[job.pk]))
    job.refresh_from_db()
    # The worker has not started: the page already says "being written" and keeps polling.
    assert (job.status, queued) == ("applying", [job.pk])
    page = staff.get(reverse("households:import", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and "确认写入" not in page
    tasks.import_apply(job.pk)
    tasks.import_apply(job.pk)  # delivered twice: written once
    job.refresh_from_db()
    assert job.status == "applied"
    assert Member.objects.filter(name="人1").count() == 1
