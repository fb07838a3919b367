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
    assert body["status"] == "ok"


def test_healthz_answers_503_when_the_broker_is_unreachable(client, monkeypatch):
    # Nothing listens on port 1: the connection is refused at once.
    for key in ("broker_url", "broker_write_url"):
        monkeypatch.setattr(celery_app.conf, key, "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")
    assert response.json()["status"] == "error"
