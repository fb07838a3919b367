from celery import shared_task

from households.imports import service


@shared_task(acks_late=True)
def import_check(job_id: int) -> None:
    service.import_check(job_id=job_id)


@shared_task(acks_late=True)
def import_apply(job_id: int) -> None:
    service.import_apply(job_id=job_id)
