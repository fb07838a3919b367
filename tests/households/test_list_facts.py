"""What a card keeps for its lists (its head's name and ID number, how many members are
active, its current cadre): written with the members and the pairings, shown and filtered by
the lists, put right by ``rebuild_household_facts``."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from assistance.services import pairing_assign
from households.masking import mask_id
from households.models import Household
from tests import factories as f
from tests.households.test_card_forms import MEMBER_DEFAULTS, card_data

pytestmark = pytest.mark.django_db


def _row(client, head_name: str) -> list[str]:
    """The cells of the household list's row of the household headed by ``head_name``."""
    page = client.get(reverse("households:list")).content.decode()
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if head_name in r)
    return [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)
    ]


def test_the_list_shows_the_members_as_the_card_forms_last_wrote_them(client, world):
    client.force_login(world.profiles.staff.user)
    head_id, spouse_id = f.make_id_number(931), f.make_id_number(932, male=False)
    members = [
        {"name": "赵大山", "id_number": head_id},
        {"name": "钱小梅", "id_number": spouse_id, "sex": "F", "relation": "spouse"},
    ]
    client.post(reverse("households:create"), card_data(world.villages.a1, members))
    household = Household.objects.get(members__name="赵大山")
    cells = _row(client, "赵大山")
    assert cells[1] == mask_id(head_id) and cells[3] == "2"
    # The spouse leaves and the head's ID number is corrected: the row follows both.
    corrected = f.make_id_number(933)
    head, spouse = household.members.get(relation="head"), household.members.get(relation="spouse")
    data = card_data(world.villages.a1, [], version=household.version, existing=2)
    data["members-TOTAL_FORMS"] = "2"
    for i, (member, values) in enumerate(
        [
            (head, {"name": "赵大山", "id_number": corrected}),
            (
                spouse,
                {
                    "name": "钱小梅",
                    "id_number": spouse_id,
                    "sex": "F",
                    "relation": "spouse",
                    "left_on": "2025-03-01",
                    "left_reason": "death",
                },
            ),
        ]
    ):
        row = {**MEMBER_DEFAULTS, **values, "id": member.pk, "household": household.pk}
        if "left_on" in values:
            del row["is_active"]
        data.update({f"members-{i}-{key}": value for key, value in row.items()})
    response = client.post(reverse("households:edit", args=[household.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    cells = _row(client, "赵大山")
    assert cells[1] == mask_id(corrected) and cells[3] == "1"


def test_a_reassigned_household_is_listed_under_its_new_cadre_only(client, world):
    own, old, new = world.households.own, world.profiles.cadre, world.profiles.cadre2
    f.PairingFactory(household=f.HouseholdFactory(village=world.villages.a1), cadre=old)
    client.force_login(world.profiles.staff.user)
    head = own.head_name
    assert _row(client, head)[6] == old.name
    response = client.post(
        reverse("assistance:pair", args=[own.pk]),
        {"cadre": new.pk, "start_date": "2025-07-01", "reason": "工作调整"},
    )
    assert response.status_code == 302
    assert _row(client, head)[6] == new.name
    url = reverse("households:list")
    assert head in client.get(url, {"cadre": new.pk}).content.decode()
    theirs = client.get(url, {"cadre": old.pk}).content.decode()
    assert "共 1 户" in theirs and head not in theirs


def test_a_card_saved_from_an_older_copy_keeps_the_facts_written_since(world):
    own = world.households.own
    copy = Household.objects.get(pk=own.pk)
    pairing_assign(
        household=own,
        cadre=world.profiles.cadre2,
        start_date=datetime.date(2025, 7, 1),
        reason="工作调整",
        user=world.profiles.staff.user,
    )
    f.MemberFactory(household=own, relation="son")
    Household.objects.filter(pk=own.pk).update(last_visit_on=datetime.date(2025, 8, 1))
    copy.address = "新地址"
    copy.save()
    own.refresh_from_db()
    assert own.address == "新地址"
    assert own.current_cadre == world.profiles.cadre2 and own.members_count == 2
    assert own.last_visit_on == datetime.date(2025, 8, 1)


def test_the_rebuild_command_puts_the_kept_facts_right(world):
    own = world.households.own
    f.MemberFactory(household=own, relation="son")
    Household.objects.filter(pk=own.pk).update(
        head_name="旧名字", head_id_number="", members_count=9, current_cadre=None
    )
    Household.objects.exclude(pk=own.pk).update(current_cadre=world.profiles.cadre_b)
    call_command("rebuild_household_facts")
    for household in Household.objects.all():
        active = household.members.filter(is_active=True)
        head = active.filter(relation="head").first()
        assert household.members_count == active.count()
        assert household.head_name == (head.name if head else "")
        assert household.head_id_number == (head.id_number if head else "")
        pairing = household.pairings.filter(end_date__isnull=True).first()
        assert household.current_cadre == (pairing.cadre if pairing else None)
    own.refresh_from_db()
    assert own.members_count == 2 and own.current_cadre == world.profiles.cadre
