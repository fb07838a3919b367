from django.core.management.base import BaseCommand

from households.services import household_facts_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the facts kept on each archive card (last visit, status, head's name) from "
        "the visits, status changes and members they summarise, and each visit's village from "
        "its card; print how many cards and visits were corrected."
    )

    def handle(self, *args, **options):
        changed = household_facts_rebuild()
        self.stdout.write(f"{changed} archive cards and visits corrected.")
