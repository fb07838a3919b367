"""Households known by their head's name and village; people by their name and role."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assistance import ledger
from households import workflows
from households.models import Household
from tests import factories as f
from tests.households.test_card_forms import card_data

pytestmark = pytest.mark.django_db


def test_a_card_is_titled_by_its_heads_name_and_village_with_the_number_small(client, world):
    own = world.households.own
    head = own.members.get(relation="head")
    client.force_login(world.profiles.staff.user)
    page = client.get(reverse("households:detail", args=[own.pk])).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert head.name in title and "新田村" in title and own.card_number not in title
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
    assert f'<span class="household-name">{head.name} · 新田村</span>' in h1
    assert f'<small class="text-muted">{own.card_number}</small>' in h1


def test_the_visit_form_and_the_monitoring_list_name_the_household(client, world):
    own = world.households.own
    head = own.members.get(relation="head").name
    client.force_login(world.profiles.cadre.user)
    page = client.get(reverse("households:visit_create", args=[own.pk])).content.decode()
    assert f"{head} · 新田村 · {own.card_number}" in page


def test_a_new_card_keeps_its_heads_name_and_a_changed_head_renames_it(client, world):
    client.force_login(world.profiles.staff.user)
    data = card_data(world.villages.a1, [{"name": "张国强", "id_number": f.make_id_number(911)}])
    client.post(reverse("households:create"), data)
    household = Household.objects.get(members__name="张国强")
    assert household.head_name == "张国强"
    assert str(Household.objects.select_related("village").get(pk=household.pk)) == (
        f"张国强 · 新田村 · {household.card_number}"
    )
    member = household.members.get()
    edit = card_data(
        world.villages.a1,
        [{"id": member.pk, "name": "张国栋", "id_number": member.id_number}],
        version=household.version,
        existing=1,
    )
    response = client.post(reverse("households:edit", args=[household.pk]), edit)
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.head_name == "张国栋"


def test_the_rebuild_command_corrects_a_head_name_gone_stale(world):
    own = world.households.own
    Household.objects.filter(pk=own.pk).update(head_name="旧名字")
    call_command("rebuild_household_facts")
    own.refresh_from_db()
    assert own.head_name == own.members.get(relation="head").name


def test_workflow_history_names_who_did_each_step_with_their_role(client, world):
    case = world.households.own.case
    workflows.workflow_advance(case=case, user=world.profiles.team.user)
    client.force_login(world.profiles.staff.user)
    page = client.get(reverse("households:detail", args=[case.household_id])).content.decode()
    section = page[page.index('id="workflow"') :]
    assert f"{world.profiles.team.name}（驻村工作队）" in section
    assert "· team" not in section  # the login name is not shown


def test_the_fund_entry_form_offers_measures_by_head_and_village(client, world):
    fund = world.funds.a
    fund.year = 2025
    fund.save(update_fields=["year"])
    client.force_login(world.profiles.staff.user)
    url = reverse("assistance:entry_create", args=[fund.pk])
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    own = world.households.own
    head = own.members.get(relation="head").name
    assert f"{head} · 新田村 · {own.card_number} · {own.item.description}" in page
    for _ in range(5):
        household = f.HouseholdFactory(village=world.villages.a2)
        f.HeadFactory(household=household)
        f.PlanItemFactory(plan__household=household, plan__year=2025)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_the_ledger_names_who_recorded_each_entry(client, world):
    ledger.ledger_allocate(
        fund=world.funds.a,
        amount=Decimal("100"),
        voucher="A9",
        entry_date=world.funds.a.receipt.entry_date,
        purpose="鸡苗",
        plan_item=world.households.own.item,
        user=world.profiles.staff.user,
    )
    client.force_login(world.profiles.staff.user)
    page = client.get(
        reverse("assistance:fund", args=[world.funds.a.pk]) + "?start=2025-01-01&end=2025-12-31"
    ).content.decode()
    assert f"{world.profiles.staff.name}（" in page


def test_a_colleagues_number_is_a_tap_to_call_link(client, world):
    cadre = world.profiles.cadre
    cadre.phone = "13900002222"
    cadre.save(update_fields=["phone"])
    client.force_login(world.profiles.staff.user)
    page = client.get(reverse("people:detail", args=[cadre.pk])).content.decode()
    assert '<a href="tel:13900002222">13900002222</a>' in page
