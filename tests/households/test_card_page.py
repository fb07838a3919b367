import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


def card(client, household):
    return client.get(reverse("households:detail", args=[household.pk]))


def test_the_card_shows_every_section(client, world):
    hh = world.households.own
    f.CauseFactory(household=hh, cause="illness")
    f.PovertyLineFactory(year=2025, amount=Decimal("4000"))
    f.VisitFactory(household=hh, findings="屋顶漏雨，已联系维修")
    client.force_login(world.profiles.cadre.user)
    page = card(client, hh).content.decode().split("<main", 1)[1]
    for text in (
        "家庭基本情况",
        "脱贫标准",
        "致贫原因",
        "因病",
        "家庭成员",
        "历年收入",
        "4000.00",
        "帮扶责任人",
        "屋顶漏雨",
        "变更记录",
    ):
        assert text in page, text


def test_per_capita_income_is_compared_with_that_years_line(client, world):
    hh = world.households.own
    hh.incomes.update(wage_income=Decimal("9000"), members_count=3)
    f.PovertyLineFactory(year=2025, amount=Decimal("4000"))
    client.force_login(world.profiles.leader.user)
    row = card(client, hh).context["income_rows"][0]
    assert row["income"].per_capita_net_income == Decimal("3000.00")
    assert row["above_line"] is False


def test_the_card_masks_id_numbers_and_bank_accounts(client, world):
    hh = world.households.own
    hh.bank_account = "6217000011112222333"
    hh.save()
    client.force_login(world.profiles.leader.user)
    page = card(client, hh).content.decode()
    assert hh.members.get().id_number not in page
    assert "6217000011112222333" not in page
    assert "2333" in page


def test_the_history_says_who_changed_what(client, world):
    hh = world.households.own
    hh._history_user = world.profiles.staff.user
    hh.address = "新田村三组8号"
    hh.save()
    client.force_login(world.profiles.leader.user)
    page = card(client, hh)
    assert "history" not in page.context  # asked for when wanted
    history = client.get(reverse("households:history", args=[hh.pk])).context["history"]
    change = next(e for e in history if e.changes)
    assert change.who == "staff"
    assert (change.changes[0].old, change.changes[0].new) == ("—", "新田村三组8号")


def test_the_card_costs_the_same_queries_with_more_members_and_visits(client, world):
    hh = world.households.own
    client.force_login(world.profiles.cadre.user)
    f.VisitPhotoFactory(visit__household=hh)
    client.get(reverse("login"))  # the session's first write, out of the counts
    with CaptureQueriesContext(connection) as few:
        card(client, hh)
    for i in range(6):
        f.MemberFactory(household=hh)
        f.IncomeFactory(household=hh, year=2015 + i)
        visit = f.VisitFactory(household=hh, visited_on=datetime.date(2025, 1, 1 + i))
        f.VisitPhotoFactory(visit=visit)
        f.CauseFactory(
            household=hh,
            cause=["water", "land", "funds", "labour", "disaster", "transport"][i],
            is_main=False,
        )
    with CaptureQueriesContext(connection) as many:
        card(client, hh)
    assert len(many) == len(few)
