import datetime
import hashlib
import json

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from households.queues import queue_for
from households.selectors import home_summary
from reporting.dashboard import dashboard, township_table
from township import figures_cache
from township.access import Scope, profile_for, scope_for
from township.accounts import password_changed
from township.celery import app as celery_app
from township.context_processors import queue_counts, queue_plan_items
from township.heartbeat import broker_ping, heartbeat_age
from township.models import StaffProfile


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, which also ends a forced change (new account or reset)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed(user=form.user)
        return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's landing page: what waits for the user, their scope and its households."""
    profile = profile_for(request.user)
    if profile is not None:  # the page names the profile's place
        profile = StaffProfile.objects.select_related(
            "county", "township", "village__township"
        ).get(pk=profile.pk)
    user, today = request.user, datetime.date.today()
    # The scope's figures come from the cache until the data changes (township.figures_cache).
    summary, computed_at = figures_cache.cached(
        "home", user, lambda: home_summary(user), today=today
    )
    context = {
        "profile": profile,
        **summary,
        "computed_at": computed_at,
        "queue": queue_for(
            user,
            today=timezone.localdate(),
            plan_items=queue_plan_items(request),
            counts=queue_counts(request),
        ),
    }
    # Leaders, county and township staff get the dashboard of their whole scope.
    if user.is_superuser or (
        profile
        and profile.role
        in {
            StaffProfile.Role.LEADER,
            StaffProfile.Role.COUNTY_ADMIN,
            StaffProfile.Role.TOWNSHIP_STAFF,
        }
    ):
        context["dashboard"], dashboard_at = figures_cache.cached(
            "dashboard", user, lambda: dashboard(user, today=today), today=today
        )
        context["computed_at"] = min(computed_at, dashboard_at)
    # The county sees its townships side by side, each linking into its own lists.
    if scope_for(user).level in (Scope.Level.COUNTY, Scope.Level.ALL):
        context["townships"], townships_at = figures_cache.cached(
            "townships", user, lambda: township_table(user, today=today), today=today
        )
        context["computed_at"] = min(context["computed_at"], townships_at)
    return render(request, "township/home.html", context)


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure is reported, not raised: this is a probe
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _broker_status() -> str:
    url = celery_app.conf.broker_write_url or celery_app.conf.broker_url
    if url.startswith("memory://"):
        return "in-process"
    try:
        if url.startswith(("redis://", "rediss://")):
            broker_ping(url)  # one client kept per process: no connection opened per probe
        else:  # the demo's file-system queue
            with celery_app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as exc:  # any failure is reported, not raised: this is a probe
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _worker_status(broker: str) -> str:
    """Whether a worker consumed the heartbeat task lately (see township/heartbeat.py)."""
    if broker != "ok":
        return broker  # in-process, or no broker to ask
    try:
        age = heartbeat_age()
    except Exception as exc:  # any failure is reported, not raised: this is a probe
        return f"error: {exc.__class__.__name__}"
    if age is None:
        return "none: no worker has run a task yet"
    if age > settings.BANGFU_WORKER_HEARTBEAT_MAX_AGE:
        return f"none: the last task ran {int(age)} s ago"
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and operators: the database, the broker, the workers.

    503 when the database or the broker is down (this process cannot serve). No worker
    consuming tasks is reported as ``"status": "degraded"`` with 200: the pages still work,
    only reports and imports wait, and restarting the web process would not help.
    """
    checks = {"database": _database_status(), "broker": _broker_status()}
    checks["worker"] = _worker_status(checks["broker"])
    serving = not any(checks[k].startswith("error") for k in ("database", "broker"))
    working = checks["worker"] in ("ok", "in-process")
    status = "error" if not serving else ("ok" if working else "degraded")
    return JsonResponse({"status": status, **checks}, status=200 if serving else 503)


# What every page loads: the service worker keeps these for pages opened without a signal.
SHELL_STATIC = [
    "bootstrap/css/bootstrap.min.css",
    "css/bangfu.css",
    "bootstrap/js/bootstrap.bundle.min.js",
    "django_htmx/htmx-2.min.js",
    "django_htmx/django-htmx.js",
    "js/page.js",
    "js/bangfu.js",
    "js/outbox.js",
    "js/visit-draft.js",
]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker script, from the site root so that its scope covers every page.

    Its version is a digest of the static URLs it keeps (hashed names in production), so a
    release with new static files installs a new worker that replaces the old caches.
    """
    context = {
        "shell_json": json.dumps([static(name) for name in SHELL_STATIC]),
        "login_json": json.dumps(reverse("login")),
    }
    body = render_to_string("township/sw.js", {**context, "version": ""})
    context["version"] = hashlib.sha256(body.encode()).hexdigest()[:12]
    response = HttpResponse(
        render_to_string("township/sw.js", context), content_type="text/javascript"
    )
    # Browsers check for a new worker on each visit; it must never be served stale.
    response["Cache-Control"] = "no-cache"
    return response
