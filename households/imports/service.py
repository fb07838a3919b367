"""Checking a roster against the database, and writing it: all or nothing.

The check runs twice: once for the preview (nothing written), and again inside the
transaction that writes, so what is written is exactly what the file says at that moment.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from households.imports.roster import Problem, RosterError, estimate_rows, parse, read_rows
from households.models import Household, HouseholdCause, HouseholdIncome, ImportJob, Member
from township.models import Village

MEMBER_FIELDS = [
    "name",
    "sex",
    "relation",
    "ethnicity",
    "education",
    "schooling",
    "health",
    "disability_grade",
    "labour",
    "migrant_months",
]
HOUSEHOLD_FIELDS = [
    "village",
    "group_name",
    "phone",
    "address",
    "attribute",
    "year_identified",
    "housing",
]
INCOME_FIELDS = [
    "wage_income",
    "business_income",
    "property_income",
    "transfer_income",
    "production_cost",
    "members_count",
]


@dataclass
class Plan:
    new_households: list = field(default_factory=list)  # (RosterHousehold)
    changed_households: list = field(default_factory=list)  # (Household, changed field names)
    new_members: list = field(default_factory=list)  # (RosterHousehold or Household, member dict)
    changed_members: list = field(default_factory=list)
    new_incomes: list = field(default_factory=list)
    changed_incomes: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    # What the preview lists: the households to create and to change, with their key fields.
    preview: dict = field(default_factory=lambda: {"create": [], "update": []})


PREVIEW_ROWS = 500  # each list of the preview stops here; the counts say how many in all


def _preview_row(item, village, *, card: str = "", changes: list[str] | None = None) -> dict:
    head = next((m["name"] for _row, m in item.members if m["id_number"] == item.head_id), "")
    row = {"head": head, "village": village.name, "card": card, "members": len(item.members)}
    if changes is not None:
        row["changes"] = changes
    return row


def village_choices(user) -> list[str]:
    """How a roster names each of the user's villages: its name, or its code when ambiguous."""
    lookup = villages_for(user)
    named = {v.pk for key, v in lookup.items() if key == v.name}
    villages = sorted({v.pk: v for v in lookup.values()}.values(), key=lambda v: v.code)
    return [v.name if v.pk in named else v.code for v in villages]


def villages_for(user) -> dict[str, Village]:
    """The villages a roster may name, by code and (when unambiguous) by name."""
    villages = list(Village.objects.visible_to(user))
    names: dict[str, list[Village]] = {}
    for v in villages:
        names.setdefault(v.name, []).append(v)
    lookup = {name: found[0] for name, found in names.items() if len(found) == 1}
    lookup.update({v.code: v for v in villages})
    return lookup


def _chunks(items, size=2000):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _apply_fields(obj, values: dict, names) -> list[str]:
    changed = []
    for name in names:
        if name not in values:
            continue
        value = values[name]
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def check(path, *, user, progress=None) -> tuple[Plan, list[Problem]]:
    rows = read_rows(path, max_rows=settings.BANGFU_IMPORT_MAX_ROWS)
    roster, problems = parse(rows, villages=villages_for(user), progress=progress)
    ids = {m["id_number"] for h in roster for _, m in h.members}
    existing: dict[str, Member] = {}
    for chunk in _chunks(ids):
        for member in Member.objects.filter(id_number__in=chunk, is_active=True).select_related(
            "household__village"
        ):
            existing[member.id_number] = member
    households_by_head = {
        m.id_number: m.household for m in existing.values() if m.relation == Member.Relation.HEAD
    }
    incomes = {}
    for chunk in _chunks([h.pk for h in households_by_head.values()]):
        for income in HouseholdIncome.objects.filter(household_id__in=chunk):
            incomes[(income.household_id, income.year)] = income
    editable = set(
        Household.objects.visible_to(user)
        .filter(pk__in=[h.pk for h in households_by_head.values()])
        .values_list("pk", flat=True)
    )
    plan = Plan()
    member_counts = {"create": 0, "update": 0, "same": 0}
    household_counts = {"create": 0, "update": 0, "same": 0}
    for item in roster:
        household = households_by_head.get(item.head_id)
        if household is not None and household.pk not in editable:
            problems.append(
                Problem(
                    item.row,
                    "户主身份证号",
                    item.head_id,
                    _("This household is outside your area."),
                )
            )
            continue
        for row, member in item.members:
            other = existing.get(member["id_number"])
            if other is not None and (household is None or other.household_id != household.pk):
                link = reverse("households:detail", args=[other.household_id])
                problems.append(
                    Problem(
                        row,
                        "身份证号",
                        member["id_number"],
                        _("Already a member of household %(card)s (%(link)s).")
                        % {"card": other.household.card_number, "link": link},
                    )
                )
        if household is None:
            plan.new_households.append(item)
            household_counts["create"] += 1
            member_counts["create"] += len(item.members)
            if item.income:
                plan.new_incomes.append(item)
            if len(plan.preview["create"]) < PREVIEW_ROWS:
                plan.preview["create"].append(_preview_row(item, item.fields["village"]))
            continue
        changed = _apply_fields(household, item.fields, HOUSEHOLD_FIELDS)
        if changed:
            plan.changed_households.append((household, changed))
        household_counts["update" if changed else "same"] += 1
        changes = [str(Household._meta.get_field(name).verbose_name) for name in changed]
        added = updated = 0
        for _row, member in item.members:
            current = existing.get(member["id_number"])
            if current is None:
                plan.new_members.append((household, member))
                member_counts["create"] += 1
                added += 1
                continue
            fields = _apply_fields(current, member, MEMBER_FIELDS)
            if fields:
                plan.changed_members.append((current, fields))
                updated += 1
            member_counts["update" if fields else "same"] += 1
        if added:
            changes.append(_("%(n)d new members") % {"n": added})
        if updated:
            changes.append(_("%(n)d members changed") % {"n": updated})
        if item.income:
            values = {**item.income, "members_count": max(len(item.members), 1)}
            income = incomes.get((household.pk, values["year"]))
            if income is None:
                plan.new_incomes.append((household, values))
                changes.append(_("income %(year)d added") % {"year": values["year"]})
            elif _apply_fields(income, values, INCOME_FIELDS):
                plan.changed_incomes.append(income)
                changes.append(_("income %(year)d changed") % {"year": values["year"]})
        if changes and len(plan.preview["update"]) < PREVIEW_ROWS:
            plan.preview["update"].append(
                _preview_row(
                    item,
                    item.fields.get("village") or household.village,
                    card=household.card_number,
                    changes=changes,
                )
            )
    plan.counts = {
        "households": household_counts,
        "members": member_counts,
        "rows": sum(len(h.members) for h in roster),
    }
    return plan, problems


def _next_card_numbers(villages) -> dict[int, int]:
    Village.objects.select_for_update().filter(pk__in=[v.pk for v in villages]).order_by(
        "pk"
    ).exists()
    serials = {}
    for village in villages:
        last = (
            Household.objects.filter(village=village)
            .order_by("-card_number")
            .values_list("card_number", flat=True)
            .first()
        )
        serials[village.pk] = int(last[-4:]) if last else 0
    return serials


def write(plan: Plan, *, user, reason: str) -> None:
    """Write the plan of a clean check. The caller holds the transaction."""
    kw = {"default_user": user, "default_change_reason": reason, "batch_size": 2000}
    villages = {item.fields["village"].pk: item.fields["village"] for item in plan.new_households}
    serials = _next_card_numbers(villages.values())
    households, by_head = [], {}
    for item in plan.new_households:
        fields = {k: v for k, v in item.fields.items() if k in HOUSEHOLD_FIELDS}
        fields.setdefault("year_identified", timezone.localdate().year)
        serials[fields["village"].pk] += 1
        household = Household(
            card_number=f"{fields['village'].code}{serials[fields['village'].pk]:04d}", **fields
        )
        households.append(household)
        by_head[item.head_id] = (household, item)
    bulk_create_with_history(households, Household, **kw)
    members, causes, incomes = [], [], []
    for household, item in by_head.values():
        for _row, member in item.members:
            members.append(Member(household=household, **member))
        if item.main_cause:
            causes.append(HouseholdCause(household=household, cause=item.main_cause, is_main=True))
        if item.income:
            incomes.append(
                HouseholdIncome(
                    household=household, members_count=max(len(item.members), 1), **item.income
                )
            )
    for household, member in plan.new_members:
        members.append(Member(household=household, **member))
    for household, values in [x for x in plan.new_incomes if isinstance(x, tuple)]:
        incomes.append(HouseholdIncome(household=household, **values))
    bulk_create_with_history(members, Member, **kw)
    bulk_create_with_history(causes, HouseholdCause, **kw)
    bulk_create_with_history(incomes, HouseholdIncome, **kw)
    for objs, model, names in (
        ([h for h, _fields in plan.changed_households], Household, HOUSEHOLD_FIELDS),
        ([m for m, _fields in plan.changed_members], Member, MEMBER_FIELDS),
        (plan.changed_incomes, HouseholdIncome, INCOME_FIELDS),
    ):
        if objs:
            bulk_update_with_history(objs, model, names, **kw)
    # Card edits in the same moment must see a new version (optimistic locking).
    changed = [h.pk for h, _fields in plan.changed_households]
    if changed:
        from django.db.models import F

        Household.objects.filter(pk__in=changed).update(version=F("version") + 1)


def import_check(*, job_id: int) -> None:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    total = estimate_rows(job.file.path) or settings.BANGFU_IMPORT_MAX_ROWS

    def progress(count):
        ImportJob.objects.filter(pk=job_id).update(progress=min(95, 5 + count * 90 // total))

    try:
        plan, problems = check(job.file.path, user=job.created_by, progress=progress)
    except RosterError as error:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.REFUSED, error=str(error), progress=100
        )
        return
    status = ImportJob.Status.REFUSED if problems else ImportJob.Status.CHECKED
    ImportJob.objects.filter(pk=job_id).update(
        status=status,
        progress=100,
        counts=plan.counts,
        preview=plan.preview,
        problems=[p.as_dict() for p in problems[:2000]],
        error=_("%(n)d problems: nothing was written.") % {"n": len(problems)} if problems else "",
    )


def import_apply_request(*, job: ImportJob) -> bool:
    """Confirm a checked import: it is marked as being written before the task is queued, so
    the page shows (and polls) the writing at once. False if it was not waiting to be written.
    """
    return bool(
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.CHECKED).update(
            status=ImportJob.Status.APPLYING, error=""
        )
    )


def import_apply(*, job_id: int) -> None:
    """Write a confirmed import: check again inside the transaction, then all or nothing."""
    try:
        with transaction.atomic():
            # Race: the task delivered twice (late acknowledgement). The row lock makes the
            # second wait, then find the import written and do nothing.
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            if job.status != ImportJob.Status.APPLYING:
                return
            plan, problems = check(job.file.path, user=job.created_by)
            if problems:
                raise RosterError(_("The data changed since the check: check the file again."))
            write(plan, user=job.created_by, reason=f"import {job.pk}: {job.filename}"[:100])
            job.status = ImportJob.Status.APPLIED
            job.applied_at = timezone.now()
            job.counts = plan.counts
            job.save(update_fields=["status", "applied_at", "counts"])
    except Exception as error:
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.APPLYING).update(
            status=ImportJob.Status.FAILED, error=str(error)[:2000]
        )
