import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory

from assistance.models import AssistancePlan, LedgerEntry, Loan, PlanItem, Project
from households.demo import DEMO_PASSWORD
from households.models import Household, HouseholdIncome, Member, Pairing
from households.services import household_cadres_refresh, household_member_facts_refresh
from township.models import County, StaffProfile, Village

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "villages": Village.objects.count(),
        "households": Household.objects.count(),
        "members": Member.objects.count(),
        "incomes": HouseholdIncome.objects.count(),
        "pairings": Pairing.objects.count(),
        "profiles": StaffProfile.objects.count(),
        "ids": sorted(Member.objects.values_list("id_number", flat=True)),
        "plans": AssistancePlan.objects.count(),
        "items": PlanItem.objects.count(),
        "entries": LedgerEntry.objects.count(),
        "projects": Project.objects.count(),
        "loans": Loan.objects.count(),
    }


def test_seed_demo_builds_a_township_and_is_idempotent():
    call_command("seed_demo", households=60)
    first = snapshot()
    assert first["villages"] == 12
    assert first["households"] == 60
    assert first["incomes"] == 180  # three years each
    assert first["pairings"] == 60
    assert first["projects"] == 4 and first["loans"] > 0  # one from a village library
    assert first["plans"] > 0 and first["items"] >= first["plans"]
    assert first["entries"] > 20
    # What the cards keep of their members and cadres was written with them: nothing to
    # correct.
    assert household_member_facts_refresh() == 0
    assert household_cadres_refresh() == 0
    call_command("seed_demo", households=60)
    assert snapshot() == first


def test_seed_demo_is_deterministic_and_scales_up():
    call_command("seed_demo", households=30)
    ids_of_30 = set(Member.objects.values_list("id_number", flat=True))
    call_command("seed_demo", households=50)
    assert Household.objects.count() == 50
    assert ids_of_30 <= set(Member.objects.values_list("id_number", flat=True))


def test_seeded_members_pass_model_validation():
    call_command("seed_demo", households=40)
    for member in Member.objects.all():
        member.full_clean()
    assert Household.objects.filter(members__relation="head").count() == 40


def test_every_demo_login_works_and_lands_on_its_scope(client):
    call_command("seed_demo", households=48)
    expected = {"county": 48, "leader": 48, "staff": 48, "team": 4, "cadre": 4, "cadre2": 4}
    for username, total in expected.items():
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=username, password=DEMO_PASSWORD) is not None
        response = client.post(
            "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        home = client.get(response["Location"])
        assert home.context["total_households"] == total, username
        client.post("/accounts/logout/")
    # The administrator's password is the demo's one too (hashed once for every demo login).
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="admin", password=DEMO_PASSWORD) is not None


def test_a_county_townships_logins_made_in_bulk_take_the_demo_password():
    # The people of one more township, as seed_demo --county makes them (in bulk, sharing
    # the demo password's one hash); a whole county seed takes too long for the suite.
    from households.demo_county import _people, _township

    call_command("seed_demo", households=12)
    county = County.objects.get()
    township, villages = _township(1, county)
    _people(1, township, villages, county, households=24)
    request = RequestFactory().post("/accounts/login/")
    for username in ("t01leader", "t01staff", "t01team"):
        user = authenticate(request, username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        profile = user.profile
        assert (profile.township or profile.village.township) == township, username
    # Cadres log in only once an administrator gives them a password.
    assert authenticate(request, username="t01cadre0000", password=DEMO_PASSWORD) is None


def test_the_demo_plans_have_done_and_overdue_items_and_the_ledger_balances():
    import datetime

    from assistance import ledger
    from assistance.models import Fund

    call_command("seed_demo", households=120)
    today = datetime.date.today()
    assert PlanItem.objects.filter(status="done").exists()
    assert PlanItem.objects.overdue(today).exists() or today.month < 4
    for fund in Fund.objects.all():
        balance = ledger.fund_balance(fund)
        assert balance.unallocated >= 0 and balance.in_hand >= 0


def _estimated_households() -> int | None:
    """How many households the database's planner believes the table holds."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'households_household'")
        else:  # SQLite: the first figure of the table's statistics row, if it has one
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'households_household'")
        row = cursor.fetchone()
    if row is None or row[0] is None:
        return None
    return int(str(row[0]).split()[0]) if connection.vendor != "postgresql" else int(row[0])


def test_seed_demo_leaves_the_planner_statistics_of_what_it_loaded():
    """Planned on the statistics of empty tables, a county's pages took seconds: the seed
    brings them up to the rows it wrote (ANALYZE counts this transaction's rows as live)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE households_household")  # the empty table's statistics
    assert _estimated_households() in (None, 0)
    call_command("seed_demo", households=30, stdout=io.StringIO())
    assert _estimated_households() == Household.objects.count() > 0


@pytest.mark.parametrize("workers", [0, 17])
def test_seed_demo_refuses_a_number_of_workers_out_of_range(workers):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--workers"):
        call_command("seed_demo", county=True, households=20, workers=workers)
    assert not Household.objects.exists()
