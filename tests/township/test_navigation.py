"""The navigation bar: each role's links, in the user's language, whoever was served before.

The bar is kept drawn in the process (base.html, the "fragments" cache); these requests run
one after another in one process, so a bar drawn for one user and shown to another would be
seen here."""

import re

import pytest
from django.urls import reverse

from tests import factories as f
from township.models import StaffProfile

pytestmark = pytest.mark.django_db
Role = StaffProfile.Role


def nav_links(client, user, **headers) -> set[str]:
    client.force_login(user)
    page = client.get(reverse("households:list"), **headers).content.decode()
    bar = page[page.index('id="nav"') : page.index("</nav>")]
    return set(re.findall(r'href="(/[^"]*)"', bar))


@pytest.fixture
def people():
    township = f.TownshipFactory()
    admin = f.UserFactory(username="root-user", is_superuser=True, is_staff=True)
    return {
        "cadre": f.ProfileFactory(role=Role.CADRE, township=township).user,
        "staff": f.ProfileFactory(role=Role.TOWNSHIP_STAFF, township=township).user,
        "admin": admin,
    }


def test_each_role_sees_its_own_links_whoever_came_before(client, people):
    mine, funds, people_list, admin = (
        reverse("households:mine"),
        reverse("assistance:funds"),
        reverse("people:list"),
        reverse("admin:index"),
    )
    for _round in range(2):  # the second round is served from the kept bars
        cadre = nav_links(client, people["cadre"])
        staff = nav_links(client, people["staff"])
        root = nav_links(client, people["admin"])
        assert mine in cadre and not {funds, people_list, admin} & cadre
        assert {funds, people_list} <= staff and not {mine, admin} & staff
        assert {funds, people_list, admin} <= root and mine not in root


def test_the_bar_is_in_the_language_chosen(client, people):
    client.force_login(people["staff"])
    chinese = client.get(reverse("households:list")).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(reverse("households:list")).content.decode()
    assert ">扶贫资金<" in chinese and ">Funds<" not in chinese
    assert ">Funds<" in english and ">扶贫资金<" not in english
