from celery import shared_task
from django.utils import translation

from households.imports import service
from households.models import ImportJob


def _language(job_id: int) -> str:
    return (
        ImportJob.objects.filter(pk=job_id).values_list("language", flat=True).first() or "zh-hans"
    )


@shared_task(acks_late=True)
def import_check(job_id: int) -> None:
    with translation.override(_language(job_id)):
        service.import_check(job_id=job_id)


@shared_task(acks_late=True)
def import_apply(job_id: int) -> None:
    with translation.override(_language(job_id)):
        service.import_apply(job_id=job_id)


@shared_task
def monitoring_refresh() -> int:
    """Daily: open monitoring cases for the households the rules flag."""
    from households.monitoring import monitoring_refresh as refresh

    return refresh()
