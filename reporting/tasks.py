from celery import shared_task
from django.conf import settings

from reporting import services

# A report build, a part or a merge: delivered again if it dies with its worker, and
# stopped at the build time limit.
REPORT_TASK = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": settings.BANGFU_REPORT_STALE_MINUTES * 60 - 30,
    "time_limit": settings.BANGFU_REPORT_STALE_MINUTES * 60,
}


@shared_task(**REPORT_TASK)
def build_report(run_id: int) -> None:
    services.report_build(run_id=run_id)


@shared_task(**REPORT_TASK)
def build_report_part(run_id: int, attempt: int, township_id: int) -> None:
    from reporting.parts import report_part_build

    report_part_build(run_id=run_id, attempt=attempt, township_id=township_id)


@shared_task(**REPORT_TASK)
def build_report_section(run_id: int, attempt: int, index: int) -> None:
    from reporting.parts import report_section_build

    report_section_build(run_id=run_id, attempt=attempt, index=index)


@shared_task(**REPORT_TASK)
def merge_report_parts(run_id: int, attempt: int) -> None:
    from reporting.parts import report_parts_merge

    report_parts_merge(run_id=run_id, attempt=attempt)


@shared_task
def report_runs_sweep() -> int:
    return services.report_runs_sweep()


@shared_task
def report_temp_files_sweep() -> int:
    from reporting.pdf import temp_files_sweep

    return temp_files_sweep()


@shared_task
def reports_scheduled() -> int:
    return len(services.reports_scheduled())
