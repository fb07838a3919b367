import time

import pytest

from township.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_answers_json_without_login(client):
    response = client.get("/healthz")
    body = response.json()
    assert body["database"] == "ok"
    assert response["Content-Type"] == "application/json"


def test_healthz_reports_the_broker_it_is_configured_with(client):
    # In CI the broker is the real Redis server; on a laptop tasks run in-process.
    body = client.get("/healthz").json()
    expected = "in-process" if celery_app.conf.broker_url.startswith("memory://") else "ok"
    assert body["broker"] == expected
    # Without a worker consuming the queue the app is "degraded" (see the heartbeat tests).
    assert body["status"] == "ok" if expected == "in-process" else body["status"] != "error"


def test_healthz_answers_503_when_the_broker_is_unreachable(client, monkeypatch):
    # Nothing listens on port 1: the connection is refused at once.
    for key in ("broker_url", "broker_write_url"):
        monkeypatch.setattr(celery_app.conf, key, "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")
    assert response.json()["status"] == "error"


needs_redis = pytest.mark.skipif(
    not celery_app.conf.broker_url.startswith("redis://"),
    reason="the heartbeat is kept in the Redis broker (as in CI)",
)


@needs_redis
def test_healthz_says_when_no_worker_consumes_tasks(client):
    from township import heartbeat
    from township.tasks import worker_heartbeat

    heartbeat._client().delete(heartbeat.KEY)
    response = client.get("/healthz")
    assert response.status_code == 200  # the pages still work: only the queue waits
    assert response.json()["status"] == "degraded"
    assert response.json()["worker"].startswith("none")

    worker_heartbeat.apply()  # what a worker does when it consumes the beat's task
    body = client.get("/healthz").json()
    assert (body["status"], body["worker"]) == ("ok", "ok")

    heartbeat.heartbeat_write(now=time.time() - 600)  # the last worker went away
    body = client.get("/healthz").json()
    assert body["status"] == "degraded" and "600 s ago" in body["worker"]


def test_healthz_stays_fast_without_a_worker(client):
    started = time.monotonic()
    client.get("/healthz")
    assert time.monotonic() - started < 1.5


def test_the_beat_schedule_asks_for_a_heartbeat_more_often_than_healthz_tolerates(settings):
    from township.tasks import worker_heartbeat

    entry = settings.CELERY_BEAT_SCHEDULE["worker-heartbeat"]
    assert entry["task"] == worker_heartbeat.name
    assert entry["schedule"].total_seconds() < settings.BANGFU_WORKER_HEARTBEAT_MAX_AGE
