import hashlib
import json

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from households.selectors import home_summary
from reporting.dashboard import dashboard, needs_attention
from township.access import profile_for
from township.celery import app as celery_app


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's landing page: its scope and the households in it, counted by status."""
    profile = profile_for(request.user)
    context = {
        "profile": profile,
        **home_summary(request.user),
        "attention": needs_attention(request.user),
    }
    # Leaders, county and township staff get the dashboard of their whole scope.
    if request.user.is_superuser or (
        profile and profile.role in {"leader", "county_admin", "township_staff"}
    ):
        context["dashboard"] = dashboard(request.user)
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
    if celery_app.conf.broker_url.startswith("memory://"):
        return "in-process"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as exc:  # any failure is reported, not raised: this is a probe
        return f"error: {exc.__class__.__name__}"
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and operators: the database and the Celery broker."""
    checks = {"database": _database_status(), "broker": _broker_status()}
    healthy = not any(value.startswith("error") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


# What every page loads: the service worker keeps these for pages opened without a signal.
SHELL_STATIC = [
    "bootstrap/css/bootstrap.min.css",
    "css/bangfu.css",
    "bootstrap/js/bootstrap.bundle.min.js",
    "django_htmx/htmx-2.min.js",
    "django_htmx/django-htmx.js",
    "js/page.js",
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
