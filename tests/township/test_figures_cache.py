"""The home page's figures come from the cache until a write changes the data behind them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households.models import Household, StatusChange
from households.services import household_facts_rebuild
from tests import factories as f
from tests.pages import village_rows
from township import figures_cache

pytestmark = pytest.mark.django_db


def _home(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return response, len(queries)


def test_a_second_look_reads_the_figures_from_the_cache(client, world):
    client.force_login(world.profiles.leader.user)
    first, computed = _home(client)
    again, cached = _home(client)
    assert cached < computed - 5
    assert again.context["dashboard"]["counts"] == first.context["dashboard"]["counts"]
    assert 'id="computed-at"' in again.content.decode()


def test_a_new_household_shows_at_once(client, world):
    client.force_login(world.profiles.leader.user)
    before, _ = _home(client)
    f.HeadFactory(household=f.HouseholdFactory(village=world.villages.a2))
    after, _ = _home(client)
    assert after.context["total_households"] == before.context["total_households"] + 1
    registered = after.context["dashboard"]["counts"]["registered"]
    assert registered == before.context["dashboard"]["counts"]["registered"] + 1


def test_writes_without_signals_forget_the_figures_too(client, world):
    """Bulk writes send no signal: the services that make them say so themselves."""
    client.force_login(world.profiles.leader.user)
    before, _ = _home(client)
    household = world.households.own
    StatusChange.objects.bulk_create(
        [
            StatusChange(
                household=household,
                status=Household.Status.RETURNED,
                effective_on=datetime.date.today(),
                source=StatusChange.Source.IMPORT,
            )
        ]
    )
    assert household_facts_rebuild() == 1  # the card's status follows its facts by update()
    after, _ = _home(client)
    counts = {row["status"]: row["count"] for row in after.context["status_rows"]}
    was = {row["status"]: row["count"] for row in before.context["status_rows"]}
    assert counts[Household.Status.RETURNED] == was[Household.Status.RETURNED] + 1


def test_the_figures_are_shared_by_the_scope_not_by_the_user(world):
    from django.test import Client

    clients = {}
    for who in ("leader", "staff", "county"):
        clients[who] = Client()
        clients[who].force_login(getattr(world.profiles, who).user)
        clients[who].get(reverse("login"))  # the session's first write, out of the counts
    _, leader = _home(clients["leader"])
    _, staff = _home(clients["staff"])  # the same township: the leader's figures
    _, county = _home(clients["county"])
    assert staff < leader - 5
    assert staff < county - 5


def test_the_village_list_is_kept_until_a_household_is_added(client, world):
    client.force_login(world.profiles.staff.user)
    url = reverse("villages:list")

    def counts():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        by_name = {name: int(c[2]) for name, c in village_rows(response).items()}
        return by_name, len(queries), response

    client.get(reverse("households:list"))  # the session's first request is not counted
    before, computed, _ = counts()
    again, cached, response = counts()
    assert again == before and cached < computed
    assert 'id="computed-at"' in response.content.decode()
    f.HeadFactory(household=f.HouseholdFactory(village=world.villages.a2))
    after, _, _ = counts()
    assert after[world.villages.a2.name] == before[world.villages.a2.name] + 1


def _version_reads(monkeypatch) -> list:
    reads = []
    get_or_set, get_many = figures_cache.cache.get_or_set, figures_cache.cache.get_many

    def counted(key, *args, **kwargs):
        if key == figures_cache.VERSION_KEY:
            reads.append(key)
        return get_or_set(key, *args, **kwargs)

    def counted_many(keys, *args, **kwargs):
        reads.extend(key for key in keys if key == figures_cache.VERSION_KEY)
        return get_many(keys, *args, **kwargs)

    monkeypatch.setattr(figures_cache.cache, "get_or_set", counted)
    monkeypatch.setattr(figures_cache.cache, "get_many", counted_many)
    return reads


def test_a_page_asks_for_the_figures_version_once(client, world, monkeypatch):
    """The household list reads three kept things (place names, its count, the queue's);
    the version they are kept under is asked of the cache once a request."""
    client.force_login(world.profiles.leader.user)
    client.get(reverse("households:list"))
    reads = _version_reads(monkeypatch)
    assert client.get(reverse("households:list")).status_code == 200
    assert len(reads) == 1
    assert client.get(reverse("households:list")).status_code == 200
    assert len(reads) == 2  # and again by the next request


def _trips(monkeypatch) -> list:
    """The calls a request makes to the shared cache, each counted once."""
    trips, inside = [], []
    for method in ("get", "get_many", "get_or_set", "has_key"):
        real = getattr(figures_cache.cache, method)

        def counted(*args, _real=real, _method=method, **kwargs):
            if not inside:  # the memory cache's get_many calls its get: one trip
                trips.append(_method)
            inside.append(_method)
            try:
                return _real(*args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(figures_cache.cache, method, counted)
    return trips


def test_a_signed_in_page_makes_one_trip_to_the_shared_cache(client, world, monkeypatch):
    """The session and the figures' version are read together: under load each trip to
    Redis waits for a core as well as for the answer."""
    client.force_login(world.profiles.leader.user)
    assert client.get(reverse("households:list")).status_code == 200
    trips = _trips(monkeypatch)
    assert client.get(reverse("households:list")).status_code == 200
    assert trips == ["get_many"]
    f.HeadFactory(household=f.HouseholdFactory(village=world.villages.a2))
    trips.clear()
    response = client.get(reverse("households:list"))  # the count kept before is not read
    assert (
        response.context["page"].paginator.count
        == Household.objects.filter(village__township=world.villages.a2.township).count()
    )
    assert trips[0] == "get_many"


def test_outside_a_request_the_version_is_read_each_time(world, monkeypatch):
    reads = _version_reads(monkeypatch)
    user = world.profiles.leader.user
    today = datetime.date.today()
    figures_cache.cached("one", user, lambda: 1, today=today)
    figures_cache.cached("two", user, lambda: 2, today=today)
    assert len(reads) == 2


def test_a_write_in_a_request_drops_the_version_it_read(world):
    """A request that writes, then reads figures, reads them under the new version."""
    user = world.profiles.leader.user
    today = datetime.date.today()
    figures_cache._request_started()  # as request_started does (its signal closes the
    try:  # database connection too, which the test's transaction needs)
        before, _ = figures_cache.cached("households", user, Household.objects.count, today=today)
        f.HeadFactory(household=f.HouseholdFactory(village=world.villages.a2))
        after, _ = figures_cache.cached("households", user, Household.objects.count, today=today)
    finally:
        figures_cache._request_finished()
    assert after == before + 1


def test_a_process_keeps_the_figures_it_read(client, world, monkeypatch):
    """The list's kept things (place names, its count, the queue's) are asked of the cache
    by the first request; the next finds them in the process."""
    client.force_login(world.profiles.leader.user)
    assert client.get(reverse("households:list")).status_code == 200
    reads = []
    get, get_many = figures_cache.cache.get, figures_cache.cache.get_many

    def counted(key, *args, **kwargs):
        reads.append(key)
        return get(key, *args, **kwargs)

    def counted_many(keys, *args, **kwargs):
        reads.extend(keys)
        return get_many(keys, *args, **kwargs)

    monkeypatch.setattr(figures_cache.cache, "get", counted)
    monkeypatch.setattr(figures_cache.cache, "get_many", counted_many)
    assert client.get(reverse("households:list")).status_code == 200
    assert figures_cache.VERSION_KEY in reads and not [
        key for key in reads if key.startswith("figures:") and key != figures_cache.VERSION_KEY
    ]


def test_figures_kept_in_a_process_are_not_read_once_the_cache_is_emptied(world):
    """An emptied cache (Redis restarted) starts a version that no process keeps figures
    of, so nothing computed before is read again, changed or not."""
    user, today = world.profiles.leader.user, datetime.date.today()
    figures = []
    for number in (1, 2):
        figures_cache.cache.clear()
        value, _ = figures_cache.cached("households", user, lambda n=number: n, today=today)
        figures.append(value)
    assert figures == [1, 2]


def test_figures_kept_in_a_process_go_when_their_time_is_up(world, monkeypatch):
    user, today = world.profiles.leader.user, datetime.date.today()
    first, _ = figures_cache.cached("households", user, lambda: 1, today=today, ttl=60)
    kept, _ = figures_cache.cached("households", user, lambda: 2, today=today, ttl=60)
    later = figures_cache.time.time() + 61
    monkeypatch.setattr(figures_cache.time, "time", lambda: later)
    get = figures_cache.cache.get

    def expired(key, *args, **kwargs):  # as the shared cache has let it go by then
        return None if key.startswith("figures:households:") else get(key, *args, **kwargs)

    monkeypatch.setattr(figures_cache.cache, "get", expired)
    after, _ = figures_cache.cached("households", user, lambda: 3, today=today, ttl=60)
    assert (first, kept, after) == (1, 1, 3)


def test_each_reader_of_kept_figures_gets_its_own_copy(world):
    user, today = world.profiles.leader.user, datetime.date.today()
    first, _ = figures_cache.cached("households", user, lambda: {"n": 1}, today=today)
    first["n"] = 99
    again, _ = figures_cache.cached("households", user, lambda: {"n": 2}, today=today)
    assert again == {"n": 1}


def test_a_session_gone_from_the_cache_is_read_from_the_database(client, world):
    client.force_login(world.profiles.leader.user)
    figures_cache.cache.clear()  # Redis restarted: the sessions are still in their table
    response = client.get(reverse("households:list"))
    assert response.status_code == 200
    assert response.context["user"] == world.profiles.leader.user
    assert client.get(reverse("households:list")).status_code == 200  # and cached again


def test_the_card_reads_the_policy_tables_it_kept(client, world, monkeypatch):
    """The poverty lines and the county's incomes, kept until the data changes, are read
    in the process after the first card, not asked of the shared cache on every card."""
    client.force_login(world.profiles.leader.user)
    card = reverse("households:detail", args=[world.households.own.pk])
    assert client.get(card).status_code == 200
    trips = _trips(monkeypatch)
    response = client.get(card)
    assert response.status_code == 200 and response.context["income_rows"]
    assert trips == ["get_many"]


def test_a_card_reads_past_what_an_earlier_release_kept(client, world):
    """An earlier release kept the policy tables in the shared cache as bare values, under
    the version the data still has after a deploy: the card does not read them as pairs."""
    client.force_login(world.profiles.leader.user)
    version = figures_cache.cache.get_or_set(figures_cache.VERSION_KEY, 1, None)
    township = world.households.own.village.township_id
    figures_cache.cache.set(f"figures:poverty-lines:{version}", {}, figures_cache.TTL)
    figures_cache.cache.set(f"figures:county-incomes:{township}:{version}", {}, figures_cache.TTL)
    response = client.get(reverse("households:detail", args=[world.households.own.pk]))
    assert response.status_code == 200 and response.context["income_rows"]
