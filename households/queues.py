"""Work queues: what waits for each role in its scope, for the home page and the navigation.

A queue has sections: the identification and exit steps owned by the user's role
(``households.workflows.STEPS``), the monitoring and return-to-poverty steps
(``households.monitoring``), the removals waiting for approval (``households.services``),
the households due a visit (a pairing cadre's), the plan items due (given by the caller: they
live in ``assistance``, to the right of this app), and the user's checked imports waiting for
confirmation. Who owns a step is read from the same tables the services check before they
allow the step, so a queue cannot offer what its reader may not do.

The navigation bar shows the total of every section, counted in one query
(``count_each``); the home page lists the first rows of each section that is not empty.
"""

import datetime
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from households import monitoring, policy, workflows
from households.models import (
    Household,
    ImportJob,
    MonitoringCase,
    Removal,
    WorkflowCase,
    WorkflowStep,
)
from households.services import REMOVAL_DECIDERS
from township.access import profile_for

# Rows listed per section on the home page; the section's count says how many there are.
ROWS_PER_SECTION = 10
# A notice whose period ends within this many days is flagged on the queue.
NOTICE_ENDS_SOON_DAYS = 2
# A household whose visit falls due within this many days is listed before it is overdue.
VISIT_DUE_SOON_DAYS = 7
# Plan items due within this many days are listed.
PLAN_ITEMS_AHEAD_DAYS = 30

SECTIONS = {
    "workflow": gettext_lazy("Identification and exit steps"),
    "monitoring": gettext_lazy("Monitoring: verifications and returns"),
    "removal": gettext_lazy("Removals from the register to decide"),
    "visit": gettext_lazy("Visits due"),
    "plan": gettext_lazy("Plan items due"),
    "import": gettext_lazy("Imports to confirm"),
}


def _role(user) -> str | None:
    profile = profile_for(user)
    return profile.role if profile else None


def workflow_pairs(user) -> list[tuple[str, str]]:
    """The (kind, step) pairs whose step ``user``'s role owns (every pair for a superuser)."""
    role = _role(user)
    return [
        (kind, step.key)
        for kind, steps in workflows.STEPS.items()
        for step in steps
        if user.is_superuser or role in step.roles
    ]


def monitoring_statuses(user) -> list[str]:
    """The monitoring case statuses whose next step ``user``'s role owns."""
    role = _role(user)
    statuses = [
        status
        for status, (_next, roles) in monitoring.REMOVAL.items()
        if user.is_superuser or role in roles
    ]
    if user.is_superuser or role in monitoring.RETURN_DECIDERS:
        statuses.append(MonitoringCase.Status.RETURN_PROPOSED)
    return statuses


def _any(pairs) -> Q:
    q = Q(pk__in=[])
    for kind, step in pairs:
        q |= Q(kind=kind, step=step)
    return q


def waiting_cases(user) -> QuerySet:
    pairs = workflow_pairs(user)
    if not pairs:
        return WorkflowCase.objects.none()
    return (
        WorkflowCase.objects.visible_to(user)
        .filter(status=WorkflowCase.Status.OPEN)
        .filter(_any(pairs))
    )


def waiting_monitoring(user) -> QuerySet:
    statuses = monitoring_statuses(user)
    if not statuses:
        return MonitoringCase.objects.none()
    return MonitoringCase.objects.visible_to(user).filter(status__in=statuses)


def waiting_removals(user) -> QuerySet:
    if not (user.is_superuser or _role(user) in REMOVAL_DECIDERS):
        return Removal.objects.none()
    return Removal.objects.visible_to(user).filter(status=Removal.Status.PROPOSED)


def visits_due(user, *, today: datetime.date) -> QuerySet:
    """A pairing cadre's registered households due a visit within a week, or overdue."""
    if _role(user) != "cadre":
        return Household.objects.none()
    since = policy.visit_due_since(today + datetime.timedelta(days=VISIT_DUE_SOON_DAYS))
    return (
        Household.objects.visible_to(user)
        .filter(status__in=policy.REGISTERED)
        .filter(Q(last_visit_on__isnull=True) | Q(last_visit_on__lt=since))
    )


def imports_to_confirm(user) -> QuerySet:
    return ImportJob.objects.filter(created_by=user, status=ImportJob.Status.CHECKED)


def sections(user, *, today: datetime.date, plan_items: QuerySet | None = None) -> dict:
    """Each section's queryset of what waits for ``user``."""
    return {
        "workflow": waiting_cases(user),
        "monitoring": waiting_monitoring(user),
        "removal": waiting_removals(user),
        "visit": visits_due(user, today=today),
        "plan": plan_items if plan_items is not None else Household.objects.none(),
        "import": imports_to_confirm(user),
    }


def count_each(querysets: dict[str, QuerySet]) -> dict[str, int]:
    """Count several querysets in one round trip to the database:
    ``SELECT (SELECT COUNT(*) FROM (…) c0), (SELECT COUNT(*) FROM (…) c1), …``.

    Each subquery is the queryset's own SQL, so a count is exactly what its list shows.
    """
    counts = dict.fromkeys(querysets, 0)
    parts, params, names, using = [], [], [], None
    for name, qs in querysets.items():
        query = qs.order_by().values("pk").query
        if query.is_empty():
            continue
        sql, sql_params = query.get_compiler(using=qs.db).as_sql()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS c{len(parts)})")
        params.extend(sql_params)
        names.append(name)
        using = qs.db
    if parts:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            counts.update(zip(names, cursor.fetchone(), strict=True))
    return counts


@dataclass
class Row:
    """One thing waiting: what to do, for which household, since when, and where."""

    section: str
    pk: int
    title: str
    url: str
    household: str = ""
    village: str = ""
    card_number: str = ""
    since: datetime.date | None = None
    waited_days: int | None = None
    due: datetime.date | None = None
    overdue: bool = False
    notice_until: datetime.date | None = None
    notice_ends_soon: bool = False

    @property
    def key(self) -> str:
        return f"{self.section}:{self.pk}"


@dataclass
class Queue:
    counts: dict[str, int]
    rows: dict[str, list[Row]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def listed(self) -> list[dict]:
        """The sections with something waiting, in order, for the template."""
        return [
            {
                "name": name,
                "label": label,
                "count": self.counts[name],
                "rows": self.rows.get(name, []),
                "more": self.counts[name] - len(self.rows.get(name, [])),
            }
            for name, label in SECTIONS.items()
            if self.counts.get(name)
        ]

    @property
    def keys(self) -> set[str]:
        return {row.key for rows in self.rows.values() for row in rows}


def _day(value) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _workflow_rows(qs: QuerySet, today: datetime.date) -> list[Row]:
    steps = WorkflowStep.objects.filter(case=OuterRef("pk")).order_by("-at", "-pk")
    notices = steps.filter(action=WorkflowStep.Action.DONE, data__has_key="posted_until")
    cases = (
        qs.select_related("household__village")
        .annotate(
            last_step_at=Subquery(steps.values("at")[:1]),
            notice_step=Subquery(notices.values("step")[:1]),
            notice_until=Subquery(
                notices.annotate(until=KT("data__posted_until")).values("until")[:1]
            ),
        )
        .order_by(F("last_step_at").asc(nulls_first=True), "started_at", "pk")[:ROWS_PER_SECTION]
    )
    rows = []
    for case in cases:
        step = workflows.current_step(case)
        keys = [s.key for s in workflows.steps_of(case)]
        index = keys.index(case.step)
        # The case waits on a notice when the step before its current one posts it.
        before = workflows.steps_of(case)[index - 1] if index else None
        until = None
        if before is not None and before.notice and case.notice_step == before.key:
            until = datetime.date.fromisoformat(case.notice_until)
        since = _day(case.last_step_at) or _day(case.started_at)
        rows.append(
            Row(
                "workflow",
                case.pk,
                f"{case.get_kind_display()} · {step.label}",
                f"{case.household.get_absolute_url()}#workflow",
                case.household.head_name,
                case.household.village.name,
                case.household.card_number,
                since=since,
                waited_days=(today - since).days,
                notice_until=until,
                notice_ends_soon=until is not None
                and today <= until <= today + datetime.timedelta(days=NOTICE_ENDS_SOON_DAYS),
            )
        )
    return rows


def _monitoring_rows(qs: QuerySet, today: datetime.date) -> list[Row]:
    changed = MonitoringCase.history.model.objects.filter(id=OuterRef("pk")).order_by(
        "-history_date"
    )
    cases = (
        qs.select_related("household__village")
        .annotate(changed_at=Subquery(changed.values("history_date")[:1]))
        .order_by("opened_on", "pk")[:ROWS_PER_SECTION]
    )
    rows = []
    for case in cases:
        since = max(filter(None, [case.opened_on, _day(case.changed_at)]))
        if case.status == MonitoringCase.Status.RETURN_PROPOSED:
            title = _("Decide the proposed return to poverty")
        elif case.status == MonitoringCase.Status.OPEN:
            title = _("Verify the monitored household")
        else:
            title = _("Next step of the risk removal")
        rows.append(
            Row(
                "monitoring",
                case.pk,
                f"{case.get_category_display()} · {title}",
                f"{case.household.get_absolute_url()}#monitoring",
                case.household.head_name,
                case.household.village.name,
                case.household.card_number,
                since=since,
                waited_days=(today - since).days,
            )
        )
    return rows


def _removal_rows(qs: QuerySet, today: datetime.date) -> list[Row]:
    removals = qs.select_related("household__village").order_by("proposed_on", "pk")[
        :ROWS_PER_SECTION
    ]
    return [
        Row(
            "removal",
            r.pk,
            _("Removal from the register: %(reason)s") % {"reason": r.get_reason_display()},
            f"{r.household.get_absolute_url()}#status",
            r.household.head_name,
            r.household.village.name,
            r.household.card_number,
            since=r.proposed_on,
            waited_days=(today - r.proposed_on).days,
        )
        for r in removals
    ]


def _visit_rows(qs: QuerySet, today: datetime.date) -> list[Row]:
    households = qs.select_related("village").order_by(
        F("last_visit_on").asc(nulls_first=True), "card_number"
    )[:ROWS_PER_SECTION]
    rows = []
    for h in households:
        due = policy.next_visit_due(h.last_visit_on)
        rows.append(
            Row(
                "visit",
                h.pk,
                _("Visit due"),
                reverse("households:visit_create", args=[h.pk]),
                h.head_name,
                h.village.name,
                h.card_number,
                since=h.last_visit_on,
                due=due,
                overdue=due is None or due < today,
            )
        )
    return rows


def _plan_rows(qs: QuerySet, today: datetime.date) -> list[Row]:
    items = qs.select_related("plan__household__village").order_by("due_date", "pk")[
        :ROWS_PER_SECTION
    ]
    return [
        Row(
            "plan",
            item.pk,
            item.description,
            reverse("assistance:plan", args=[item.plan_id]),
            item.plan.household.head_name,
            item.plan.household.village.name,
            item.plan.household.card_number,
            due=item.due_date,
            overdue=item.due_date < today,
        )
        for item in items
    ]


def _import_rows(qs: QuerySet, today: datetime.date) -> list[Row]:
    jobs = qs.order_by("created_at", "pk")[:ROWS_PER_SECTION]
    return [
        Row(
            "import",
            job.pk,
            _("Confirm the checked import “%(name)s”") % {"name": job.filename},
            reverse("households:import", args=[job.pk]),
            since=_day(job.created_at),
            waited_days=(today - _day(job.created_at)).days,
        )
        for job in jobs
    ]


ROWS = {
    "workflow": _workflow_rows,
    "monitoring": _monitoring_rows,
    "removal": _removal_rows,
    "visit": _visit_rows,
    "plan": _plan_rows,
    "import": _import_rows,
}


def queue_for(
    user,
    *,
    today: datetime.date,
    plan_items: QuerySet | None = None,
    counts: dict[str, int] | None = None,
) -> Queue:
    """The whole queue of ``user``: every section's count, and the first rows of each section
    that has any (one query for the counts, one for each section listed)."""
    querysets = sections(user, today=today, plan_items=plan_items)
    counts = counts if counts is not None else count_each(querysets)
    queue = Queue(counts=counts)
    for name in SECTIONS:
        if counts.get(name):
            queue.rows[name] = ROWS[name](querysets[name], today)
    return queue
