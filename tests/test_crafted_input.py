"""Crafted input that once answered 500: each is now refused or ignored, and explained.

Every view reads its input through a Django form (whose CharFields refuse NUL bytes and
whose date fields refuse implausible dates); `test_no_view_reads_request_data_by_hand`
keeps it that way.
"""

import ast
import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from households.models import Hardship, MonitoringCase, WorkflowStep
from tests.reporting_helpers import exported

pytestmark = pytest.mark.django_db
NUL = "before\x00after"


def login(client, profile):
    client.force_login(profile.user)
    return client


def test_a_nul_byte_in_a_hardship_note_is_refused(client, world):
    hh = world.households.own
    login(client, world.profiles.cadre)
    url = reverse("households:hardship_record", args=[hh.pk])
    data = {"kind": "illness", "occurred_on": "2025-05-01", "note": NUL}
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert not Hardship.objects.filter(household=hh).exists()
    assert "请填写类型、日期（不晚于今天）和情况" in response.content.decode()
    client.post(url, {**data, "note": "住院"})
    assert Hardship.objects.get(household=hh).note == "住院"


def test_a_hardship_in_year_one_or_in_9999_is_refused(client, world):
    hh = world.households.own
    login(client, world.profiles.cadre)
    url = reverse("households:hardship_record", args=[hh.pk])
    for day in ("0001-01-01", "9999-12-31", "１９９９-01-01"):
        client.post(url, {"kind": "illness", "occurred_on": day, "note": "住院"})
    assert not Hardship.objects.filter(household=hh).exists()


def test_a_nul_byte_in_a_rejection_reason_is_refused(client, world):
    case = world.households.own.case
    login(client, world.profiles.cadre)
    response = client.post(reverse("households:workflow_reject", args=[case.pk]), {"reason": NUL})
    assert response.status_code == 302
    assert not WorkflowStep.objects.filter(case=case).exists()


def test_a_nul_byte_in_monitoring_measures_is_refused(client, world):
    hh = world.households.own
    case = MonitoringCase.objects.create(
        household=hh, category="hardship", reason="因灾", opened_on=datetime.date(2025, 5, 1)
    )
    login(client, world.profiles.cadre)
    url = reverse("households:monitoring_advance", args=[case.pk])
    assert client.post(url, {"measures": NUL}).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.measures) == ("open", "")


@pytest.mark.parametrize("name", ["fund_notice", "project_notice", "loan_notice"])
def test_a_notice_posted_from_9999_12_31_shows_todays_notice(client, world, name):
    login(client, world.profiles.staff)
    obj = {
        "fund_notice": world.funds.a,
        "project_notice": world.projects.a,
        "loan_notice": world.villages.a1,
    }[name]
    response = client.get(
        reverse(f"assistance:{name}", args=[obj.pk]), {"posted_from": "9999-12-31", "days": "10"}
    )
    assert response.status_code == 200
    assert response.context["notice"]["posted_from"] == datetime.date.today()
    assert "posted_from" in response.context["form"].errors


def test_plans_xlsx_with_a_year_that_is_not_a_number_exports_this_year(client, world):
    login(client, world.profiles.staff)
    response = exported(client, reverse("reporting:export_plans"), {"year": "abc"})
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == [str(datetime.date.today().year)]


def test_plans_xlsx_for_a_year_exports_that_year(client, world):
    login(client, world.profiles.staff)
    response = exported(client, reverse("reporting:export_plans"), {"year": "２０２５"})
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["2025"]


def test_a_date_posted_at_a_step_without_dates_is_ignored(client, world):
    case = world.households.own.case
    assert case.step == "assessment"
    login(client, world.profiles.cadre)
    response = client.post(
        reverse("households:workflow_advance", args=[case.pk]),
        {"comment": "入户核实", "date": "2025-05-01", "attendance": "35", "result": "pass"},
    )
    assert response.status_code == 302
    step = WorkflowStep.objects.get(case=case)
    assert (step.step, step.data, step.comment) == ("assessment", {}, "入户核实")


def test_a_repayment_that_is_not_a_number_is_explained(client, world):
    loan = world.households.own.loan
    login(client, world.profiles.staff)
    url = reverse("assistance:repayment_paid", args=[loan.pk])
    response = client.post(url, {"repayment": "", "paid_on": "2025-04-10"}, follow=True)
    assert response.status_code == 200
    assert not loan.repayments.filter(paid_on__isnull=False).exists()


VIEW_MODULES = [
    p
    for app in ("households", "assistance", "reporting", "township")
    for p in (Path(settings.BASE_DIR) / app).rglob("*.py")
    if "migrations" not in p.parts and ("views" in p.name or "views" in p.parts)
]


def _reads_by_hand(path: Path) -> list[str]:
    """`request.GET.get(...)`, `request.POST[...]` and the like, except the page number."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        target = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("get", "getlist"):
                target, args = node.func.value, node.args
        elif isinstance(node, ast.Subscript):
            target, args = node.value, [node.slice]
        if not (isinstance(target, ast.Attribute) and target.attr in ("GET", "POST")):
            continue
        key = args[0].value if args and isinstance(args[0], ast.Constant) else None
        if key != "page":  # Paginator.get_page() validates the page number itself
            found.append(f"{path.name}:{node.lineno} {key!r}")
    return found


def test_no_view_reads_request_data_by_hand():
    assert VIEW_MODULES
    assert [hit for p in VIEW_MODULES for hit in _reads_by_hand(p)] == []


def test_the_guard_sees_a_read_by_hand(tmp_path):
    view = tmp_path / "views.py"
    view.write_text("def v(request):\n    return request.POST.get('note', '')\n")
    assert _reads_by_hand(view) == ["views.py:2 'note'"]


def test_a_pairing_starting_in_9999_is_refused(client, world):
    hh = world.households.own
    login(client, world.profiles.staff)
    response = client.post(
        reverse("assistance:pair", args=[hh.pk]),
        {"cadre": world.profiles.cadre2.pk, "start_date": "9999-01-01", "reason": "调整"},
    )
    assert response.status_code == 200
    assert "start_date" in response.context["form"].errors
    assert hh.pairings.get().cadre == world.profiles.cadre
