"""Large filters (cadres, visitors) offer the chosen one and search the rest in scope."""

import re

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


def _options(html: str) -> list[str]:
    return re.findall(r'<option value="(\d*)"', html)


def _many_cadres(world, count):
    cadres = []
    for n in range(count):
        household = f.HouseholdFactory(village=world.villages.a2)
        cadre = f.ProfileFactory(name=f"王{n:02d}", township=world.township)
        f.PairingFactory(household=household, cadre=cadre)
        cadres.append(cadre)
    return cadres


def test_the_household_list_offers_only_the_chosen_cadre(client, world):
    cadres = _many_cadres(world, 5)
    client.force_login(world.profiles.staff.user)
    page = client.get(reverse("households:list")).content.decode()
    select = page[page.index('name="cadre"') : page.index("</select>", page.index('name="cadre"'))]
    assert _options(select) == [""]
    chosen = client.get(reverse("households:list"), {"cadre": cadres[3].pk}).content.decode()
    select = chosen[
        chosen.index('name="cadre"') : chosen.index("</select>", chosen.index('name="cadre"'))
    ]
    assert _options(select) == ["", str(cadres[3].pk)]
    assert "王03" in select and "王02" not in select


def test_cadre_options_match_the_name_within_the_scope_and_are_bounded(client, world):
    cadres = _many_cadres(world, 25)
    client.force_login(world.profiles.staff.user)
    url = reverse("households:cadre_options")
    assert _options(client.get(url, {"q": "王1"}).content.decode()) == [""] + [
        str(c.pk) for c in cadres[10:20]
    ]
    assert len(_options(client.get(url, {"q": "王"}).content.decode())) == 1 + 20
    # Another township's cadre is never offered, however it is asked for.
    outside = client.get(url, {"q": world.profiles.cadre_b.name}).content.decode()
    assert str(world.profiles.cadre_b.pk) not in _options(outside)
    client.force_login(world.profiles.other_leader.user)
    theirs = _options(client.get(url, {"q": ""}).content.decode())
    assert theirs == ["", str(world.profiles.cadre_b.pk)]


def test_visitor_options_and_the_visit_list_offer_visitors_in_scope(client, world):
    f.VisitFactory(household=world.households.own, visitor=world.profiles.cadre.user)
    f.VisitFactory(household=world.households.outsider, visitor=world.profiles.cadre_b.user)
    client.force_login(world.profiles.staff.user)
    url = reverse("households:visitor_options")
    found = _options(client.get(url, {"q": world.profiles.cadre.name}).content.decode())
    assert found == ["", str(world.profiles.cadre.user.pk)]
    assert _options(client.get(url, {"q": world.profiles.cadre_b.name}).content.decode()) == [""]
    page = client.get(reverse("households:visit_list")).content.decode()
    select = page[
        page.index('name="visitor"') : page.index("</select>", page.index('name="visitor"'))
    ]
    assert _options(select) == [""]
    chosen = client.get(reverse("households:visit_list"), {"visitor": world.profiles.cadre.user.pk})
    html = chosen.content.decode()
    select = html[
        html.index('name="visitor"') : html.index("</select>", html.index('name="visitor"'))
    ]
    assert _options(select) == ["", str(world.profiles.cadre.user.pk)]
