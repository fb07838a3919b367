from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from households.selectors import home_summary
from reporting.dashboard import dashboard, needs_attention
from township.access import profile_for
from township.accounts import password_changed
from township.celery import app as celery_app


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, which also ends a forced change (new account or reset)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed(user=form.user)
        return response


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
