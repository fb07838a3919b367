from celery import shared_task
from django.core.management import call_command


@shared_task
def sessions_clear_expired() -> None:
    """Delete expired sessions (the idle timeout leaves many behind)."""
    call_command("clearsessions")


@shared_task(ignore_result=True, acks_late=False)
def worker_heartbeat() -> None:
    """Whichever worker consumes this records the time: /healthz reads it back."""
    from township.heartbeat import heartbeat_write

    heartbeat_write()
