"""The dashboards' figures, kept in the cache per scope and day until the data changes.

A dashboard counts the whole scope: for a county that is tens of thousands of households per
figure. ``cached(name, user, compute, today=...)`` returns what ``compute()`` gave and when it
was computed; the value is shared by everyone with the same scope (not per user) and dropped
when any household, assistance or place record is written (``changed``), or after
``TTL`` seconds at the latest. Pages show the time the figures were computed.

Each process also keeps the figures it has read, under the same keys, in its own memory (the
``figures`` cache): a key names the version of the data its figures were computed from, so
what it holds never changes, and a page that finds its figures there does not ask the
shared cache for them (a county's list asked three times).
"""

import contextvars
import datetime
import hashlib
import secrets
import time

from django.apps import apps
from django.core.cache import cache, caches
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from township.access import Scope, scope_for

VERSION_KEY = "figures:version"
TTL = 600
WATCHED_APPS = ("households", "assistance", "township")
# Written all the time and counted by no dashboard: access logs and job progress.
UNWATCHED = {"households.IdAccess", "households.ImportJob"}


# The version a request has read, so that its figures and counts ask the cache once for it
# (three reads a list page, more on a dashboard). None outside a request (Celery tasks, the
# shell): there every figure reads the version afresh.
_seen: contextvars.ContextVar[dict | None] = contextvars.ContextVar("figures_seen", default=None)


def _new_version() -> int:
    """A version number no earlier one reaches by counting up: the time in microseconds and
    a random part, so that a cache emptied (a restart of Redis, a test) never gives back a
    number whose figures a process still keeps."""
    return time.time_ns() // 1000 * 1000 + secrets.randbelow(1000)


def _request_started(**_signal) -> None:
    _seen.set({})


def _request_finished(**_signal) -> None:
    _seen.set(None)


def version_read_with(keys: list[str]) -> dict:
    """``cache.get_many(keys)``, the figures' version read in the same round trip and kept
    for the request (as ``_version`` keeps it): for the session, read at the start of every
    signed-in request, so that a page's figures do not ask the cache again."""
    seen = _seen.get()
    if seen is None or "version" in seen:
        return cache.get_many(keys)
    found = cache.get_many([*keys, VERSION_KEY])
    version = found.pop(VERSION_KEY, None)
    if version is not None:
        seen["version"] = version
    return found


def _version():
    seen = _seen.get()
    if seen is not None and "version" in seen:
        return seen["version"]
    version = cache.get_or_set(VERSION_KEY, _new_version, None)
    if seen is not None:
        seen["version"] = version
    return version


def _bump() -> None:
    seen = _seen.get()
    if seen is not None:  # this request wrote: what it reads from now on is read again
        seen.pop("version", None)
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not in the cache (yet, or any more)
        cache.set(VERSION_KEY, _new_version(), None)


def changed(**_signal) -> None:
    """Data behind the figures changed: forget every cached figure, now and again when the
    transaction commits (so that nothing computed in between is kept)."""
    _bump()
    transaction.on_commit(_bump)


def _scope_key(user) -> str:
    scope = scope_for(user)
    # Everyone with the same place shares the figures; a cadre's scope is their own.
    person = scope.profile_id if scope.level == Scope.Level.CADRE else None
    parts = (scope.level.value, scope.county_id, scope.township_id, scope.village_id, person)
    return ":".join("" if p is None else str(p) for p in parts)


def cached(
    name: str, user, compute, *, today: datetime.date, per_user: bool = False, ttl: int = TTL
):
    """``(value, computed_at)`` of ``compute()`` for ``user``'s scope on ``today`` (for the
    user alone with ``per_user``: what depends on their role, not only their place)."""
    version = _version()
    who = f"user-{user.pk}" if per_user else _scope_key(user)
    return _kept(
        f"figures:{name}:{version}:{who}:{today.isoformat()}:{get_language()}", compute, ttl
    )


def _kept(key: str, compute, ttl: int):
    """``(value, computed_at)`` under ``key``: from this process's copy, else from the shared
    cache (kept here too), else computed and kept in both."""
    kept = caches["figures"]
    hit = kept.get(key)
    if hit is not None:
        return hit
    hit = cache.get(key)
    if hit is None:
        hit = (compute(), timezone.now())
        cache.set(key, hit, ttl)
    # Kept here no longer than in the shared cache: until ``ttl`` after it was computed.
    left = hit[1].timestamp() + ttl - time.time()
    if left > 0:
        kept.set(key, hit, left)
    return hit


def counted(name: str, user, count, *, today: datetime.date, filters: dict) -> int:
    """``count()`` (how many of the user's rows a list filtered by ``filters`` shows), kept
    like the figures: paging through a county's list does not count its 50,000 rows on every
    page. ``count`` runs only when the cache has no count, so a page that finds one does not
    even build the counting query (a search's subqueries, built for nothing otherwise)."""
    chosen = sorted((key, str(getattr(v, "pk", v))) for key, v in filters.items())
    digest = hashlib.sha256(repr(chosen).encode()).hexdigest()[:32]
    number, _at = cached(f"count:{name}:{digest}", user, count, today=today)
    return number


def drawn(name: str, user, template: str, compute, *, today: datetime.date):
    """``(html, computed_at)``: ``template`` drawn with the context ``compute()`` gives, kept
    like the figures themselves (per scope, language and day, dropped when data changes).
    A county's table of 240 villages takes longer to draw than its figures take to read;
    the fragment must hold nothing of the user beyond their scope (no form token)."""
    return cached(name, user, lambda: render_to_string(template, compute()), today=today)


def connect() -> None:
    """Forget the figures whenever a watched model is saved or deleted (bulk writes and
    ``update()`` calls in the services call ``changed()`` themselves)."""
    for app in WATCHED_APPS:
        for model in apps.get_app_config(app).get_models():
            if model._meta.label in UNWATCHED:
                continue
            uid = f"figures-{model._meta.label}"
            post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid + "-save")
            post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid + "-delete")
    request_started.connect(_request_started, dispatch_uid="figures-request-started")
    request_finished.connect(_request_finished, dispatch_uid="figures-request-finished")


def remembered(name: str, compute):
    """``compute()`` kept until the data changes, for everyone: small policy tables (the
    yearly lines, a county's incomes) that many pages read."""
    # Its own key for the (value, computed_at) pairs: the shared cache may still hold, under
    # the same version, a bare value written by a process of an earlier release.
    value, _computed_at = _kept(f"figures:remembered:{name}:{_version()}", compute, TTL)
    return value
