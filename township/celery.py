"""The Celery app, configured from Django settings (``CELERY_*``)."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "township.settings")

app = Celery("bangfu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Tasks run outside requests, so their queries are not checked for scope, even when a request
# runs them in-process (see township.scoping). Imported here, not at the top: the settings
# must be known first.
from township import scoping  # noqa: E402

task_prerun.connect(scoping.task_started, weak=False)
task_postrun.connect(scoping.task_ended, weak=False)
