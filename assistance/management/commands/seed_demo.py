import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from assistance.demo import seed_assistance
from households.demo import DEMO_PASSWORD, seed_demo


def analyze() -> None:
    """Bring the planner's statistics up to the rows just loaded. Without them, PostgreSQL
    plans a county's pages for the empty tables it last looked at (seconds instead of
    milliseconds) until autovacuum gets round to the tables. Outside a transaction the
    tables are vacuumed too, as autovacuum would: counts then read the indexes alone."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("VACUUM (ANALYZE)")
        else:
            cursor.execute("ANALYZE")


class Command(BaseCommand):
    """The demo of every room: ``households.demo``, then ``assistance.demo``. It lives in the
    rightmost app with demo data, since it composes the apps to its left."""

    help = (
        "Build the demo county, township, villages, households, assistance and logins (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--households",
            type=int,
            default=None,
            help="How many households (default 400; 50,000 with --county).",
        )
        parser.add_argument(
            "--county",
            action="store_true",
            help="A county-scale demo: 20 townships of 12 villages, households spread evenly.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=(
                "With --county on PostgreSQL: how many processes write the townships side by "
                "side (default: one per CPU). The rows are the same whatever the number."
            ),
        )

    def handle(self, *args, households: int | None, county: bool, workers: int | None, **options):
        households = households or (50_000 if county else 400)
        if not 1 <= households <= 100_000:
            raise CommandError(_("--households must be between 1 and 100000."))
        side_by_side = connection.vendor == "postgresql"
        if workers is None:
            workers = min(os.cpu_count() or 1, 16) if side_by_side else 1
        if not 1 <= workers <= 16 or (workers > 1 and not side_by_side):
            raise CommandError(_("--workers must be between 1 and 16, and 1 on SQLite."))
        if county:
            from households.demo_county import seed_county

            result = seed_county(households=households, workers=workers)
            analyze()
            self.stdout.write(
                self.style.SUCCESS(
                    f"seed_demo --county: {result['created']} households created, "
                    f"{result['total']} in the county. Township logins t01staff … t19staff "
                    f"and the demo township's; password {DEMO_PASSWORD!r}."
                )
            )
            return
        result = seed_demo(households=households)
        seed_assistance()
        analyze()
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_demo: {result['created']} households created, "
                f"{result['total']} in the demo township. Logins county, leader, staff, "
                f"team, cadre, cadre2, admin; password {DEMO_PASSWORD!r}."
            )
        )
