"""The county demo written by several processes side by side holds the same rows as one
written a township at a time. The processes see only committed rows, so these tests commit
(a transactional database, put back as the migrations left it: ``tests.migrated``)."""

import pytest
from django.utils import timezone

from assistance.models import Delivery, LedgerEntry, Loan, PlanItem
from households.demo_county import seed_county
from households.models import (
    ExitTarget,
    Household,
    Member,
    MonitoringCase,
    StatusChange,
    Visit,
    WorkflowCase,
)
from tests.migrated import back_to_migrated
from township.models import StaffProfile

pytestmark = pytest.mark.django_db(transaction=True)

TOWNSHIPS = 4  # of the county's 20: each costs seconds however small


def content() -> dict:
    """What the demo wrote, by what identifies it rather than by primary keys (which depend
    on which process wrote first)."""
    card = "household__card_number"
    return {
        "households": sorted(
            Household.objects.values_list(
                "card_number",
                "village__code",
                "status",
                "head_name",
                "head_id_number",
                "members_count",
                "last_visit_on",
                "current_cadre__user__username",
            )
        ),
        "members": sorted(Member.objects.values_list(card, "id_number", "name", "relation")),
        "facts": sorted(StatusChange.objects.values_list(card, "status", "effective_on")),
        "visits": sorted(Visit.objects.values_list(card, "visited_on", "visitor__username")),
        "people": sorted(
            StaffProfile.objects.values_list("user__username", "name", "role", "unit", "phone")
        ),
        "items": sorted(
            PlanItem.objects.values_list(
                f"plan__{card}", "plan__target_income", "kind__code", "status", "closed_on"
            )
        ),
        "deliveries": sorted(
            Delivery.objects.values_list(f"item__plan__{card}", "amount", "delivered_on")
        ),
        "ledger": sorted(
            LedgerEntry.objects.values_list(
                "fund__township__code", "fund__name", "voucher", "kind", "amount", "entry_date"
            )
        ),
        "loans": sorted(Loan.objects.values_list(card, "bank", "principal", "disbursed_on")),
        "cases": sorted(WorkflowCase.objects.values_list(card, "kind", "status")),
        "monitoring": sorted(MonitoringCase.objects.values_list(card, "category")),
        "targets": sorted(
            ExitTarget.objects.values_list(
                "year", "help_unit__name", "village__code", "households"
            ),
            key=str,
        ),
    }


def test_townships_written_side_by_side_hold_the_same_rows_as_written_in_turn():
    back_to_migrated()  # an earlier transactional test may have emptied it
    households, today = TOWNSHIPS * 6, timezone.localdate()
    result = seed_county(households=households, today=today, workers=1, townships=TOWNSHIPS)
    assert result == {"created": households, "total": households}
    in_turn = content()
    assert len(in_turn["members"]) > households and in_turn["ledger"] and in_turn["loans"]
    assert {code[:9] for code, *_ in in_turn["households"]} == {
        f"520399{100 + i:03d}" for i in range(TOWNSHIPS)
    }
    back_to_migrated()
    assert not Household.objects.exists()
    result = seed_county(households=households, today=today, workers=2, townships=TOWNSHIPS)
    assert result == {"created": households, "total": households}
    assert content() == in_turn
