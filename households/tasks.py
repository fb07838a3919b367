from celery import shared_task
from django.conf import settings
from django.utils import translation

from households.imports import service
from households.models import ImportJob

# Like build_report: a task that dies with its worker is delivered again (acknowledged
# late, and rejected back to the queue when the pool loses the process), within the hard
# time limit that the broker's visibility timeout is set against (township/settings.py).
_LONG = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": settings.BANGFU_IMPORT_TIME_LIMIT_MINUTES * 60 - 30,
    "time_limit": settings.BANGFU_IMPORT_TIME_LIMIT_MINUTES * 60,
}


def _language(job_id: int) -> str:
    return (
        ImportJob.objects.filter(pk=job_id).values_list("language", flat=True).first() or "zh-hans"
    )


@shared_task(**_LONG)
def import_check(job_id: int) -> None:
    with translation.override(_language(job_id)):
        service.import_check(job_id=job_id)


@shared_task(**_LONG)
def import_apply(job_id: int) -> None:
    with translation.override(_language(job_id)):
        service.import_apply(job_id=job_id)


@shared_task
def import_jobs_sweep() -> int:
    with translation.override(settings.LANGUAGE_CODE):
        return service.import_jobs_sweep()


@shared_task
def monitoring_refresh() -> int:
    """Daily: open monitoring cases for the households the rules flag."""
    from households.monitoring import monitoring_refresh as refresh

    return refresh()
