"""The access helper of the reporting app: 404 outside the user's scope (see
``township.scoping``)."""

from django.shortcuts import get_object_or_404

from reporting.models import ReportRun


def get_run_for(user, pk: int) -> ReportRun:
    return get_object_or_404(
        ReportRun.objects.visible_to(user).select_related(
            "township", "county", "village", "cadre", "household"
        ),
        pk=pk,
    )
