from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Sum

from assistance.models import DividendPayment
from households.models import HouseholdIncome


class Command(BaseCommand):
    """Make each year's ``HouseholdIncome.property_dividends`` the sum of the dividends paid
    to the household for that year again (the part of property income the payments make)."""

    help = "Recompute contract dividends in household incomes from the dividend payments."

    @transaction.atomic
    def handle(self, *args, **options):
        paid = {
            (row["contract__household_id"], row["year"]): row["s"]
            for row in DividendPayment.objects.values("contract__household_id", "year")
            .annotate(s=Sum("amount"))
            .order_by()
        }
        fixed = 0
        for income in HouseholdIncome.objects.select_for_update().order_by("pk"):
            wanted = paid.get((income.household_id, income.year), 0)
            if income.property_dividends != wanted:
                other = income.property_income - income.property_dividends
                income.property_dividends, income.property_income = wanted, other + wanted
                income._change_reason = "rebuild_contract_dividends"
                income.save()
                fixed += 1
        missing = set(paid) - set(HouseholdIncome.objects.values_list("household_id", "year"))
        self.stdout.write(
            f"rebuild_contract_dividends: {fixed} incomes corrected, "
            f"{len(missing)} paid years without an income row"
        )
