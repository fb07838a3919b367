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
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from tests import test_access_matrix as matrix

pytestmark = pytest.mark.django_db

settings.register_profile(
    "ci",
    max_examples=12,
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

ROLES = ["staff", "team", "cadre", "county", "leader", "superuser", "anonymous"]
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
            return reverse(name)
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
    for role in ROLES:
        if role != "anonymous":
            client.force_login(matrix._user(world, role))
        url = _url_and_login(name, role, world, made)
        if url is None:
            continue
        with recording_reads() as seen:
            _assert_answered(client.get(url), (role, "GET"))
            _assert_answered(client.post(url, {}), (role, "POST"))
        targets[role] = (url, sorted(seen["params"]), sorted(seen["files"]))
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
        url, params, files = targets[role]
        client.logout()
        if role != "anonymous":
            client.force_login(matrix._user(world, role))
        sent = data.draw(
            st.dictionaries(st.sampled_from(params or ["q"]), values, max_size=len(params) + 1)
        )
        query = data.draw(st.dictionaries(st.sampled_from(params or ["q"]), values, max_size=3))
        uploads = {}
        if files:
            uploads = data.draw(st.dictionaries(st.sampled_from(files), hostile_files()))
        TRIED["requests"] += 2
        _assert_answered(client.get(url, query), (role, "GET", query))
        _assert_answered(client.post(url, {**sent, **uploads}), (role, "POST", sent, uploads))

    hostile()


@pytest.fixture(scope="module", autouse=True)
def report_how_many(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and TRIED["requests"]:
        reporter.write_line(
            f"hostile input: {TRIED['requests']} requests over {TRIED['urls']} URL patterns"
        )
