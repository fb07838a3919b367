"""A broker that is down: the Celery app in this process sends to a port nobody listens on."""

import socket
from types import SimpleNamespace

import pytest

from township.celery import app as celery_app


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dead_broker(monkeypatch):
    """Tasks are really sent (not run in-process) to a broker that refuses connections.

    ``revive()`` brings the broker "back": tasks run in-process again, as in the other tests;
    ``kill()`` takes it down again.
    """
    conf = celery_app.conf
    saved = (conf.broker_url, conf.task_always_eager, celery_app._pool, conf.broker_write_url)
    saved_producers = celery_app.amqp._producer_pool

    def reset_pools():
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    def kill():
        dead = f"redis://127.0.0.1:{closed_port()}/0"
        # Celery reads the environment variable before its own setting.
        monkeypatch.setenv("CELERY_BROKER_URL", dead)
        conf.broker_url = conf.broker_write_url = dead  # tasks are sent to the write URL
        conf.task_always_eager = False
        reset_pools()

    def revive():
        monkeypatch.undo()
        conf.broker_url, conf.task_always_eager, conf.broker_write_url = (
            saved[0],
            saved[1],
            saved[3],
        )
        reset_pools()

    kill()
    yield SimpleNamespace(revive=revive, kill=kill)
    revive()
    celery_app._pool, celery_app.amqp._producer_pool = saved[2], saved_producers
