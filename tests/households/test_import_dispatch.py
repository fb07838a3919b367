"""Roster imports while the broker is down or a worker is lost: no error page, no job stuck."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from households.imports.service import import_jobs_sweep
from households.models import ImportJob, Member
from households.tasks import import_jobs_sweep as import_jobs_sweep_task
from tests.households.test_import import person, roster, upload

# Transactional, so that tasks are sent on commit inside the request, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff(client, world):
    client.force_login(world.profiles.staff.user)
    client.raise_request_exception = False  # see the status a browser would get
    return client


def test_an_upload_while_the_broker_is_down_is_kept_and_the_user_told(staff, world, dead_broker):
    job, response = upload(staff, roster([person(1, world.villages.a1)]))

    assert response.status_code == 302
    assert response["Location"] == reverse("households:import", args=[job.pk])
    assert (job.status, job.dispatched_at) == ("checking", None)
    assert "暂时无法提交" in staff.get(response["Location"]).content.decode()


def test_the_sweeper_checks_an_unsent_upload_once_the_broker_is_back(staff, world, dead_broker):
    job, _ = upload(staff, roster([person(1, world.villages.a1)]))
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=2)
    )
    dead_broker.revive()

    import_jobs_sweep_task.delay()  # as Celery beat sends it every minute

    job.refresh_from_db()
    assert job.status == "checked", (job.error, job.problems)
    assert job.counts["members"]["create"] == 1


def test_writing_while_the_broker_is_down_writes_nothing_and_says_so(staff, world, dead_broker):
    dead_broker.revive()
    job, _ = upload(staff, roster([person(1, world.villages.a1)]))
    assert job.status == "checked"
    dead_broker.kill()

    response = staff.post(reverse("households:import_apply", args=[job.pk]), follow=True)

    assert response.status_code == 200
    assert "暂时无法连接" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "checked" and not Member.objects.filter(name="人1").exists()
    dead_broker.revive()
    staff.post(reverse("households:import_apply", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "applied" and Member.objects.filter(name="人1").count() == 1


def silent_job(world, status, **fields):
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    job = ImportJob.objects.create(
        filename="roster.xlsx",
        created_by=world.profiles.staff.user,
        status=status,
        attempt=1,
        heartbeat_at=long_ago,
        dispatched_at=long_ago,
        **fields,
    )
    job.file.save("roster.xlsx", _content(world), save=True)
    return job


def _content(world):
    from django.core.files.base import ContentFile

    return ContentFile(roster([person(1, world.villages.a1)]))


def test_a_check_whose_worker_was_lost_is_done_again_then_failed_after_three_losses(world):
    job = silent_job(world, "checking")
    assert import_jobs_sweep() == 1
    job.refresh_from_db()
    assert (job.status, job.attempt, job.workers_lost) == ("checked", 2, 1)

    dying = silent_job(world, "checking", workers_lost=2)
    import_jobs_sweep()
    dying.refresh_from_db()
    assert dying.status == "failed" and "上传" in dying.error


def test_a_writing_whose_worker_was_lost_is_written_once(world):
    job = silent_job(world, "applying")

    import_jobs_sweep()
    import_jobs_sweep()  # a second sweep (or a message delivered again) writes nothing more

    job.refresh_from_db()
    assert (job.status, job.attempt) == ("applied", 2)
    assert Member.objects.filter(name="人1").count() == 1
