"""Each role's work queue on the home page, and its count in the navigation bar."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from households import queues, workflows
from households.models import ImportJob, MonitoringCase, Removal, WorkflowCase, WorkflowStep
from tests import factories as f
from township.models import StaffProfile

pytestmark = pytest.mark.django_db
Role = StaffProfile.Role

# Who owns each waiting step, written out here (not read from the code it checks).
OWNERS = {
    ("exit", "assessment"): {Role.VILLAGE_TEAM, Role.CADRE},
    ("exit", "appraisal"): {Role.VILLAGE_TEAM},
    ("exit", "notice"): {Role.VILLAGE_TEAM},
    ("exit", "confirmation"): {Role.VILLAGE_TEAM, Role.CADRE},
    ("exit", "township_review"): {Role.TOWNSHIP_STAFF},
    ("exit", "county_approval"): {Role.COUNTY_ADMIN},
    ("exit", "announcement"): {Role.TOWNSHIP_STAFF},
    ("identification", "application"): {Role.VILLAGE_TEAM},
    ("identification", "appraisal"): {Role.VILLAGE_TEAM},
    ("identification", "notice"): {Role.VILLAGE_TEAM},
    ("identification", "township_review"): {Role.TOWNSHIP_STAFF},
    ("identification", "second_notice"): {Role.TOWNSHIP_STAFF},
    ("identification", "county_approval"): {Role.COUNTY_ADMIN},
    ("identification", "announcement"): {Role.TOWNSHIP_STAFF},
    ("monitoring", "open"): {Role.CADRE, Role.VILLAGE_TEAM},
    ("monitoring", "verified"): {Role.VILLAGE_TEAM},
    ("monitoring", "noticed"): {Role.TOWNSHIP_STAFF},
    ("monitoring", "returning"): {Role.COUNTY_ADMIN},
    ("removal", "proposed"): {Role.COUNTY_ADMIN},
}
PROFILE_OF_ROLE = {
    Role.COUNTY_ADMIN: "county",
    Role.LEADER: "leader",
    Role.TOWNSHIP_STAFF: "staff",
    Role.VILLAGE_TEAM: "team",
    Role.CADRE: "cadre",
}


def test_the_table_names_every_step_of_every_workflow():
    steps = {(kind, s.key) for kind, ss in workflows.STEPS.items() for s in ss}
    assert steps == {k for k in OWNERS if k[0] in ("exit", "identification")}


def _household(world):
    """A household every role of township A sees: in village A1, paired with `cadre`."""
    household = f.HouseholdFactory(village=world.villages.a1)
    f.HeadFactory(household=household, name=f"户主{household.pk}")
    f.PairingFactory(household=household, cadre=world.profiles.cadre)
    return household


@pytest.fixture
def waiting(world):
    """One thing waiting at every step: {(kind, step): queue key}."""
    staff = world.profiles.staff.user
    keys = {}
    for kind, step in OWNERS:
        household = _household(world)
        if kind in ("exit", "identification"):
            case = WorkflowCase.objects.create(
                household=household, kind=kind, step=step, started_by=staff
            )
            keys[(kind, step)] = f"workflow:{case.pk}"
        elif kind == "monitoring":
            case = MonitoringCase.objects.create(
                household=household,
                category="hardship",
                reason="病",
                opened_on=timezone.localdate(),
                status=step,
            )
            keys[(kind, step)] = f"monitoring:{case.pk}"
        else:
            removal = Removal.objects.create(
                household=household,
                reason="moved_away",
                explanation="迁出",
                proposed_by=staff,
                proposed_on=timezone.localdate(),
            )
            keys[(kind, step)] = f"removal:{removal.pk}"
    return keys


@pytest.mark.parametrize("role", Role.values)
def test_each_step_is_in_its_owners_queue_and_in_no_other(
    client, world, waiting, role, monkeypatch
):
    monkeypatch.setattr(queues, "ROWS_PER_SECTION", 100)
    client.force_login(getattr(world.profiles, PROFILE_OF_ROLE[role]).user)
    queue = client.get(reverse("home")).context["queue"]
    shown = {step for step, key in waiting.items() if key in queue.keys}
    assert shown == {step for step, owners in OWNERS.items() if role in owners}


def test_a_township_outside_the_scope_queues_nothing_of_another(client, world, waiting):
    other_staff = f.ProfileFactory(role=Role.TOWNSHIP_STAFF, township=world.other_township)
    client.force_login(other_staff.user)
    queue = client.get(reverse("home")).context["queue"]
    assert not set(waiting.values()) & queue.keys


def test_the_navigation_counts_what_the_queue_holds(client, world, waiting):
    client.force_login(world.profiles.team.user)
    response = client.get(reverse("home"))
    queue = response.context["queue"]
    # Village A1's team: four exit steps, three identification steps, two monitoring steps,
    # and the world's two exit cases of A1 waiting for an assessment.
    assert queue.counts["workflow"] == 4 + 3 + 2
    assert queue.counts["monitoring"] == 2
    badge = re.search(r'id="queue-count"[^>]*>(\d+)', response.content.decode())
    # ... and the plan items of A1's two households, overdue since 2025.
    assert queue.counts["plan"] == 2
    assert badge and int(badge.group(1)) == queue.total == 9 + 2 + 2
    # Another page carries the same count.
    page = client.get(reverse("households:list")).content.decode()
    assert re.search(r'id="queue-count"[^>]*>(\d+)', page).group(1) == "13"


def test_no_line_of_the_queue_starts_with_a_separator(client, world, waiting):
    client.force_login(world.profiles.cadre.user)
    page = client.get(reverse("home")).content.decode()
    section = page[page.index('id="queue"') : page.index("</section>", page.index('id="queue"'))]
    text_lines = [t.strip() for t in re.sub(r"<[^>]+>", "\n", section).splitlines()]
    assert not [t for t in text_lines if t.startswith("·")]
    assert "户主" in section  # households named by their head


def test_a_step_shows_how_long_it_has_waited_and_a_notice_ending_soon(client, world):
    today = timezone.localdate()
    household = _household(world)
    case = WorkflowCase.objects.create(
        household=household, kind="exit", step="confirmation", started_by=world.profiles.staff.user
    )
    notice = WorkflowStep.objects.create(
        case=case,
        step="notice",
        action="done",
        by=world.profiles.team.user,
        data={
            "posted_from": (today - datetime.timedelta(days=6)).isoformat(),
            "posted_until": (today + datetime.timedelta(days=1)).isoformat(),
        },
    )
    WorkflowStep.objects.filter(pk=notice.pk).update(at=timezone.now() - datetime.timedelta(days=6))
    client.force_login(world.profiles.team.user)
    response = client.get(reverse("home"))
    row = next(r for r in response.context["queue"].rows["workflow"] if r.pk == case.pk)
    assert row.waited_days == 6
    assert row.notice_until == today + datetime.timedelta(days=1)
    assert row.notice_ends_soon
    assert row.household == f"户主{household.pk}" and row.village == "新田村"
    page = response.content.decode()
    assert (today + datetime.timedelta(days=1)).isoformat() in page


def test_a_cadre_sees_visits_due_and_their_own_plan_items(client, world):
    today = timezone.localdate()
    own = world.households.own
    mine = f.PlanItemFactory(plan=own.plan, due_date=today)
    someone_elses = f.PlanItemFactory(
        plan=mine.plan, responsible=world.profiles.cadre2, due_date=today
    )
    client.force_login(world.profiles.cadre.user)
    queue = client.get(reverse("home")).context["queue"]
    assert f"visit:{own.pk}" in queue.keys  # never visited
    assert f"plan:{mine.pk}" in queue.keys
    assert f"plan:{someone_elses.pk}" not in queue.keys
    f.VisitFactory(household=own, visited_on=today)
    own.last_visit_on = today
    own.save(update_fields=["last_visit_on"])
    assert f"visit:{own.pk}" not in client.get(reverse("home")).context["queue"].keys


def test_an_import_waits_for_the_one_who_uploaded_it(client, world):
    job = ImportJob.objects.create(
        file="imports/roster.xlsx",
        filename="roster.xlsx",
        status=ImportJob.Status.CHECKED,
        created_by=world.profiles.staff.user,
    )
    client.force_login(world.profiles.staff.user)
    assert f"import:{job.pk}" in client.get(reverse("home")).context["queue"].keys
    colleague = f.ProfileFactory(role=Role.TOWNSHIP_STAFF, township=world.township)
    client.force_login(colleague.user)
    assert f"import:{job.pk}" not in client.get(reverse("home")).context["queue"].keys


@pytest.mark.parametrize("who", ["county", "leader", "staff", "team", "cadre"])
def test_the_queue_costs_the_same_queries_however_long_it_is(client, world, who):
    client.force_login(getattr(world.profiles, who).user)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for _ in range(12):
        household = _household(world)
        for kind in ("exit", "identification"):
            step = {"exit": "county_approval", "identification": "township_review"}[kind]
            WorkflowCase.objects.create(
                household=household, kind=kind, step=step, started_by=world.profiles.staff.user
            )
        MonitoringCase.objects.create(
            household=household, category="hardship", reason="病", opened_on=timezone.localdate()
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("home"))
    assert len(many) <= len(few) + 2  # at most a newly non-empty section's list each
    with CaptureQueriesContext(connection) as again:
        client.get(reverse("households:list"))
    counted = [q for q in again.captured_queries if "SELECT (SELECT COUNT(*)" in q["sql"]]
    assert len(counted) <= 1  # the navigation's count: one query on any page
