from celery import shared_task
from django.core.management import call_command


@shared_task
def sessions_clear_expired() -> None:
    """Delete expired sessions (the idle timeout leaves many behind)."""
    call_command("clearsessions")
