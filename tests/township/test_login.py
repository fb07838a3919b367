import datetime
from contextlib import contextmanager
from unittest.mock import patch

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

THIRTY_MINUTES = datetime.timedelta(minutes=30)


@contextmanager
def time_moves_on(delta: datetime.timedelta):
    """The clock of the session store runs ``delta`` ahead: idle time, without sleeping."""
    later = timezone.now() + delta
    with patch("django.contrib.sessions.backends.db.timezone.now", return_value=later):
        yield


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


def test_an_idle_session_expires(client, world):
    """Thirty idle minutes (the default of SESSION_IDLE_MINUTES) end the session."""
    client.force_login(world.profiles.leader.user)
    start = timezone.now()
    assert client.get("/").status_code == 200
    expires = Session.objects.get().expire_date
    assert start + datetime.timedelta(minutes=29) < expires <= timezone.now() + THIRTY_MINUTES
    with time_moves_on(THIRTY_MINUTES - datetime.timedelta(minutes=1)):
        assert client.get("/").status_code == 200  # still there, and extended again
    with time_moves_on(2 * THIRTY_MINUTES):
        response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_each_request_extends_the_session(client, world):
    client.force_login(world.profiles.leader.user)
    session = Session.objects.get()
    session.expire_date = timezone.now() + datetime.timedelta(minutes=1)
    session.save()
    client.get("/")
    assert Session.objects.get().expire_date > timezone.now() + datetime.timedelta(minutes=20)


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
