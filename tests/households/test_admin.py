from html.parser import HTMLParser

import pytest
from django.urls import reverse

from households.models import Member
from tests import factories as f

pytestmark = pytest.mark.django_db


def member_form(household, **overrides):
    data = {
        "household": household.pk,
        "name": "王明",
        "id_number": "520399198001010013",
        "sex": "M",
        "relation": "spouse",
        "ethnicity": "汉族",
        "education": "primary",
        "schooling": "not_in_school",
        "health": "healthy",
        "labour": "normal",
        "migrant_months": "0",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_an_admin_save_with_a_bad_id_number_shows_the_message_and_saves_nothing(client, world):
    client.force_login(world.superuser)
    before = Member.objects.count()
    response = client.post(
        reverse("admin:households_member_add"),
        member_form(world.households.own, id_number="520399198001010012"),
    )
    assert response.status_code == 200
    assert "校验码" in response.content.decode()
    assert Member.objects.count() == before


def test_an_admin_save_with_a_good_id_number_is_recorded_with_its_author(client, world):
    client.force_login(world.superuser)
    response = client.post(
        reverse("admin:households_member_add"), member_form(world.households.own)
    )
    assert response.status_code == 302
    member = Member.objects.get(id_number="520399198001010013")
    assert member.history.get().history_user == world.superuser


def test_the_admin_refuses_a_second_active_household_for_one_person(client, world):
    client.force_login(world.superuser)
    taken = world.households.colleague.members.get().id_number
    response = client.post(
        reverse("admin:households_member_add"), member_form(world.households.own, id_number=taken)
    )
    assert response.status_code == 200
    assert "另一户" in response.content.decode()
    assert Member.objects.filter(id_number=taken).count() == 1


def kept(household):
    household.refresh_from_db()
    return household.members_count, household.current_cadre_id


def test_a_member_added_moved_and_deleted_through_the_admin_keeps_the_cards_counts(client, world):
    own, colleague = world.households.own, world.households.colleague
    client.force_login(world.superuser)
    own_count, colleague_count = kept(own)[0], kept(colleague)[0]

    response = client.post(reverse("admin:households_member_add"), member_form(own))
    assert response.status_code == 302
    assert kept(own)[0] == own_count + 1

    member = Member.objects.get(id_number="520399198001010013")
    response = client.post(
        reverse("admin:households_member_change", args=[member.pk]), member_form(colleague)
    )
    assert response.status_code == 302
    assert (kept(own)[0], kept(colleague)[0]) == (own_count, colleague_count + 1)

    response = client.post(
        reverse("admin:households_member_changelist"),
        {"action": "delete_selected", "_selected_action": [member.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert kept(colleague)[0] == colleague_count


def test_a_pairing_started_and_ended_through_the_admin_keeps_the_cards_cadre(client, world):
    own, cadre2 = world.households.own, world.profiles.cadre2
    client.force_login(world.superuser)
    current = own.pairings.get()
    response = client.post(
        reverse("admin:households_pairing_change", args=[current.pk]),
        {
            "household": own.pk,
            "cadre": current.cadre_id,
            "start_date": "2025-01-01",
            "end_date": "2026-03-01",
            "reason": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert kept(own)[1] is None

    response = client.post(
        reverse("admin:households_pairing_add"),
        {"household": own.pk, "cadre": cadre2.pk, "start_date": "2026-03-02", "reason": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert kept(own)[1] == cadre2.pk

    response = client.post(
        reverse("admin:households_pairing_delete", args=[own.pairings.get(cadre=cadre2).pk]),
        {"post": "yes"},
    )
    assert response.status_code == 302
    assert kept(own)[1] is None


class _Fields(HTMLParser):
    """The values a browser would post from a page's form: inputs, checked boxes, the
    selected options and text areas."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.data[name] = a.get("value", "on")
            else:
                self.data[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def test_a_member_left_through_the_card_admin_leaves_the_cards_count(client, world):
    own = world.households.own
    f.MemberFactory(household=own, relation="spouse")
    count = kept(own)[0]
    client.force_login(world.superuser)
    page = reverse("admin:households_household_change", args=[own.pk])
    form = _Fields()
    form.feed(client.get(page).content.decode())
    spouse = next(k for k, v in form.data.items() if k.endswith("-relation") and v == "spouse")
    prefix = spouse.removesuffix("-relation")
    form.data.pop(f"{prefix}-is_active")  # unticked: left the household, on a day, for a reason
    form.data[f"{prefix}-left_on"] = "2025-06-01"
    form.data[f"{prefix}-left_reason"] = Member.LeftReason.MARRIAGE
    form.data.pop("csrfmiddlewaretoken", None)
    response = client.post(page, form.data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert kept(own)[0] == count - 1
