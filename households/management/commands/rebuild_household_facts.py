from django.core.management.base import BaseCommand

from households.services import household_facts_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the facts kept on each archive card (last visit, status) from the visits "
        "and status changes they summarise; print how many cards were corrected."
    )

    def handle(self, *args, **options):
        changed = household_facts_rebuild()
        self.stdout.write(f"{changed} archive cards corrected.")
