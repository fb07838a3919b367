"""Hostile input on every page: whatever a client sends, no page answers 500.

For each URL pattern of the project (read from the resolver, like the access matrix, so a
new page is covered without touching this file) and several roles, a plain GET and an empty
POST first record which parameters the view reads (every `request.GET`, `request.POST` and
`request.FILES` look-up, through forms or by hand). Hypothesis then sends those parameters
with hostile values: NUL bytes, huge and negative numbers, 9999-12-31, year 0, full-width
digits, `1e5`, very long strings, several values for one name, files that lie about their
kind. Any exception the view lets through (the test client re-raises it) or any 5xx fails.

The number of examples per URL comes from the Hypothesis profile: `ci` (the default) keeps
the run short; `HYPOTHESIS_PROFILE=thorough` tries many more.
"""

import functools
import io
import os
from contextlib import contextmanager
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve, reverse
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from tests import test_access_matrix as matrix

pytestmark = pytest.mark.django_db

settings.register_profile(
    "ci",
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
settings.register_profile(
    "thorough",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ENTRY = matrix.Entry("login")
# Who sends it: the superuser reaches every action; the others each stand for a scope and a
# set of permissions (the access matrix checks every role against every page).
ROLES = ["superuser", "staff", "team", "cadre", "anonymous"]
TRIED = {"requests": 0, "urls": 0}

HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "2025-01-01\x00",
    "9999-12-31",
    "0000-01-01",
    "0001-01-01",
    "2025-02-30",
    "-1",
    "0",
    "-0",
    "1e5",
    "1E400",
    "-1e-400",
    "NaN",
    "inf",
    "１２３",
    "２０２５-０１-０１",
    "٣٣",
    "0x1F",
    "1,000",
    "99999999999999999999999999999999",
    str(2**63),
    str(-(2**63) - 1),
    str(2**31),
    "0.0000000001",
    "abc",
    "x" * 5000,
    "😀" * 50,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%00",
    "true",
    "on",
    "pass",
    "exit",
    # Plausible values too, so that one hostile field meets otherwise valid ones.
    "1",
    "10",
    "2025-03-01",
    "2025",
]
scalars = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=30),
)
values = st.one_of(scalars, st.lists(scalars, min_size=2, max_size=3))


@functools.cache
def _png_bytes(size) -> bytes:
    buffer = io.BytesIO()
    Image.new("1", size).save(buffer, "PNG")
    return buffer.getvalue()


def _png(size, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _png_bytes(size), content_type="image/png")


def hostile_files():
    """Files that lie: a PNG named .html, a pixel bomb, bytes named .pdf, nothing at all."""
    return st.sampled_from(
        [
            lambda: _png((8, 8), "x.html"),
            lambda: _png((12_000, 12_000), "bomb.png"),
            lambda: SimpleUploadedFile("scan.pdf", b"\x00\x01not a pdf"),
            lambda: SimpleUploadedFile("photo.jpg", b""),
            lambda: SimpleUploadedFile("\x00.jpg", b"GIF89a"),
            lambda: SimpleUploadedFile("roster.xlsx", b"PK\x03\x04broken"),
        ]
    ).map(lambda make: make())


class _Forms(HTMLParser):
    """The values a page offers for each field of each form (options, prefilled inputs),
    by the URL pattern the form is sent to."""

    def __init__(self, page_name: str):
        super().__init__()
        self.page_name = page_name
        self.values: dict[str, dict[str, set[str]]] = {}
        self._target = page_name
        self._select = None

    def _add(self, name, value):
        if name and value and name != "csrfmiddlewaretoken":
            self.values.setdefault(self._target, {}).setdefault(name, set()).add(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "form":
            action = (attrs.get("action") or "").split("?")[0]
            try:
                self._target = resolve(action).view_name if action else self.page_name
            except Resolver404:
                self._target = "elsewhere"
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select:
            self._add(self._select, attrs.get("value"))
        elif tag in ("input", "textarea") and attrs.get("type") != "file":
            self._add(
                name, attrs.get("value") or ("2025-03-01" if attrs.get("type") == "date" else "")
            )

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._target = self.page_name


# (role, URL pattern name) -> field -> values offered for it by the pages a role sees.
OFFERED: dict[tuple[str, str], dict[str, set[str]]] = {}


def learn_forms(client, role, name, response):
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    parser = _Forms(name)
    parser.feed(response.content.decode(errors="replace"))
    for target, fields in parser.values.items():
        known = OFFERED.setdefault((role, target), {})
        for field, found in fields.items():
            known.setdefault(field, set()).update(found)


def offered_for(role, name) -> dict[str, list[str]]:
    return {k: sorted(v) for k, v in OFFERED.get((role, name), {}).items()}


@contextmanager
def recording_reads():
    """Every name a view looks up in GET/POST (params) or FILES (files) while inside."""
    seen = {"params": set(), "files": set()}
    originals = {name: getattr(MultiValueDict, name) for name in ("get", "__getitem__", "getlist")}

    def wrap(name):
        original = originals[name]

        def reader(self, key, *args, **kwargs):
            if isinstance(key, str):
                from django.http import QueryDict

                seen["params" if isinstance(self, QueryDict) else "files"].add(key)
            return original(self, key, *args, **kwargs)

        return reader

    with (
        mock.patch.object(MultiValueDict, "get", wrap("get")),
        mock.patch.object(MultiValueDict, "__getitem__", wrap("__getitem__")),
        mock.patch.object(MultiValueDict, "getlist", wrap("getlist")),
    ):
        yield seen


def _url_and_login(name, role, world, made: dict):
    """The URL of ``name`` for ``role`` (an object inside the role's scope), or None."""
    entry = matrix.MATRIX.get(name)
    if role == "anonymous" and (entry is None or entry.access not in ("public", "anonymous")):
        return None  # it only sends the visitor to the login page
    if entry is None or entry.access != "scoped":
        try:
            return reverse(name, args=entry.extra_args if entry else ())
        except Exception:  # a pattern with arguments the matrix does not describe
            return None
    inside, _outside = matrix.MAPS.get(entry.obj, matrix.HOUSEHOLDS)[role]
    if not inside:
        return None
    key = (entry.obj, inside)
    if key not in made:  # some kinds are created on demand: once a test
        made[key] = matrix._object(world, entry.obj, inside)
    obj = made[key]
    return reverse(name, args=[obj.pk, *entry.extra_args])


def _assert_answered(response, what):
    assert response.status_code < 500, what


def _names():
    return sorted(n for n in matrix.pattern_names() if not n.startswith("admin:"))


@pytest.fixture
def no_task_dispatch():
    """Queued tasks are recorded, not run: a page's answer is what is under test here."""
    with mock.patch("celery.app.task.Task.apply_async") as queued:
        yield queued


@pytest.mark.parametrize("name", _names())
def test_no_hostile_input_makes_a_page_answer_500(client, world, name, no_task_dispatch):
    targets, made = {}, {}
    if not OFFERED:  # once a run: what every page offers, so POST-only views get values too
        for role in ROLES:
            if role != "anonymous":
                client.force_login(matrix._user(world, role))
            for page_name in _names():
                url = _url_and_login(page_name, role, world, made)
                if url is not None and not matrix.MATRIX.get(page_name, ENTRY).post:
                    learn_forms(client, role, page_name, client.get(url))
            client.logout()
    for role in ROLES:
        if role != "anonymous":
            client.force_login(matrix._user(world, role))
        url = _url_and_login(name, role, world, made)
        if url is None:
            continue
        page = client.get(url)
        _assert_answered(page, (role, "GET"))
        learn_forms(client, role, name, page)
        # Sent again with what the pages offer: a view that reads nothing from an empty
        # query (``Form(request.GET or None)``) shows here which names it reads.
        filled = {k: v[0] for k, v in offered_for(role, name).items()}
        with recording_reads() as read_by_get:
            _assert_answered(client.get(url, filled), (role, "GET", filled))
        with recording_reads() as read_by_post:
            _assert_answered(client.post(url, {}), (role, "POST"))
            _assert_answered(client.post(url, filled), (role, "POST", filled))
        targets[role] = (
            url,
            sorted(read_by_get["params"]),
            sorted(read_by_post["params"]),
            sorted(read_by_post["files"]),
        )
        client.logout()
    if not targets:
        pytest.skip(f"no role reaches {name} with an object in its scope")
    TRIED["urls"] += 1
    roles = sorted(targets)

    @given(
        role=st.sampled_from(roles),
        data=st.data(),
    )
    def hostile(role, data):
        url, get_params, params, files = targets[role]
        offered = offered_for(role, name)
        client.logout()
        if role != "anonymous":
            client.force_login(matrix._user(world, role))
        # One field (or, at times, every field) hostile; the others take a value the pages
        # offer, so that the hostile one gets past the rest of the form to the code behind.
        target = data.draw(st.sampled_from([*params, "*"])) if params else "*"
        sent = {
            name: data.draw(
                values
                if target in ("*", name) or not offered.get(name)
                else st.sampled_from(offered[name])
            )
            for name in params
        }
        query = data.draw(st.dictionaries(st.sampled_from(get_params or ["q"]), values, max_size=3))
        uploads = {}
        if files:
            uploads = data.draw(st.dictionaries(st.sampled_from(files), hostile_files()))
        # A method whose view reads nothing gets one plain request, not every example.
        if get_params or not data.draw(st.integers(0, 9)):
            TRIED["requests"] += 1
            _assert_answered(client.get(url, query), (role, "GET", query))
        if params or files or not data.draw(st.integers(0, 9)):
            TRIED["requests"] += 1
            _assert_answered(client.post(url, {**sent, **uploads}), (role, "POST", sent))

    sweep(client, world, targets)  # first: random examples may move the objects on
    hostile()


# Each of these, in each field in turn, the other fields as the pages offer them.
KILLERS = ["a\x00b", "9999-12-31", "abc", "1e5", str(2**70), ["1", "2"]]


def sweep(client, world, targets):
    """The deterministic part: every field of the view, every killer value, as the role
    that reaches the deepest (the superuser when it reaches the page)."""
    role = "superuser" if "superuser" in targets else sorted(targets)[0]
    url, get_params, post_params, _files = targets[role]
    offered = offered_for(role, _name_of(url))
    client.logout()
    if role != "anonymous":
        client.force_login(matrix._user(world, role))
    for method, params in ((client.get, get_params), (client.post, post_params)):
        base = {name: offered[name][0] for name in params if offered.get(name)}
        for name in params:
            for killer in KILLERS:
                TRIED["requests"] += 1
                sent = {**base, name: killer}
                _assert_answered(method(url, sent), (role, method.__name__, sent))


def _name_of(url: str) -> str:
    return resolve(url.split("?")[0]).view_name
