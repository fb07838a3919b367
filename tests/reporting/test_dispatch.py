"""Requesting a report while the broker is down: no error page, no run stuck for ever."""

import pytest
from django.urls import reverse

from reporting.models import ReportRun
from reporting.tasks import report_runs_sweep

# Transactional, so that tasks are sent on commit inside the request, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def leader(client, world):
    client.force_login(world.profiles.leader.user)
    client.raise_request_exception = False  # see the status a browser would get
    return client


def ask(client):
    return client.post(
        reverse("reporting:list"), {"kind": "register", "year": "2025", "village": ""}
    )


def test_a_report_asked_for_while_the_broker_is_down_is_kept_and_the_user_told(
    leader, world, dead_broker
):
    response = ask(leader)

    run = ReportRun.objects.get(kind="register", year=2025)
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:run", args=[run.pk])
    assert run.status == "queued" and run.dispatched_at is None
    page = leader.get(response["Location"]).content.decode()
    assert "暂时无法提交" in page  # "could not be sent right now"


def test_asking_again_once_the_broker_is_back_builds_the_report(leader, world, dead_broker):
    first = ask(leader)
    dead_broker.revive()

    again = ask(leader)

    assert again["Location"] == first["Location"]  # the same run, not a second one
    run = ReportRun.objects.get(kind="register", year=2025)
    assert (run.status, run.version, bool(run.file)) == ("done", 1, True), run.error


def test_the_sweeper_sends_what_the_broker_refused_once_it_is_back(leader, world, dead_broker):
    ask(leader)
    run = ReportRun.objects.get(kind="register", year=2025)
    ReportRun.objects.filter(pk=run.pk).update(created_at=run.created_at.replace(year=2024))
    dead_broker.revive()

    report_runs_sweep.delay()  # as Celery beat sends it every minute

    run.refresh_from_db()
    assert (run.status, bool(run.file)) == ("done", True), run.error
