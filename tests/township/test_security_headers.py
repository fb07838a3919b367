"""Content-Security-Policy, no caching of signed-in pages, and error pages people can use."""

import re
from unittest import mock

import pytest
from django.urls import reverse

from tests import test_access_matrix as matrix

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL | re.IGNORECASE)


def _pages(world):
    """Every GET page of the project, as the superuser sees it (objects in scope)."""
    for name in sorted(matrix.MATRIX):
        entry = matrix.MATRIX[name]
        if entry.post or entry.access in ("post", "anonymous"):
            continue
        if entry.access == "scoped":
            inside, _ = matrix.MAPS.get(entry.obj, matrix.HOUSEHOLDS)["superuser"]
            obj = matrix._object(world, entry.obj, inside)
            yield name, reverse(name, args=[obj.pk, *entry.extra_args])
        else:
            yield name, reverse(name, args=entry.extra_args)


def test_every_page_has_the_policy_and_no_inline_script_handler_or_style(client, world):
    client.force_login(world.superuser)
    checked = 0
    for name, url in _pages(world):
        # A set-up page answers with the thing it set up once that exists: check that page.
        response = client.get(url, follow=True)
        assert response.status_code == 200, name
        assert all("/login/" not in hop for hop, _ in response.redirect_chain), name
        policy = response["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "unsafe" not in policy.split(";")[1], name
        if response["Content-Type"].startswith("text/html"):
            page = response.content.decode()
            assert not INLINE_SCRIPT.search(page), (name, INLINE_SCRIPT.search(page))
            assert not INLINE_HANDLER.search(page), (name, INLINE_HANDLER.search(page))
            ours = SVG.sub("", page)  # a pygal chart styles itself inline
            assert not INLINE_STYLE.search(ours), (name, INLINE_STYLE.search(ours))
            checked += 1
    assert checked > 30


def test_the_checks_see_inline_code():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/bangfu.js" defer></script>')
    assert INLINE_HANDLER.search('<button type="button" onclick="window.print()">')
    assert INLINE_STYLE.search('<div class="x" style="width: 5%">')


def test_signed_in_pages_and_downloads_are_not_stored_by_caches(client, world):
    client.force_login(world.profiles.staff.user)
    for url in (
        reverse("home"),
        reverse("households:detail", args=[world.households.own.pk]),
        reverse("reporting:export_households"),
    ):
        assert client.get(url)["Cache-Control"] == "no-store", url
    client.logout()
    assert "Cache-Control" not in client.get(reverse("households:list"))  # to the login page


def test_the_403_page_is_translated_and_leads_somewhere(client, world):
    client.force_login(world.profiles.leader.user)
    response = client.get(reverse("households:create"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "您无权进行此操作" in page
    assert f'href="{reverse("households:list")}"' in page and 'class="navbar' in page


def test_the_404_page_is_translated_and_leads_somewhere(client, world):
    client.force_login(world.profiles.leader.user)
    response = client.get(reverse("households:detail", args=[world.households.outsider.pk]))
    page = response.content.decode()
    assert response.status_code == 404
    assert "此页面不存在" in page and f'href="{reverse("home")}"' in page


def test_the_500_page_is_translated_and_leads_home(client, world):
    client.force_login(world.profiles.leader.user)
    client.raise_request_exception = False
    with mock.patch("township.views.home_summary", side_effect=RuntimeError("boom")):
        response = client.get(reverse("home"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "我们这边出了问题" in page and f'href="{reverse("home")}"' in page
    assert "boom" not in page
