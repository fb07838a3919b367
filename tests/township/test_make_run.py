"""`make run` (bin/run): the web server and a real worker over the file-system broker.

Started as on a fresh clone (an empty SQLite file, the demo data, no broker server), a
report requested as township staff is answered at once, built by the worker while the page
polls its progress, and Ctrl-C stops both processes.
"""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Just enough of a browser: cookies, and the CSRF token from the last form read."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str, **headers) -> tuple[str, str]:
        request = urllib.request.Request(self.base + path, headers=headers)
        with self.opener.open(request, timeout=30) as response:
            return response.geturl(), response.read().decode()

    def post(self, path: str, data: dict) -> tuple[str, str]:
        csrf = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": csrf}).encode()
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        with self.opener.open(request, timeout=30) as response:
            return response.geturl(), response.read().decode()


@pytest.fixture
def make_run(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "CELERY_TASK_ALWAYS_EAGER"}
    }
    port = _free_port()
    env.update(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'bangfu.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        BANGFU_BROKER_DIR=str(tmp_path / "broker"),
        BANGFU_BEAT_SCHEDULE=str(tmp_path / "celerybeat-schedule"),
        HOST=f"127.0.0.1:{port}",
        VENV=str(Path(sys.executable).parent.parent),
    )
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=300
        )
    log = (tmp_path / "run.log").open("w")
    # Its own process group, as a terminal gives it: Ctrl-C reaches the whole group.
    process = subprocess.Popen(
        ["bin/run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()
            break
        except OSError:
            time.sleep(0.5)
    else:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("make run did not answer:\n" + (tmp_path / "run.log").read_text())
    yield base, process, tmp_path / "run.log"
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_make_run_builds_a_report_in_the_background_and_ctrl_c_stops_both(make_run):
    base, process, log = make_run
    browser = Browser(base)
    assert '"broker": "ok"' in browser.get("/healthz")[1]
    browser.get("/accounts/login/")
    browser.post("/accounts/login/", {"username": "staff", "password": "bangfu-demo"})
    _, page = browser.get("/reports/")
    village = re.search(r'<select name="village"[^>]*>.*?<option value="(\d+)"', page, re.S)[1]

    started = time.monotonic()
    url, page = browser.post(
        "/reports/", {"kind": "register", "year": "2026", "village": village, "township": ""}
    )
    answered = time.monotonic() - started
    # The request only queues the work: the page comes back before the PDF exists.
    assert re.search(r"/reports/\d+/$", url), url
    assert answered < 5, answered
    assert 'hx-trigger="every 1s"' in page  # the page polls its progress

    path = urllib.parse.urlparse(url).path
    states = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        _, fragment = browser.get(path, **{"HX-Request": "true"})
        done = 'id="download"' in fragment
        progress = re.search(r'aria-valuenow="(\d+)"', fragment)
        state = "done" if done else f"building {progress[1] if progress else '?'}%"
        if not states or states[-1] != state:
            states.append(state)
        if done or "alert-danger" in fragment:
            break
        time.sleep(0.5)
    assert states[0].startswith("building"), states
    assert states[-1] == "done", (states, log.read_text()[-3000:])
    worker_log = log.read_text()
    assert "reporting.tasks.build_report" in worker_log and "succeeded" in worker_log

    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
    process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while _group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _group_alive(process.pid), "a process of make run is still running"
