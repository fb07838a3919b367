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
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    # Transactional tests are separated by emptying every table (TRUNCATE), which the
    # ledger refuses unless the session says it means it (assistance migration 0003).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (  # noqa: F405
        "-c jit=off -c bangfu.ledger_truncate=allowed"
    )
# A test may slow a report build down to kill its worker mid-build (reporting/services.py).
BANGFU_TEST_BUILD_PAUSE_SECONDS = env.float("BANGFU_TEST_BUILD_PAUSE_SECONDS", default=0)  # noqa: F405
