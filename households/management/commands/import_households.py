from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from households.imports import service
from households.models import ImportJob


class Command(BaseCommand):
    help = "Check a household roster (.xlsx) as a user would upload it; with --apply, write it."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--user", required=True, help="Whose scope and name the import carries."
        )
        parser.add_argument(
            "--apply", action="store_true", help="Write the roster if it has no problems."
        )

    def handle(self, *args, path, user, apply, **options):
        try:
            owner = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"no user {user!r}") from exc
        with open(path, "rb") as handle:
            job = ImportJob(filename=path.rsplit("/", 1)[-1][:200], created_by=owner)
            job.file.save(job.filename, File(handle), save=False)
            job.save()
        service.import_check(job_id=job.pk)
        job.refresh_from_db()
        for problem in job.problems:
            where = f"row {problem['row']} {problem['column']} {problem['value']!r}"
            self.stdout.write(f"{where}: {problem['message']}")
        self.stdout.write(f"{job.get_status_display()}: {job.counts}")
        if job.status != ImportJob.Status.CHECKED:
            raise CommandError(job.error or job.get_status_display())
        if apply:
            service.import_apply_request(job=job)
            service.import_apply(job_id=job.pk)
            job.refresh_from_db()
            if job.status != ImportJob.Status.APPLIED:
                raise CommandError(job.error)
            self.stdout.write(self.style.SUCCESS(f"written: {job.counts}"))
