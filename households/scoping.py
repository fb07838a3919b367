"""The access helpers of the households app: each answers 404 outside the user's scope.

They sit beside the ``visible_to`` methods they use; the mechanism that makes an unscoped
query fail is ``township.scoping``.
"""

from django.shortcuts import get_object_or_404

from households.models import (
    Household,
    ImportJob,
    MonitoringCase,
    NoticeObjection,
    Removal,
    Visit,
    VisitPhoto,
    WorkflowCase,
)


def get_household_for(user, pk: int) -> Household:
    """The household ``pk`` if ``user`` may see it, else 404."""
    return get_object_or_404(Household.objects.visible_to(user).select_related("village"), pk=pk)


def get_visit_for(user, pk: int) -> Visit:
    """The visit ``pk`` if ``user`` may see its household, else 404."""
    return get_object_or_404(
        Visit.objects.visible_to(user)
        .select_related("household__village", "visitor__profile")
        .prefetch_related("photos"),
        pk=pk,
    )


def get_visit_photo_for(user, pk: int) -> VisitPhoto:
    return get_object_or_404(
        VisitPhoto.objects.filter(visit__in=Visit.objects.visible_to(user)), pk=pk
    )


def get_case_for(user, pk: int) -> WorkflowCase:
    return get_object_or_404(
        WorkflowCase.objects.visible_to(user).select_related("household"), pk=pk
    )


def get_objection_for(user, pk: int) -> NoticeObjection:
    """An objection to a notice, if ``user`` may see its case."""
    return get_object_or_404(
        NoticeObjection.objects.filter(
            case__in=WorkflowCase.objects.visible_to(user)
        ).select_related("case__household"),
        pk=pk,
    )


def get_monitoring_case_for(user, pk: int) -> MonitoringCase:
    return get_object_or_404(MonitoringCase.objects.visible_to(user), pk=pk)


def get_removal_for(user, pk: int) -> Removal:
    return get_object_or_404(Removal.objects.visible_to(user).select_related("household"), pk=pk)


def get_import_for(user, pk: int) -> ImportJob:
    """An import job is seen by whoever started it (and a superuser)."""
    jobs = (
        ImportJob.objects.all() if user.is_superuser else ImportJob.objects.filter(created_by=user)
    )
    return get_object_or_404(jobs, pk=pk)
