"""/healthz sees a real worker: the heartbeat task sent over Redis is consumed and recorded."""

import time

from tests.reporting.test_worker_end_to_end import pytestmark as needs_a_worker
from tests.reporting.test_worker_end_to_end import worker  # noqa: F401 - the fixture
from township import heartbeat
from township.tasks import worker_heartbeat

pytestmark = needs_a_worker


def test_healthz_reports_a_worker_once_one_consumes_the_queue(worker, client):  # noqa: F811
    heartbeat._client().delete(heartbeat.KEY)
    assert client.get("/healthz").json()["worker"].startswith("none")
    worker_heartbeat.delay()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        body = client.get("/healthz").json()
        if body["worker"] == "ok":
            break
        time.sleep(0.3)
    assert (body["status"], body["worker"]) == ("ok", "ok")
    worker.terminate()
    worker.wait(timeout=20)
    heartbeat.heartbeat_write(now=time.time() - 3600)
    assert client.get("/healthz").json()["status"] == "degraded"
