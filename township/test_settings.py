"""Settings for the test suite: the real settings, made fast and self-contained.

The database and the broker still come from the environment, so the same suite runs on
SQLite and, in CI, on PostgreSQL with Redis.
"""

import os

os.environ.setdefault("DEBUG", "1")

from township.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Tasks run in the test process; the broker URL stays real so /healthz pings it.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
