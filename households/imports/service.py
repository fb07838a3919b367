"""Checking a roster against the database, and writing it: all or nothing.

The check runs twice: once for the preview (nothing written), and again inside the
transaction that writes, so what is written is exactly what the file says at that moment.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from households.imports.roster import Problem, RosterError, parse, read_rows
from households.models import (
    Household,
    HouseholdCause,
    HouseholdIncome,
    ImportJob,
    Member,
    Pairing,
    StatusChange,
)
from households.services import (
    historical_exit_date,
    household_cadres_refresh,
    household_member_facts_refresh,
    initial_status_facts,
    visit_villages_refresh,
)
from township import background, figures_cache
from township.access import can_manage_township
from township.models import StaffProfile, Township, Village

log = logging.getLogger(__name__)
# A job sent this long ago and still waiting is sent again (see import_jobs_sweep).
RESEND_AFTER = datetime.timedelta(minutes=5)

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
    "no_worry_food",
    "no_worry_clothing",
    "water_safe",
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
    new_pairings: list = field(default_factory=list)  # (RosterHousehold or Household, cadre)
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


def cadres_for(user) -> dict[str, list[StaffProfile]]:
    """The pairing cadres a roster may name, by name: those of the user's townships and
    those paired now with the user's households."""
    townships = Township.objects.visible_to(user)
    cadres = StaffProfile.objects.filter(role=StaffProfile.Role.CADRE).filter(
        Q(township__in=townships)
        | Q(
            pairings__end_date__isnull=True,
            pairings__household__in=Household.objects.visible_to(user),
        )
    )
    names: dict[str, list[StaffProfile]] = {}
    for cadre in cadres.distinct().order_by("pk"):
        names.setdefault(cadre.name, []).append(cadre)
    return names


def _cadre(item, cadres, problems) -> StaffProfile | None:
    name = item.fields.get("cadre")
    if not name:
        return None
    found = cadres.get(name, [])
    if len(found) != 1:
        problems.append(
            Problem(
                item.row,
                "帮扶责任人",
                name,
                _("No pairing cadre of this name in your area.")
                if not found
                else _("Several pairing cadres have this name: pair this household on its card."),
            )
        )
        return None
    return found[0]


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


# A duplicate outside the user's scope is reported without where it is.
ELSEWHERE = gettext_noop(
    "This ID number is already registered in a household outside your area: ask the township."
)


def _held(other: Member, visible: set[int]) -> str:
    if other.household_id not in visible:
        return _(ELSEWHERE)
    link = reverse("households:detail", args=[other.household_id])
    return _("Already a member of household %(card)s (%(link)s).") % {
        "card": other.household.card_number,
        "link": link,
    }


def check(path, *, user, progress=None) -> tuple[Plan, list[Problem]]:
    """The plan of what the roster at ``path`` would write, and every problem found.

    ``progress(rows read, rows the sheet says it has)`` is called as rows are read.
    """
    total = [settings.BANGFU_IMPORT_MAX_ROWS]
    rows = read_rows(
        path,
        max_rows=settings.BANGFU_IMPORT_MAX_ROWS,
        on_size=lambda n: total.__setitem__(0, n),
    )
    counted = (lambda count: progress(count, total[0])) if progress else None
    roster, problems = parse(rows, villages=villages_for(user), progress=counted)
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
        .filter(pk__in={m.household_id for m in existing.values()})
        .values_list("pk", flat=True)
    )
    cadres = cadres_for(user)
    may_pair = can_manage_township(user)
    paired_now = dict(
        Pairing.objects.current()
        .filter(household__in=list(households_by_head.values()))
        .values_list("household_id", "cadre_id")
    )
    plan = Plan()
    member_counts = {"create": 0, "update": 0, "same": 0}
    household_counts = {"create": 0, "update": 0, "same": 0}
    for item in roster:
        household = households_by_head.get(item.head_id)
        if household is not None and household.pk not in editable:
            problems.append(Problem(item.row, "户主身份证号", item.head_id, _(ELSEWHERE)))
            continue
        for row, member in item.members:
            other = existing.get(member["id_number"])
            if other is not None and (household is None or other.household_id != household.pk):
                message = _held(other, editable)
                problems.append(Problem(row, "身份证号", member["id_number"], message))
        cadre = _cadre(item, cadres, problems)
        if cadre is not None and paired_now.get(getattr(household, "pk", None)) != cadre.pk:
            if not may_pair:
                problems.append(
                    Problem(
                        item.row,
                        "帮扶责任人",
                        cadre.name,
                        _("Pairings are assigned by the township office."),
                    )
                )
            elif household is not None and household.pk in paired_now:
                problems.append(
                    Problem(
                        item.row,
                        "帮扶责任人",
                        cadre.name,
                        _("The household has another cadre: reassign it on the pairing page."),
                    )
                )
            else:
                plan.new_pairings.append((item if household is None else household, cadre))
        if household is None:
            plan.new_households.append(item)
            household_counts["create"] += 1
            member_counts["create"] += len(item.members)
            if item.income:
                plan.new_incomes.append(item)
            if len(plan.preview["create"]) < PREVIEW_ROWS:
                plan.preview["create"].append(_preview_row(item, item.fields["village"]))
            continue
        if "status" in item.fields and item.fields["status"] != household.status:
            problems.append(
                Problem(
                    item.row,
                    "户状态",
                    str(Household.Status(item.fields["status"]).label),
                    _(
                        "The card says “%(status)s”: a change of status is a dated step on "
                        "the card, not an import."
                    )
                    % {"status": household.get_status_display()},
                )
            )
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
            card_number=f"{fields['village'].code}{serials[fields['village'].pk]:04d}",
            status=item.fields.get("status", Household.Status.POOR),
            **fields,
        )
        households.append(household)
        by_head[item.head_id] = (household, item)
    bulk_create_with_history(households, Household, **kw)
    facts = []
    for household, item in by_head.values():
        exit_year = item.fields.get("exit_year")
        for fact in initial_status_facts(
            household,
            status=household.status,
            exited_on=historical_exit_date(exit_year) if exit_year else None,
            source=StatusChange.Source.IMPORT,
            user=user,
        ):
            fact.note = reason
            facts.append(fact)
    bulk_create_with_history(facts, StatusChange, **kw)
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
    pairings = [
        Pairing(
            household=by_head[target.head_id][0] if not isinstance(target, Household) else target,
            cadre=cadre,
            start_date=timezone.localdate(),
            reason=reason,
        )
        for target, cadre in plan.new_pairings
    ]
    bulk_create_with_history(pairings, Pairing, **kw)
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
    figures_cache.changed()
    touched = {m.household_id for m in members} | {
        m.household_id for m, _fields in plan.changed_members
    }
    household_member_facts_refresh(household_ids=touched)
    household_cadres_refresh(household_ids={p.household_id for p in pairings})
    visit_villages_refresh(household_ids=changed)


def send_check(job_id: int) -> bool:
    from households import tasks

    return background.send(tasks.import_check, ImportJob, job_id)


def send_apply(job_id: int) -> bool:
    from households import tasks

    return background.send(tasks.import_apply, ImportJob, job_id)


def _claim(job_id: int, *, waiting: Q, working: str) -> int | None:
    """Take the job for this worker and mark it ``working``: the attempt number, or None
    when it is not ours.

    Ours when it waits (``waiting``), or when it is ``working`` but its worker fell silent
    (a message delivered again after its worker died). The row lock closes the race of two
    deliveries at once (a double click on "write" sends two).
    """
    now = timezone.now()
    silent = Q(status=working, heartbeat_at__lt=background.silent_since(now))
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(waiting | silent, pk=job_id).first()
        if job is None:
            return None
        if job.status == working and job.heartbeat_at is not None:  # its worker was lost
            job.workers_lost += 1
            if job.workers_lost >= settings.BANGFU_TASK_MAX_LOST:
                ImportJob.objects.filter(pk=job_id).update(
                    status=ImportJob.Status.FAILED,
                    workers_lost=job.workers_lost,
                    error=_lost_message(),
                )
                return None
        job.attempt += 1
        ImportJob.objects.filter(pk=job_id).update(
            status=working,
            attempt=job.attempt,
            workers_lost=job.workers_lost,
            heartbeat_at=now,
            error="",
        )
    return job.attempt


def _lost_message() -> str:
    return _("The worker stopped several times while handling this file. Upload it again.")


def import_check(*, job_id: int) -> None:
    Status = ImportJob.Status
    attempt = _claim(
        job_id,
        waiting=Q(status=Status.CHECKING, heartbeat_at__isnull=True),
        working=Status.CHECKING,
    )
    if attempt is None:
        return
    mine = ImportJob.objects.filter(pk=job_id, status=Status.CHECKING, attempt=attempt)
    with background.heartbeat(ImportJob, job_id, attempt, status=Status.CHECKING):
        _check(job_id, mine)


def _check(job_id: int, mine) -> None:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)

    def progress(count, total):
        mine.update(progress=min(95, 5 + count * 90 // max(total, 1)), heartbeat_at=timezone.now())

    try:
        plan, problems = check(job.file.path, user=job.created_by, progress=progress)
    except RosterError as error:
        mine.update(
            status=ImportJob.Status.REFUSED, error=str(error), progress=100, heartbeat_at=None
        )
        return
    except Exception as error:
        log.exception("import job %s: the check failed", job_id)
        mine.update(status=ImportJob.Status.FAILED, error=str(error)[:2000], heartbeat_at=None)
        return
    status = ImportJob.Status.REFUSED if problems else ImportJob.Status.CHECKED
    mine.update(
        status=status,
        progress=100,
        heartbeat_at=None,
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


def import_apply_undo(*, job: ImportJob) -> None:
    """The confirmation could not be sent (the broker is down): the job waits to be
    confirmed again, unless a worker has taken it meanwhile."""
    ImportJob.objects.filter(
        pk=job.pk, status=ImportJob.Status.APPLYING, heartbeat_at__isnull=True
    ).update(status=ImportJob.Status.CHECKED)


def import_apply(*, job_id: int) -> None:
    """Write a checked import: check again inside the transaction, then all or nothing."""
    Status = ImportJob.Status
    # A checked job, or one whose writing was handed back by the sweeper (heartbeat empty).
    attempt = _claim(
        job_id,
        waiting=Q(status=Status.CHECKED) | Q(status=Status.APPLYING, heartbeat_at__isnull=True),
        working=Status.APPLYING,
    )
    if attempt is None:
        return
    mine = ImportJob.objects.filter(pk=job_id, status=Status.APPLYING, attempt=attempt)
    with background.heartbeat(ImportJob, job_id, attempt, status=Status.APPLYING):
        _apply(job_id, mine)


def _apply(job_id: int, mine) -> None:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
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
            # In the same transaction as the rows: "applied" exactly when they are written,
            # and only by the attempt that still owns the job (else all of it rolls back).
            if not mine.update(
                status=ImportJob.Status.APPLIED,
                applied_at=timezone.now(),
                counts=plan.counts,
                heartbeat_at=None,
            ):
                raise RosterError(_("Another worker took over this import."))
    except Exception as error:
        mine.update(status=ImportJob.Status.FAILED, error=str(error)[:2000], heartbeat_at=None)


def import_jobs_sweep(*, now=None) -> int:
    """Every minute (Celery beat), like the report runs: jobs whose worker was lost are
    handed to another worker (or failed after too many lost workers), jobs the broker never
    got are sent again, jobs sent but never started for twice the time limit are failed.
    Returns the jobs touched."""
    Status = ImportJob.Status
    now = now or timezone.now()
    limit = datetime.timedelta(minutes=settings.BANGFU_IMPORT_TIME_LIMIT_MINUTES)
    touched = 0
    silent = ImportJob.objects.filter(
        status__in=[Status.CHECKING, Status.APPLYING],
        heartbeat_at__lt=background.silent_since(now),
    )
    for job in silent.order_by("pk"):
        touched += 1
        same = ImportJob.objects.filter(
            pk=job.pk, status=job.status, attempt=job.attempt, heartbeat_at=job.heartbeat_at
        )
        if job.workers_lost + 1 >= settings.BANGFU_TASK_MAX_LOST:
            same.update(
                status=Status.FAILED, workers_lost=job.workers_lost + 1, error=_lost_message()
            )
        elif same.update(heartbeat_at=None, workers_lost=job.workers_lost + 1):
            # Nothing of a lost writing was kept (all or nothing): write it again.
            (send_check if job.status == Status.CHECKING else send_apply)(job.pk)
    waiting = ImportJob.objects.filter(status=Status.CHECKING, attempt=0)
    never = waiting.filter(created_at__lt=now - 2 * limit, dispatched_at__isnull=False)
    touched += never.update(
        status=Status.FAILED,
        error=_("The check never started. Upload the file again."),
    )
    unsent = waiting.filter(
        dispatched_at__isnull=True, created_at__lt=now - datetime.timedelta(minutes=1)
    )
    # Sent a while ago and not taken: the message may be lost; a second one is harmless.
    forgotten = waiting.filter(dispatched_at__lt=now - RESEND_AFTER)
    for job in [*unsent.order_by("pk"), *forgotten.order_by("pk")]:
        touched += 1
        send_check(job.pk)
    return touched
