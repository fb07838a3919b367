import datetime

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

THIRTY_MINUTES = datetime.timedelta(minutes=30)


pytestmark = pytest.mark.django_db


def test_a_good_password_logs_in(client, world):
    response = client.post("/accounts/login/", {"username": "leader", "password": "pw-for-tests"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_wrong_password_says_so_in_chinese(client, world):
    response = client.post("/accounts/login/", {"username": "leader", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["__all__"][0].code == "invalid_login"
    assert "请输入一个正确的用户名和密码" in response.content.decode()
    # The words are the error's, not a label every login page carries.
    assert "请输入一个正确的用户名和密码" not in client.get("/accounts/login/").content.decode()


def test_repeated_failures_lock_the_account_out(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "leader", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "leader", "password": "pw-for-tests"})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_an_idle_session_expires(client, world, time_machine, settings):
    """Thirty idle minutes (the default of SESSION_IDLE_MINUTES) end the session; using it
    keeps it alive."""
    # Sessions are read from the cache first. Redis (CACHE_URL) times them out by its own
    # clock, which the test cannot move: the process's memory cache reads this one's.
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    client.force_login(world.profiles.leader.user)
    assert client.get("/").status_code == 200
    expires = Session.objects.get().expire_date
    assert start + datetime.timedelta(minutes=29) < expires <= start + THIRTY_MINUTES
    time_machine.move_to(start + datetime.timedelta(minutes=29), tick=False)
    assert client.get("/").status_code == 200  # still there, and extended again
    time_machine.move_to(start + datetime.timedelta(minutes=58), tick=False)
    assert client.get("/").status_code == 200  # alive only because the last visit extended it
    time_machine.move_to(start + datetime.timedelta(minutes=89), tick=False)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def _session_writes(queries) -> int:
    return sum(
        1
        for q in queries
        if "django_session" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    )


def test_the_session_is_written_at_most_once_a_minute(client, world, time_machine):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    start = timezone.now()
    time_machine.move_to(start, tick=False)
    client.force_login(world.profiles.leader.user)
    client.get("/")
    time_machine.move_to(start + datetime.timedelta(seconds=30), tick=False)
    with CaptureQueriesContext(connection) as soon:
        assert client.get("/households/").status_code == 200
    assert _session_writes(soon) == 0
    time_machine.move_to(start + datetime.timedelta(seconds=61), tick=False)
    with CaptureQueriesContext(connection) as later:
        assert client.get("/households/").status_code == 200
    assert _session_writes(later) == 1
    assert Session.objects.get().expire_date == start + datetime.timedelta(seconds=61) + (
        THIRTY_MINUTES
    )


def test_logout_is_a_post(client, world):
    client.force_login(world.profiles.leader.user)
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_the_language_choice_is_remembered(client, world):
    client.force_login(world.profiles.leader.user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Households" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "农户" in client.get("/").content.decode()


def test_chinese_comes_first_whatever_the_browser_asks(client, world):
    client.force_login(world.profiles.leader.user)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "农户" in page


def test_a_very_long_username_is_refused_like_a_wrong_one(client, world):
    response = client.post("/accounts/login/", {"username": "x" * 5000, "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的用户名和密码" in response.content.decode()
