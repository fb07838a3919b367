import datetime

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_a_good_password_logs_in(client, world):
    response = client.post("/accounts/login/", {"username": "leader", "password": "pw-for-tests"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_wrong_password_says_so_in_chinese(client, world):
    response = client.post("/accounts/login/", {"username": "leader", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名" in response.content.decode()


def test_repeated_failures_lock_the_account_out(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "leader", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "leader", "password": "pw-for-tests"})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_an_idle_session_expires(client, world, settings):
    client.force_login(world.profiles.leader.user)
    assert client.get("/").status_code == 200
    session = Session.objects.get()
    assert session.expire_date <= timezone.now() + datetime.timedelta(
        seconds=settings.SESSION_COOKIE_AGE
    )
    session.expire_date = timezone.now() - datetime.timedelta(seconds=1)
    session.save()
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
