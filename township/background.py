"""Background work that a dead broker or a lost worker cannot lose or do twice.

Report runs and roster imports are rows that Celery tasks work on. Three things can go
wrong between the page that asks and the worker that builds, and each is answered here:

- **The broker is down when the page asks.** :func:`send` catches the failure instead of
  answering 500: the row stays waiting with ``dispatched_at`` empty, the page tells the
  user, and the sweeper (Celery beat, every minute) sends it again once the broker is back.
  Asking again sends it again at once.
- **The worker is lost mid-task** (``kill -9``, out of memory, a machine restart). While a
  task works, :func:`heartbeat` marks its row alive every ``BANGFU_HEARTBEAT_SECONDS``; a
  row silent for ``BANGFU_WORKER_SILENT_SECONDS`` has lost its worker, and the sweeper
  hands it to another worker within minutes. After ``BANGFU_TASK_MAX_LOST`` lost workers it
  is failed rather than tried for ever (a report that kills its worker every time).
- **A message is delivered twice**: Redis hands an unacknowledged message to another worker
  after the broker's visibility timeout, and the sweeper may send a row again. Whoever
  claims the row first works on it (a row lock decides); the claim numbers the attempt,
  and every later write of the task is conditional on that number, so a late duplicate
  changes nothing and exactly one attempt finishes the row.
"""

import contextlib
import datetime
import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connections, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import KombuError

log = logging.getLogger(__name__)

# What a failed send raises: kombu wraps the transport's errors in OperationalError, and a
# refused or reset socket can also surface as OSError.
SEND_ERRORS = (KombuError, OSError)


class BackgroundWork(models.Model):
    """The fields a row needs to be sent, claimed and watched (see the module's doc)."""

    dispatched_at = models.DateTimeField(_("sent to the workers at"), null=True, blank=True)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=0)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    workers_lost = models.PositiveSmallIntegerField(_("workers lost"), default=0)

    class Meta:
        abstract = True


def silent_since(now: datetime.datetime | None = None) -> datetime.datetime:
    """A row whose last sign of life is older than this has lost its worker."""
    return (now or timezone.now()) - datetime.timedelta(
        seconds=settings.BANGFU_WORKER_SILENT_SECONDS
    )


def send(task, model, pk: int, *args) -> bool:
    """Hand ``task(pk, *args)`` to the broker; note when, or that it could not be done.

    Never raises for a broker that is down or unreachable: the row keeps an empty
    ``dispatched_at``, which the sweeper and the next request look for.
    """
    try:
        task.apply_async(
            args=[pk, *args], retry=True, retry_policy=settings.BANGFU_SEND_RETRY_POLICY
        )
    except SEND_ERRORS as error:
        log.warning("could not send %s for %s %s: %s", task.name, model.__name__, pk, error)
        model.objects.filter(pk=pk).update(dispatched_at=None)
        return False
    model.objects.filter(pk=pk).update(dispatched_at=timezone.now())
    return True


def _in_process() -> bool:
    from township.celery import app

    return bool(app.conf.task_always_eager)


@contextlib.contextmanager
def heartbeat(model, pk: int, attempt: int, **still):
    """Mark the row alive while the body runs (from a thread, so a long PDF render counts).

    The mark is conditional on the attempt (and on ``still``, e.g. the status), so a worker
    that was given up on cannot make its row look alive again. Tasks run in-process (no
    broker, and the tests) have no worker to lose and start no thread.
    """
    if _in_process():
        yield
        return
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(settings.BANGFU_HEARTBEAT_SECONDS):
                try:
                    model.objects.filter(pk=pk, attempt=attempt, **still).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # a database hiccup: the next beat tries again
                    log.exception("heartbeat of %s %s failed", model.__name__, pk)
                    close_old_connections()
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{model.__name__}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
