"""What a card keeps of its members (the head's name and ID number, how many are active):
written with the members, shown by the lists, put right by ``rebuild_household_facts``."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

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


def test_the_rebuild_command_puts_member_facts_gone_stale_right(world):
    own = world.households.own
    f.MemberFactory(household=own, relation="son")
    Household.objects.filter(pk=own.pk).update(
        head_name="旧名字", head_id_number="", members_count=9
    )
    call_command("rebuild_household_facts")
    for household in Household.objects.all():
        active = household.members.filter(is_active=True)
        head = active.filter(relation="head").first()
        assert household.members_count == active.count()
        assert household.head_name == (head.name if head else "")
        assert household.head_id_number == (head.id_number if head else "")
    own.refresh_from_db()
    assert own.members_count == 2
