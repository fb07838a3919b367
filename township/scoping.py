"""Scoping that fails closed, and the access helpers of the township's own objects.

While a web request is handled (``ScopingMiddleware``), a query of scoped data — a model whose
manager is built from ``ScopedQuerySet`` — raises ``ScopeError`` unless it was narrowed by the
model's ``visible_to(user)`` or stands inside an explicit escape::

    Household.objects.visible_to(user).filter(...)               # scoped: the user's rows
    Member.objects.filter(...).unscoped("why this may cross scopes")
    with unscoped("why this may cross scopes"):
        ...

Both escapes take a reason and are listed by a test (``tests/township/test_scoping_guard.py``)
so that a new one is seen in review. What is not checked, on purpose:

- work outside requests (Celery tasks, management commands, migrations, the tests' own
  set-up): there is no user to scope to; reports carry their scope in their arguments;
- related rows reached from a row already fetched (``household.members.all()``, forward
  foreign keys, ``prefetch_related`` of a relation): the row itself came through a scope;
- querysets used only inside another query (``filter(household__in=...)``, ``Exists``,
  ``Subquery``): the outer query is the one checked.

This is pretix's habit (django-scopes) in a shape that fits per-user scopes: the scope is not
a tenant set once per request but ``township.access.scope_for(user)``, applied by each
model's ``visible_to``. Every ``get_*_for(user, pk)`` helper (404 outside the scope) sits
beside the ``visible_to`` it uses, in one ``scoping`` module per app (``households.scoping``,
``assistance.scoping``, ``reporting.scoping`` and this one): the apps' models point one way,
so one module for all would import apps to its right.
"""

import contextvars
import functools
from contextlib import contextmanager

from django.db import models
from django.shortcuts import get_object_or_404

_in_request: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "bangfu_scoping_in_request", default=False
)
_escape: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "bangfu_scoping_escape", default=None
)


class ScopeError(RuntimeError):
    """A query of scoped data during a request, neither scoped nor explicitly escaped."""


@contextmanager
def unscoped(reason: str):
    """Let the queries inside cross scopes; ``reason`` says why (it is read in review)."""
    if not reason or not reason.strip():
        raise ValueError("an escape from scoping needs a reason")
    token = _escape.set(reason)
    try:
        yield
    finally:
        _escape.reset(token)


@contextmanager
def request_scoping():
    """Check the queries inside as a request's are checked (the middleware uses this)."""
    token = _in_request.set(True)
    try:
        yield
    finally:
        _in_request.reset(token)


def checking() -> bool:
    """Whether an unscoped query of scoped data would raise here and now."""
    return _in_request.get() and _escape.get() is None


class ScopedQuerySet(models.QuerySet):
    """A queryset whose evaluation in a request needs ``visible_to(user)`` or an escape.

    A subclass's own ``visible_to`` is wrapped so that what it returns counts as scoped, and
    so does anything chained from it (``.filter``, ``.values``, ``.select_for_update`` …).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._scoped_by: str | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        method = cls.__dict__.get("visible_to")
        if method is not None and not getattr(method, "_marks_scope", False):

            @functools.wraps(method)
            def visible_to(self, user, *args, **kwargs):
                queryset = method(self, user, *args, **kwargs)._chain()
                queryset._scoped_by = "visible_to"
                return queryset

            visible_to._marks_scope = True
            cls.visible_to = visible_to

    def as_manager(cls):
        manager = ScopedManager.from_queryset(cls)()
        manager._built_with_as_manager = True
        return manager

    as_manager.queryset_only = True
    as_manager = classmethod(as_manager)

    def inside(self, **lookups):
        """Filter by rows the caller already holds, keeping their scope.

        Each value is a model instance (a row fetched through a scope: ``fund=fund``), a list
        of them, or a queryset that is itself scoped (``household__in=households``); the
        result is then scoped too. A raw id or an unscoped queryset gives an unscoped result,
        which raises when evaluated in a request.
        """
        held = all(_is_held(value) for value in lookups.values())
        for key in ("pk", "pk__in"):  # a primary key compares with ids, not rows
            value = lookups.get(key)
            if isinstance(value, models.Model):
                lookups[key] = value.pk
            elif isinstance(value, list | tuple | set | frozenset):
                lookups[key] = [v.pk if isinstance(v, models.Model) else v for v in value]
        queryset = self.filter(**lookups)
        if held:
            queryset._scoped_by = "inside held rows"
        return queryset

    def locked(self, obj):
        """``obj`` read again and locked (``select_for_update``) for a write: a row the caller
        already holds, so no scope is crossed."""
        if not isinstance(obj, self.model):
            raise TypeError(f"locked() takes a {self.model.__name__} the caller holds")
        queryset = self.select_for_update().filter(pk=obj.pk)
        queryset._scoped_by = "a held row"
        return queryset.get()

    def unscoped(self, reason: str):
        """This query may cross scopes, for ``reason``."""
        if not reason or not reason.strip():
            raise ValueError("an escape from scoping needs a reason")
        queryset = self._chain()
        queryset._scoped_by = reason
        return queryset

    def _clone(self):
        clone = super()._clone()
        clone._scoped_by = self._scoped_by
        return clone

    def _check_scope(self) -> None:
        if self._scoped_by is None and checking() and not self.query.is_empty():
            name = self.model._meta.label
            raise ScopeError(
                f"An unscoped query of {name} during a request: narrow it with "
                f"{self.model.__name__}.objects.visible_to(user), or escape with "
                f'.unscoped("why") or `with unscoped("why"):`.'
            )

    def _fetch_all(self):
        if self._result_cache is None:
            self._check_scope()
        super()._fetch_all()

    def count(self):
        if self._result_cache is None:
            self._check_scope()
        return super().count()

    def exists(self):
        if self._result_cache is None:
            self._check_scope()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._check_scope()
        return super().aggregate(*args, **kwargs)

    def iterator(self, *args, **kwargs):
        self._check_scope()
        return super().iterator(*args, **kwargs)

    def update(self, **kwargs):
        self._check_scope()
        return super().update(**kwargs)

    def delete(self):
        self._check_scope()
        return super().delete()


def _across_scopes(check):
    @functools.wraps(check)
    def wrapper(self, *args, **kwargs):
        with unscoped("uniqueness and constraints hold across every scope"):
            return check(self, *args, **kwargs)

    return wrapper


def _is_held(value) -> bool:
    """A row of a scoped model (fetched through a check), a list of them, or a scoped
    queryset. A row of an unscoped model (a village) is not: holding a village does not
    mean seeing all of its households."""
    if isinstance(value, ScopedQuerySet):
        return value._scoped_by is not None
    if isinstance(value, list | tuple | set | frozenset):
        return all(_is_held_row(v) for v in value)  # none: the filter finds nothing
    return _is_held_row(value)


def _is_held_row(value) -> bool:
    return (
        isinstance(value, models.Model)
        and value.pk is not None
        and isinstance(type(value)._default_manager, ScopedManager)
    )


class ScopedManager(models.Manager):
    """The manager of a scoped model. A related manager (``household.members``) starts from
    a row already fetched, so its queries are free: the row itself came through a scope.

    The model's own uniqueness and constraint checks (``full_clean``, model forms) look at
    every row, in every scope: a card number or an ID number is taken wherever it is. The
    manager wraps them in an escape when it is attached to the model, so that no form has to.
    """

    def contribute_to_class(self, cls, name):
        super().contribute_to_class(cls, name)
        if not cls._meta.abstract and "_scoping_checks_wrapped" not in cls.__dict__:
            cls._scoping_checks_wrapped = True
            for method in ("validate_unique", "validate_constraints"):
                setattr(cls, method, _across_scopes(getattr(cls, method)))

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "instance", None) is not None:
            queryset._scoped_by = "a related row"
        return queryset


# The township's own objects ----------------------------------------------------------


def get_township_for(user, pk: int):
    from township.models import Township

    return get_object_or_404(Township.objects.visible_to(user), pk=pk)


def get_village_for(user, pk):
    from township.models import Village

    return get_object_or_404(Village.objects.visible_to(user), pk=pk)


def get_unit_for(user, pk: int):
    from township.models import HelpUnit

    return get_object_or_404(HelpUnit.objects.visible_to(user).select_related("county"), pk=pk)


def get_person_for(user, pk: int):
    from township.models import StaffProfile

    return get_object_or_404(
        StaffProfile.objects.visible_to(user).select_related(
            "user", "township", "village", "help_unit"
        ),
        pk=pk,
    )


_task_tokens: dict[str, contextvars.Token] = {}


def task_started(task_id=None, **kwargs) -> None:
    """A task runs outside any request, even when run in-process by one (no broker, tests)."""
    _task_tokens[task_id] = _in_request.set(False)


def task_ended(task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _in_request.reset(token)


class ScopingMiddleware:
    """Mark the handling of a request: unscoped queries of scoped data raise inside it.

    The Django admin is the one page set left free: only superusers may use it, and they
    see every scope (``visible_to`` gives them everything too).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _in_admin(request):
            with unscoped("the Django admin: superusers only, who see every scope"):
                return self.get_response(request)
        with request_scoping():
            return self.get_response(request)


def _in_admin(request) -> bool:
    from django.urls import reverse

    user = getattr(request, "user", None)
    return (
        user is not None
        and user.is_active
        and user.is_superuser
        and request.path_info.startswith(reverse("admin:index"))
    )
