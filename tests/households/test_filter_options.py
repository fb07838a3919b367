"""Large filters (cadres, visitors) offer the chosen one and search the rest in scope."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
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


def test_the_chosen_cadre_is_read_once_and_one_outside_the_scope_is_not_offered(client, world):
    """The form's check finds the cadre in scope; the select offers what it found."""
    (cadre,) = _many_cadres(world, 1)
    outside = f.ProfileFactory(name="外乡干部", township=world.other_township)
    f.PairingFactory(household=f.HouseholdFactory(village=world.villages.b1), cadre=outside)
    client.force_login(world.profiles.staff.user)
    url = reverse("households:list")
    client.get(url, {"cadre": cadre.pk})
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url, {"cadre": cadre.pk}).content.decode()
    cadre_reads = [
        q for q in queries if q["sql"].split(" FROM ", 1)[1].startswith('"township_staffprofile"')
    ]
    assert len(cadre_reads) == 1
    assert _options(_select(page, "cadre")) == ["", str(cadre.pk)]
    page = client.get(url, {"cadre": outside.pk}).content.decode()
    assert _options(_select(page, "cadre")) == [""] and "外乡干部" not in _select(page, "cadre")


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


def _select(html: str, name: str) -> str:
    start = html.index(f'name="{name}"')
    return html[start : html.index("</select>", start)]


def test_the_place_filters_offer_the_scopes_places_kept_until_one_changes(world):
    neighbour = f.TownshipFactory(county=world.counties[0], name="坝子乡", code="520399200000")
    across = f.VillageFactory(township=neighbour, name="坝子村", code="520399200201")
    client, county = Client(), Client()
    client.force_login(world.profiles.staff.user)
    county.force_login(world.profiles.county.user)  # signing in drops the kept figures
    url = reverse("households:list")
    villages = _select(client.get(url).content.decode(), "village")
    assert _options(villages) == ["", str(world.villages.a1.pk), str(world.villages.a2.pk)]
    assert "新田村" in villages and "河口村" not in villages
    # A village added or renamed is offered at once (the kept names are dropped on a write).
    added = f.VillageFactory(township=world.township, name="大坪村", code="520399100203")
    world.villages.a2.name = "石门新村"
    world.villages.a2.save()
    villages = _select(client.get(url).content.decode(), "village")
    assert _options(villages) == [
        "",
        str(world.villages.a1.pk),
        str(world.villages.a2.pk),
        str(added.pk),
    ]
    assert "大坪村" in villages and "石门新村" in villages
    # The county's users see their townships and villages, another county's never.
    page = county.get(url).content.decode()
    assert _options(_select(page, "township")) == ["", str(world.township.pk), str(neighbour.pk)]
    offered = _options(_select(page, "village"))
    assert str(across.pk) in offered and str(added.pk) in offered
    assert str(world.villages.b1.pk) not in offered
