"""The web process keeps what it loaded at start out of the garbage collector's full passes."""

import gc
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path


def _python(*args: str) -> str:
    """What a fresh interpreter prints, run in the project's root with the test settings."""
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "township.test_settings"},
    ).stdout.strip()


def test_the_wsgi_module_freezes_what_it_loaded():
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    import township.wsgi

    importlib.reload(township.wsgi)
    try:
        assert gc.get_freeze_count() > 10_000  # Django and the apps, not a handful of objects
    finally:
        gc.unfreeze()


def test_a_web_process_loads_its_urls_and_views_before_its_first_request():
    # In a fresh interpreter: this one has long loaded them.
    script = "import sys, township.wsgi; print('households.views' in sys.modules)"
    assert _python("-c", script) == "True"


def test_loading_the_web_app_opens_no_database_connection():
    # gunicorn loads the app once, in its master, and forks the workers from it
    # (gunicorn.conf.py: preload_app): a connection opened while loading would be shared
    # by every worker, their queries crossing on one socket.
    script = (
        "import township.wsgi\n"
        "from django.db import connections\n"
        "print(sorted(a for a in connections if connections[a].connection is not None))"
    )
    assert _python("-c", script) == "[]"


def test_gunicorn_runs_the_measured_settings():
    # gunicorn.conf.py, read from the working directory by the Docker image, docker-compose
    # and bench/pages.py: sync workers (threads made most pages slower, measured).
    printed = _python("-m", "gunicorn", "--print-config", "township.wsgi")
    settings = dict(re.findall(r"^(\w+)\s*= (.*)$", printed, re.M))
    assert settings["worker_class"] == "sync"
    assert settings["threads"] == "1"
    assert settings["preload_app"] == "True"
    assert settings["timeout"] == "30"
    assert int(settings["workers"]) >= 2
    # A replaced worker reconnects and recompiles: not every few seconds under load.
    assert int(settings["max_requests"]) >= 10_000
