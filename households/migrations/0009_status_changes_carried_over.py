"""Carry each existing card's status over into dated status changes.

What is known is dated as it happened: registration on 1 January of the year identified
(an applicant on the day the card was made), and every completed identification or exit case
on the day it was completed. Where the card's status is not explained by those (a card
entered as already out of poverty, say), a fact is added dated when the card's change history
first shows that status, marked "carried over" so staff can see and correct it.
"""

import datetime

from django.db import migrations


def carry_over(apps, schema_editor):
    Household = apps.get_model("households", "Household")
    HistoricalHousehold = apps.get_model("households", "HistoricalHousehold")
    WorkflowCase = apps.get_model("households", "WorkflowCase")
    StatusChange = apps.get_model("households", "StatusChange")

    cases: dict[int, list] = {}
    for case in WorkflowCase.objects.filter(status="completed").order_by("finished_at", "pk"):
        cases.setdefault(case.household_id, []).append(case)
    first_seen: dict[tuple[int, str], datetime.datetime] = {}
    for hid, status, when in HistoricalHousehold.objects.order_by(
        "history_date", "history_id"
    ).values_list("id", "status", "history_date"):
        first_seen.setdefault((hid, status), when)

    new = []
    for household in Household.objects.order_by("pk").iterator():
        facts = []
        identified = any(c.kind == "identification" for c in cases.get(household.pk, []))
        if household.status == "applicant" or identified:
            facts.append(("applicant", household.created_at.date(), None))
        else:
            facts.append(("poor", datetime.date(household.year_identified, 1, 1), None))
        for case in cases.get(household.pk, []):
            status = "exited" if case.kind == "exit" else "poor"
            facts.append((status, case.finished_at.date(), case))
        if facts[-1][0] != household.status:
            seen = first_seen.get((household.pk, household.status))
            day = seen.date() if seen else household.created_at.date()
            facts.append((household.status, max(day, facts[-1][1]), None))
        for status, day, case in facts:
            new.append(
                StatusChange(
                    household_id=household.pk,
                    status=status,
                    effective_on=day,
                    source="workflow" if case else "carried_over",
                    case=case,
                    override_reason=case.override_reason if case else "",
                    override_by_id=case.override_by_id if case else None,
                )
            )
    StatusChange.objects.bulk_create(new, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("households", "0008_status_changes")]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
