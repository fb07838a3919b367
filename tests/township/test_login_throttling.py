"""Login throttling: a guesser is stopped, the user they guess at is not locked out."""

import datetime
import logging

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
ATTACKER, LEADER, PROXY = "203.0.113.7", "198.51.100.20", "10.0.0.2"


def login(client, password, **where):
    return client.post(LOGIN, {"username": "leader", "password": password}, **where)


def guess(client, settings, **where):
    """Wrong passwords up to the limit: the last one is answered with the lockout."""
    answers = [login(client, f"wrong-{n}", **where) for n in range(settings.AXES_FAILURE_LIMIT)]
    assert [a.status_code for a in answers] == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    return answers[-1].content.decode()


def test_a_guesser_is_locked_but_the_user_logs_in_from_elsewhere(client, world, settings):
    guess(client, settings, REMOTE_ADDR=ATTACKER)

    assert login(client, "pw-for-tests", REMOTE_ADDR=ATTACKER).status_code == 429
    assert login(client, "pw-for-tests", REMOTE_ADDR=LEADER).status_code == 302


def test_behind_a_proxy_the_forwarded_address_is_the_one_locked(client, world, settings):
    settings.BANGFU_TRUSTED_PROXY_COUNT = 1
    # Everyone reaches the app through the same proxy: only X-Forwarded-For tells them apart.
    guess(client, settings, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)

    assert login(client, "pw", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 429
    # A forged left-most entry does not unlock the attacker: our proxy appended the real one.
    forged = f"{LEADER}, {ATTACKER}"
    assert login(client, "pw", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forged).status_code == 429
    leader = login(client, "pw-for-tests", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=LEADER)
    assert leader.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_without_a_trusted_proxy_a_forwarded_address_is_not_believed(client, world, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):  # a new invented address for every guess
        login(client, f"wrong-{n}", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    again = login(client, "pw-for-tests", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert again.status_code == 429


def test_every_lockout_is_logged_with_username_and_address(client, world, settings, caplog):
    with caplog.at_level(logging.WARNING, logger="township.throttling"):
        guess(client, settings, REMOTE_ADDR=ATTACKER)

    records = [r for r in caplog.records if r.name == "township.throttling"]
    assert [r.getMessage() for r in records] == [
        f"login locked out: username='leader' address={ATTACKER}"
    ]


def test_each_further_lockout_lasts_twice_as_long(client, world, settings):
    def wait(minutes):
        """Let ``minutes`` pass for the current failures (as the clock would)."""
        AccessAttempt.objects.update(
            attempt_time=timezone.now() - datetime.timedelta(minutes=minutes)
        )

    assert "15 分钟" in guess(client, settings, REMOTE_ADDR=ATTACKER)
    wait(16)
    assert "30 分钟" in guess(client, settings, REMOTE_ADDR=ATTACKER)  # failing again: locked
    wait(16)
    assert login(client, "pw-for-tests", REMOTE_ADDR=ATTACKER).status_code == 429
    # Each try while locked counts as a lockout too: guessing on only makes it longer.
    wait(59)
    assert login(client, "pw-for-tests", REMOTE_ADDR=ATTACKER).status_code == 429
    wait(24 * 60)
    assert login(client, "pw-for-tests", REMOTE_ADDR=ATTACKER).status_code == 302
