import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from township.tasks import sessions_clear_expired

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "bangfu.example.org",
    "DATABASE_URL": "sqlite:////tmp/bangfu-settings-test.sqlite3",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}


def load_settings(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.SESSION_COOKIE_SECURE, settings.DEBUG)",
        ],
        env={**clean, "DJANGO_SETTINGS_MODULE": "township.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_start_with_the_essentials():
    result = load_settings(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"]
)
def test_production_settings_refuse_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = load_settings(**env)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


@pytest.mark.django_db
def test_the_session_cleanup_task_deletes_expired_sessions():
    for minutes in (-5, 30):
        store = SessionStore()
        store.create()
        Session.objects.filter(session_key=store.session_key).update(
            expire_date=timezone.now() + datetime.timedelta(minutes=minutes)
        )
    sessions_clear_expired.delay()
    assert Session.objects.count() == 1
