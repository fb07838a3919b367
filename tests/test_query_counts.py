"""Every main page costs at most 15 SQL queries as served, the same with few and many records.

Each page is requested by the roles that use it, on the small world and again after the
scope grew (more households with members, pairings, visits, plans, monitoring cases and
ledger entries). Each is counted twice: with an empty cache (the dashboards compute their
figures) and as served once they are cached (``township.figures_cache``). Both counts must
stay the same as the data grows; the served count must stay within the budget.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assistance import ledger
from households.models import MonitoringCase, StatusChange, WorkflowStep
from tests import factories as f

pytestmark = pytest.mark.django_db

BUDGET = 15

PAGES = {
    "staff": [
        "/",
        "/households/",
        "/households/?q=0001",
        "/households/?sort=last_visit",
        "/households/?status=registered&no_visit_days=30",
        "/households/?exit_year={year}",
        "/households/?cadre={cadre}",
        "/households/{household}/",
        "/households/{household}/visits/",
        "/households/visits/",
        "/households/monitoring/",
        "/villages/",
        "/villages/exit/",
        "/assistance/pairings/",
        "/assistance/funds/",
        "/assistance/funds/{fund}/",
        "/assistance/projects/",
        "/reports/",
    ],
    "county": ["/", "/households/", "/households/visits/", "/villages/", "/assistance/pairings/"],
    "cadre": ["/", "/households/mine/", "/households/", "/households/visits/"],
    "team": ["/", "/households/", "/households/visits/"],
}


def _grow(world, count: int) -> None:
    """``count`` more households in each village of township A, with all they carry."""
    today = datetime.date.today()
    staff = world.profiles.staff.user
    for village in (world.villages.a1, world.villages.a2):
        for _ in range(count):
            household = f.HouseholdFactory(village=village)
            f.HeadFactory(household=household)
            f.MemberFactory(household=household)
            f.PairingFactory(household=household, cadre=world.profiles.cadre)
            f.VisitFactory(household=household, visitor=world.profiles.cadre.user)
            plan = f.PlanFactory(
                household=household, year=today.year, cadre=world.profiles.cadre, created_by=staff
            )
            f.PlanItemFactory(plan=plan, responsible=world.profiles.cadre)
            MonitoringCase.objects.create(
                household=household,
                category=MonitoringCase.Category.MARGINAL,
                reason="test",
                opened_on=today,
            )
    # The card measured carries some of everything it shows, more of it each time.
    own = world.households.own
    plan = own.plans.first() or f.PlanFactory(
        household=own, cadre=world.profiles.cadre, created_by=staff
    )
    for _ in range(count):
        f.VisitPhotoFactory(
            visit__household=own, visit__acknowledged=True, visit__acknowledged_by="户主"
        )
        f.PlanItemFactory(plan=plan)
        WorkflowStep.objects.create(case=own.case, step="assessment", action="done", by=staff)
        StatusChange.objects.create(  # recorded by a colleague, approved by an account alone
            household=own,
            status="poor",
            effective_on=today - datetime.timedelta(days=400 + len(own.status_changes.all())),
            source=StatusChange.Source.CARD,
            recorded_by=staff,
            override_reason="test",
            override_by=f.UserFactory(),
        )
    for n in range(count):
        ledger.ledger_receive(
            fund=world.funds.a,
            amount=Decimal("100"),
            voucher=f"G{count}-{n}",
            entry_date=today,
            purpose="拨入",
            user=staff,
        )


def _counts(clients, ids) -> dict:
    counts = {}
    for role, paths in PAGES.items():
        for path in paths:
            url = path.format(**ids)
            cache.clear()
            clients[role].get("/accounts/login/")  # the session's own writes, out of the count
            for state in ("cold", "served"):
                with CaptureQueriesContext(connection) as queries:
                    response = clients[role].get(url)
                assert response.status_code == 200, (role, url, response.status_code)
                counts[(state, role, url)] = len(queries)
    return counts


def test_every_main_page_costs_the_same_few_queries_whatever_the_size(world):
    from django.test import Client

    clients = {}
    for role in PAGES:
        clients[role] = Client()
        clients[role].force_login(getattr(world.profiles, role).user)
    ids = {
        "year": datetime.date.today().year,
        "cadre": world.profiles.cadre.pk,
        "household": world.households.own.pk,
        "fund": world.funds.a.pk,
    }
    _grow(world, 2)
    few = _counts(clients, ids)
    _grow(world, 8)
    many = _counts(clients, ids)
    over = {page: n for page, n in many.items() if page[0] == "served" and n > BUDGET}
    grew = {page: (few[page], n) for page, n in many.items() if n != few[page]}
    assert not over, f"pages over {BUDGET} queries: {over}"
    assert not grew, f"pages whose query count grew with the data: {grew}"
