"""Shared fixtures: a small world of two counties, with one user of each role.

county A ─ township A ─ village A1 ─ household `own`   (paired with `cadre`)
                                  └─ household `colleague_hh` (paired with `cadre2`)
                    └─ village A2 ─ household `neighbour` (paired with `cadre2`)
county B ─ township B ─ village B1 ─ household `outsider_hh`
"""

import datetime
import sys
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile

from assistance import ledger
from assistance.services import loan_create
from households.models import WorkflowCase
from reporting.models import ReportRun
from reporting.services import scope_key
from tests import factories as f
from tests.dead_broker import dead_broker  # noqa: F401 (a fixture: the broker is down)
from township.models import StaffProfile

Role = StaffProfile.Role


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's set-up, and the migrated rows kept (``tests.migrated``)."""
    from django.db import connection

    from tests import migrated

    with django_db_blocker.unblock():
        migrated.ROWS = connection.creation.serialize_db_to_string()


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded files go to a temporary folder, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (cached figures and sessions of earlier tests,
    whose rows were rolled back, must not be found)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(db):
    county_a = f.CountyFactory(name="青山县", code="520399000000")
    township_a = f.TownshipFactory(county=county_a, name="新田镇", code="520399100000")
    village_a1 = f.VillageFactory(township=township_a, name="新田村", code="520399100201")
    village_a2 = f.VillageFactory(township=township_a, name="石门村", code="520399100202")
    county_b = f.CountyFactory(name="白水县", code="520398000000")
    township_b = f.TownshipFactory(county=county_b, name="河口乡", code="520398200000")
    village_b1 = f.VillageFactory(township=township_b, name="河口村", code="520398200201")

    def profile(username, role, **place):
        return f.ProfileFactory(user=f.UserFactory(username=username), role=role, **place)

    profiles = SimpleNamespace(
        county=profile("county", Role.COUNTY_ADMIN, county=county_a),
        leader=profile("leader", Role.LEADER, township=township_a),
        staff=profile("staff", Role.TOWNSHIP_STAFF, township=township_a),
        team=profile("team", Role.VILLAGE_TEAM, village=village_a1),
        cadre=profile("cadre", Role.CADRE, township=township_a),
        cadre2=profile("cadre2", Role.CADRE, township=township_a),
        other_leader=profile("other_leader", Role.LEADER, township=township_b),
    )
    own = f.HouseholdFactory(village=village_a1)
    colleague_hh = f.HouseholdFactory(village=village_a1)
    neighbour = f.HouseholdFactory(village=village_a2)
    outsider_hh = f.HouseholdFactory(village=village_b1)
    for hh in (own, colleague_hh, neighbour, outsider_hh):
        f.HeadFactory(household=hh)
        f.IncomeFactory(household=hh, year=2025)
    f.PairingFactory(household=own, cadre=profiles.cadre)
    f.PairingFactory(household=colleague_hh, cadre=profiles.cadre2)
    f.PairingFactory(household=neighbour, cadre=profiles.cadre2)
    cadre_b = profile("cadre_b", Role.CADRE, township=township_b)
    f.PairingFactory(household=outsider_hh, cadre=cadre_b)
    profiles.cadre_b = cadre_b
    for hh in (own, colleague_hh, neighbour, outsider_hh):
        item = f.PlanItemFactory(plan__household=hh, plan__cadre=hh.pairings.get().cadre)
        hh.plan, hh.item = item.plan, item
        hh.loan = loan_create(
            fields={
                "household": hh,
                "bank": "农村信用社",
                "principal": Decimal("50000"),
                "disbursed_on": datetime.date(2025, 1, 10),
                "term_months": 36,
                "annual_rate": Decimal("4.35"),
            },
            user=profiles.staff.user,
        )
    projects = SimpleNamespace(
        a=f.ProjectFactory(township=township_a),
        a2=f.ProjectFactory(township=township_a),
        b=f.ProjectFactory(township=township_b),
    )
    projects.a.villages.set([village_a1])
    projects.a2.villages.set([village_a2])
    projects.b.villages.set([village_b1])
    funds = SimpleNamespace(
        a=f.FundFactory(township=township_a), b=f.FundFactory(township=township_b)
    )
    for fund in (funds.a, funds.b):
        fund.receipt = ledger.ledger_receive(
            fund=fund,
            amount=Decimal("10000"),
            voucher="R1",
            entry_date=datetime.date(2025, 2, 1),
            purpose="拨入",
            user=profiles.staff.user,
        )
    for hh in (own, colleague_hh, neighbour, outsider_hh):
        hh.case = WorkflowCase.objects.create(
            household=hh, kind="exit", step="assessment", started_by=profiles.staff.user
        )
    runs = SimpleNamespace()
    for name, place in {
        "a": {"township": township_a},
        "a1": {"township": township_a, "village": village_a1},
        "cadre": {"township": township_a, "cadre": profiles.cadre},
        "cadre2": {"township": township_a, "cadre": profiles.cadre2},
        "b": {"township": township_b},
    }.items():
        run = ReportRun.objects.create(
            kind="year_end",
            year=2024,
            as_of=datetime.date(2024, 12, 31),
            status="done",
            progress=100,
            scope_key=scope_key(**place),
            **place,
        )
        run.file.save(f"run-{name}.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
        setattr(runs, name, run)
    return SimpleNamespace(
        runs=runs,
        projects=projects,
        funds=funds,
        counties=(county_a, county_b),
        township=township_a,
        other_township=township_b,
        villages=SimpleNamespace(a1=village_a1, a2=village_a2, b1=village_b1),
        profiles=profiles,
        households=SimpleNamespace(
            own=own, colleague=colleague_hh, neighbour=neighbour, outsider=outsider_hh
        ),
        superuser=f.UserFactory(username="root", is_superuser=True, is_staff=True),
        nobody=f.UserFactory(username="nobody"),
    )


def pytest_terminal_summary(terminalreporter):
    """How many hostile requests tests/test_hostile_input.py sent, when it ran."""
    hostile = sys.modules.get("tests.test_hostile_input")
    if hostile is not None and hostile.TRIED["requests"]:
        terminalreporter.write_line(
            f"hostile input: {hostile.TRIED['requests']} requests "
            f"over {hostile.TRIED['urls']} URL patterns"
        )
