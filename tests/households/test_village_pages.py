import pytest
from django.urls import reverse

from households.models import Household
from tests import factories as f
from tests.pages import village_rows

pytestmark = pytest.mark.django_db


def test_villages_are_listed_with_their_counts(client, world):
    Household.objects.filter(pk=world.households.own.pk).update(status="exited")
    f.MemberFactory(household=world.households.own)
    client.force_login(world.profiles.leader.user)
    rows = village_rows(client.get(reverse("villages:list")))
    # registered, out of poverty, not yet out, people
    counts = {name: (c[2], c[4], c[3], c[6]) for name, c in rows.items()}
    assert counts == {"新田村": ("2", "1", "1", "3"), "石门村": ("1", "0", "1", "1")}


def test_a_village_register_lists_its_cards_with_masked_ids(client, world):
    client.force_login(world.profiles.team.user)
    response = client.get(reverse("villages:register", args=[world.villages.a1.pk]))
    rows = response.context["households"]
    assert {h.pk for h in rows} == {world.households.own.pk, world.households.colleague.pk}
    assert world.households.own.members.get().id_number not in response.content.decode()
