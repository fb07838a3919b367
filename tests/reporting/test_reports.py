"""Building reports: PDFs read back, totals against the database, failure paths, scoping."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assistance import ledger
from reporting import services
from reporting.models import ReportRun
from reporting.selectors import phase_date
from tests import factories as f
from tests.reporting_helpers import pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db
D = Decimal


def build(kind, **place):
    run = ReportRun.objects.create(
        kind=kind,
        year=2025,
        as_of=phase_date(kind, 2025),
        scope_key=services.scope_key(**place),
        **place,
    )
    services.report_build(run_id=run.pk)
    run.refresh_from_db()
    return run


def test_a_year_end_audit_states_the_databases_totals_in_chinese(world):
    fund = world.funds.a
    allocation = ledger.ledger_allocate(
        fund=fund,
        amount=D("4000"),
        voucher="A1",
        entry_date=datetime.date(2025, 3, 1),
        purpose="通组公路",
        user=world.superuser,
        project=world.projects.a,
    )
    ledger.ledger_disburse(
        allocation=allocation,
        amount=D("1500"),
        voucher="D1",
        entry_date=datetime.date(2025, 6, 1),
        purpose="进度款",
        user=world.superuser,
    )
    run = build("year_end", township=world.township)
    assert run.status == "done", run.error
    text = pdf_text(run.file.path)
    for heading in ("年底审账", "概览", "资金对账", "例外事项"):
        assert heading in text, heading
    for hh in (world.households.own, world.households.colleague, world.households.neighbour):
        assert hh.members.get(relation="head").name in text
    assert world.households.outsider.members.get().name not in text
    balance = ledger.fund_balance(fund)
    assert run.figures["funds"][0]["closing"] == str(balance.in_hand)
    assert run.figures["funds"][0]["disbursements"] == "1500.00"
    assert "0.00 + 10000.00 − 1500.00 = 8500.00" in text
    assert run.figures["funds"][0]["receipts"] == str(balance.received)
    assert run.figures["projects"][0]["closing"] == str(
        ledger.project_allocated(world.projects.a) - D("1500")
    )
    assert run.figures["households"] == 3
    fonts = pdf_fonts(run.file.path)
    assert "NotoSansCJK" in fonts.replace("-", "") or "Noto-Sans-CJK" in fonts
    assert " yes yes " in fonts  # embedded and subset


def test_a_finished_report_is_frozen_and_a_rebuild_makes_a_new_version(world, client):
    run = build("register", township=world.township)
    first = Path(run.file.path).read_bytes()
    head = world.households.own.members.get(relation="head")
    head.name = "改名后"
    head.save()
    client.force_login(world.profiles.leader.user)
    download = client.get(reverse("reporting:download", args=[run.pk]))
    assert b"".join(download.streaming_content) == first
    again = services.report_retry(run=run, user=world.profiles.leader.user)
    assert again.version == run.version + 1 and again.pk != run.pk


def test_two_requests_for_the_same_report_make_one_run(world):
    one = services.report_request(kind="year_end", year=2025, township=world.township)
    two = services.report_request(kind="year_end", year=2025, township=world.township)
    assert one.pk == two.pk
    assert ReportRun.objects.filter(kind="year_end", year=2025, status="queued").count() == 1


def test_a_failed_build_says_why_and_leaves_no_file(world, monkeypatch, settings, tmp_path):
    def broken(*args, **kwargs):
        raise RuntimeError("font server on fire")

    monkeypatch.setattr("reporting.pdf.HTML.write_pdf", broken)
    run = build("register", township=world.township)
    assert run.status == "failed" and "font server on fire" in run.error
    assert not run.file
    assert list(Path(settings.MEDIA_ROOT).rglob("*.pdf")) == [
        p for p in Path(settings.MEDIA_ROOT).rglob("*.pdf") if "run-" in p.name
    ]


def test_a_run_whose_worker_fell_silent_is_built_again_then_failed_after_three_losses(world):
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    run = ReportRun.objects.create(
        kind="register",
        year=2025,
        as_of=datetime.date(2025, 12, 31),
        township=world.township,
        scope_key="township:x",
        status="running",
        attempt=1,
        started_at=long_ago,
        heartbeat_at=long_ago,
    )
    assert services.report_runs_sweep() == 1  # handed to a worker (in-process here)
    run.refresh_from_db()
    assert (run.status, run.attempt, run.workers_lost, bool(run.file)) == ("done", 2, 1, True)

    dying = ReportRun.objects.create(
        kind="exit",
        year=2025,
        as_of=datetime.date(2025, 12, 31),
        township=world.township,
        scope_key="township:x",
        status="running",
        attempt=3,
        workers_lost=2,
        started_at=long_ago,
        heartbeat_at=long_ago,
    )
    services.report_runs_sweep()
    dying.refresh_from_db()
    assert dying.status == "failed" and "工作进程" in dying.error and not dying.file


def test_a_redelivered_task_builds_a_run_its_dead_worker_left_running(world):
    silent = timezone.now() - datetime.timedelta(minutes=10)
    run = ReportRun.objects.create(
        kind="register",
        year=2025,
        as_of=datetime.date(2025, 12, 31),
        township=world.township,
        scope_key="township:redo",
        status="running",
        attempt=1,
        started_at=silent,
        heartbeat_at=silent,
    )
    services.report_build(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempt) == ("done", 2)
    finished = run.finished_at
    services.report_build(run_id=run.pk)  # a third delivery does nothing
    run.refresh_from_db()
    assert (run.status, run.attempt, run.finished_at) == ("done", 2, finished)


def test_a_delivery_while_the_first_worker_is_alive_builds_nothing(world):
    run = ReportRun.objects.create(
        kind="register",
        year=2025,
        as_of=datetime.date(2025, 12, 31),
        township=world.township,
        scope_key="township:alive",
        status="running",
        attempt=1,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    services.report_build(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempt, run.file.name) == ("running", 1, "")


def test_a_cadre_builds_reports_over_their_own_households_only(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.profiles.cadre.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:list"), {"kind": "year_start", "year": "2025"})
    run = ReportRun.objects.get(cadre=world.profiles.cadre, kind="year_start")
    assert response["Location"] == reverse("reporting:run", args=[run.pk])
    assert run.status == "done", run.error
    text = pdf_text(run.file.path)
    assert world.households.own.members.get(relation="head").name in text
    assert world.households.colleague.members.get(relation="head").name not in text
    assert client.get(reverse("reporting:download", args=[world.runs.cadre2.pk])).status_code == 404


def test_leaders_build_their_townships_reports(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.profiles.leader.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:list"), {"kind": "exit", "year": "2025", "village": ""})
    run = ReportRun.objects.get(kind="exit")
    assert (run.township, run.village, run.cadre, run.status) == (
        world.township,
        None,
        None,
        "done",
    )
    page = client.get(reverse("reporting:run", args=[run.pk])).content.decode()
    assert reverse("reporting:download", args=[run.pk]) in page
    assert "贫困发生率" in pdf_text(run.file.path)


def test_the_progress_fragment_polls_until_done(world, client):
    run = ReportRun.objects.create(
        kind="exit",
        year=2025,
        as_of=datetime.date(2025, 12, 31),
        township=world.township,
        scope_key="township:p",
        status="running",
        progress=40,
    )
    client.force_login(world.profiles.leader.user)
    fragment = client.get(
        reverse("reporting:run", args=[run.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "40%" in fragment


def test_the_schedule_requests_the_reconciliation_reports_of_every_township(world, settings):
    settings.BANGFU_REPORT_SCHEDULE = [((7, 1), "mid_year")]
    runs = services.reports_scheduled(today=datetime.date(2025, 7, 1))
    assert {(r.kind, r.township_id) for r in runs} == {
        ("mid_year", world.township.pk),
        ("mid_year", world.other_township.pk),
    }
    assert services.reports_scheduled(today=datetime.date(2025, 7, 2)) == []


def test_the_command_builds_a_report(world, capsys):
    call_command(
        "build_report",
        "cards",
        "--year",
        "2025",
        "--township",
        world.township.code,
        "--village",
        world.villages.a1.code,
    )
    out = capsys.readouterr().out
    run = ReportRun.objects.filter(kind="cards").get()
    assert (run.status, run.village, run.version) == ("done", world.villages.a1, 1)
    assert out.startswith(f"{run.file.path} built in ")
    text = pdf_text(run.file.path)
    assert "建档立卡" in text
    h = world.households
    assert h.own.card_number in text and h.colleague.card_number in text
    assert h.neighbour.card_number not in text and h.outsider.card_number not in text


def test_a_households_card_prints_as_a_pdf_for_its_cadre(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.profiles.cadre.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:card_pdf", args=[world.households.own.pk]))
    run = ReportRun.objects.get(household=world.households.own)
    assert response["Location"] == reverse("reporting:run", args=[run.pk])
    assert run.status == "done", run.error
    assert "建档立卡" in pdf_text(run.file.path)
    assert (
        client.post(reverse("reporting:card_pdf", args=[world.households.colleague.pk])).status_code
        == 404
    )


def test_a_county_administrator_chooses_the_township(
    world, client, django_capture_on_commit_callbacks
):
    other = f.TownshipFactory(county=world.counties[0], code="520399200000")
    f.VillageFactory(township=other, code="520399200201")
    client.force_login(world.profiles.county.user)
    assert "township" in client.get(reverse("reporting:list")).context["form"].fields
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reporting:list"), {"kind": "register", "year": "2025", "township": other.pk}
        )
    assert ReportRun.objects.get(kind="register").township == other


def test_a_long_year_end_audit_is_drawn_a_section_at_a_time_and_reads_the_same(world, settings):
    """A long report is rendered in sections (WeasyPrint holds one section's layout at a
    time) and merged: every household once, the summary, the title and the signatures once,
    the table marked as continued, every page numbered through the whole document."""
    whole = build("year_end", township=world.township)
    assert whole.status == "done", whole.error
    settings.BANGFU_REPORT_SECTION_ROWS = 1  # three households: three sections
    run = ReportRun.objects.create(
        kind="year_end",
        year=2025,
        as_of=whole.as_of,
        scope_key=whole.scope_key,
        township=world.township,
        version=2,
    )
    services.report_build(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "done", run.error
    text, whole_text = pdf_text(run.file.path), pdf_text(whole.file.path)
    for hh in (world.households.own, world.households.colleague, world.households.neighbour):
        name = hh.members.get(relation="head").name
        assert text.count(name) == whole_text.count(name) >= 1, name
    for once in ("概览", "资金对账", "例外事项", "负责人签字", "截止"):
        assert text.count(once) == whole_text.count(once) >= 1, once
    assert "（续）" in text and "（续）" not in whole_text
    pages = text.count("\f")
    assert pages >= 4  # the opening, two further rows, the closing sections
    numbers = [int(n) for n in re.findall(rf"(\d+) ?/ ?{pages}\s*\f", text)]
    assert numbers == list(range(1, pages + 1))  # at the foot of every page, in order
    assert run.figures["rows"] == whole.figures["rows"]


def test_the_request_form_offers_the_scopes_villages_and_refuses_another(world, client):
    """The village select is written from the scope's kept place names; the field still
    checks what is sent against the scope."""
    client.force_login(world.profiles.staff.user)
    url = reverse("reporting:list")
    page = client.get(url).content.decode()
    select = page[
        page.index('name="village"') : page.index("</select>", page.index('name="village"'))
    ]
    offered = re.findall(r'<option value="(\d*)"', select)
    assert offered == ["", str(world.villages.a1.pk), str(world.villages.a2.pk)]
    assert world.villages.b1.name not in select
    refused = client.post(url, {"kind": "exit", "year": "2025", "village": world.villages.b1.pk})
    assert refused.status_code == 200 and "village" in refused.context["form"].errors
    assert not ReportRun.objects.filter(village=world.villages.b1).exists()


def test_the_report_list_pages_through_every_run_of_the_scope_newest_first(world, client):
    runs = [
        ReportRun.objects.create(
            kind="exit",
            year=2000 + n,
            as_of=datetime.date(2000 + n, 12, 31),
            scope_key=services.scope_key(township=world.township),
            township=world.township,
        )
        for n in range(23)
    ]
    client.force_login(world.profiles.leader.user)
    url = reverse("reporting:list")
    first = client.get(url)
    second = client.get(url, {"page": 2})
    shown = list(first.context["page"]) + list(second.context["page"])
    newest_first = sorted(
        ReportRun.objects.filter(township=world.township), key=lambda r: (r.created_at, r.pk)
    )[::-1]
    assert len(first.context["page"]) == 20 and len(shown) == len(runs) + 4  # and the world's
    assert shown == newest_first
    assert world.runs.b not in shown  # another township's
    assert reverse("reporting:run", args=[runs[0].pk]) in second.content.decode()
    assert "page=2" in first.content.decode()
