import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from reporting import services
from reporting.models import ReportRun
from reporting.selectors import phase_date
from township.models import StaffProfile, Township, Village


class Command(BaseCommand):
    help = "Build a report now, in this process, and print where its PDF is."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[k for k, _ in ReportRun.Kind.choices])
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--township", required=True, help="The township's 12-digit division code."
        )
        parser.add_argument(
            "--village", help="A village's division code (default: the whole township)."
        )
        parser.add_argument("--cadre", help="A pairing cadre's username: only their households.")
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            help="The day the report is drawn up to (YYYY-MM-DD; default: the account's day).",
        )

    def handle(self, *args, kind, year, township, village=None, cadre=None, as_of=None, **options):
        try:
            place = {"township": Township.objects.get(code=township)}
            if village:
                place["village"] = Village.objects.get(code=village, township=place["township"])
            if cadre:
                place["cadre"] = StaffProfile.objects.get(
                    user__username=cadre, role=StaffProfile.Role.CADRE
                )
        except (Township.DoesNotExist, Village.DoesNotExist, StaffProfile.DoesNotExist) as exc:
            raise CommandError(str(exc)) from exc
        as_of = as_of or phase_date(kind, year)
        if as_of.year != year:
            raise CommandError("--as-of must be a day of --year.")
        key = services.scope_key(**place)
        last = (
            ReportRun.objects.filter(kind=kind, scope_key=key, year=year, as_of=as_of)
            .order_by("-version")
            .first()
        )
        run = ReportRun.objects.create(
            kind=kind,
            year=year,
            as_of=as_of,
            scope_key=key,
            version=(last.version + 1 if last else 1),
            **place,
        )
        started = time.monotonic()
        services.report_build(run_id=run.pk, in_parts=False)  # every section drawn here
        run.refresh_from_db()
        if run.status != ReportRun.Status.DONE:
            raise CommandError(f"run {run.pk} failed: {run.error}")
        self.stdout.write(f"{run.file.path} built in {time.monotonic() - started:.1f} s")
