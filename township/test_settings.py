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
# Tasks run in the test process; the broker URL stays real so /healthz pings it. The
# end-to-end report test starts a real worker with this turned off.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)  # noqa: F405
CELERY_TASK_EAGER_PROPAGATES = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
