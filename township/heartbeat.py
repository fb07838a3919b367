"""Is any Celery worker consuming tasks? A heartbeat task, and how long ago it last ran.

Celery beat queues ``township.tasks.worker_heartbeat`` every ``BANGFU_WORKER_HEARTBEAT_SECONDS``;
whichever worker consumes it writes the time into Redis (the broker's own server, so no
other service is needed). ``/healthz`` reads that time back: one Redis GET, never a
broadcast to the workers, so the probe stays fast when no worker is there. A heartbeat
older than ``BANGFU_WORKER_HEARTBEAT_MAX_AGE`` seconds means no worker has consumed the queue
since: the broker holds tasks, but nothing runs them.
"""

import functools
import time

import redis
from django.conf import settings

KEY = "bangfu:worker-heartbeat"


@functools.lru_cache(maxsize=4)
def _client_for(url: str) -> redis.Redis:
    """One client, and its pool of connections, per broker URL in a process: a probe asked
    several times a second opened two connections each time before, and some of those
    connects waited hundreds of milliseconds. Idle connections are checked before use."""
    return redis.Redis.from_url(
        url, socket_timeout=1, socket_connect_timeout=1, health_check_interval=30
    )


def _client() -> redis.Redis:
    return _client_for(settings.CELERY_BROKER_URL)


def broker_ping(url: str) -> None:
    """Ask the broker's Redis server for an answer; raises when it cannot be reached."""
    _client_for(url).ping()


def heartbeat_write(now: float | None = None) -> None:
    """Record that a worker ran a task just now (kept a day, then it expires by itself)."""
    _client().set(KEY, repr(now if now is not None else time.time()), ex=24 * 3600)


def heartbeat_age(now: float | None = None) -> float | None:
    """Seconds since a worker last ran the heartbeat task; None if none ever has."""
    value = _client().get(KEY)
    if value is None:
        return None
    return max(0.0, (now if now is not None else time.time()) - float(value))
