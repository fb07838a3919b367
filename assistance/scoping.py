"""The access helpers of the assistance app: each answers 404 outside the user's scope.

They sit beside the ``visible_to`` methods they use; the mechanism that makes an unscoped
query fail is ``township.scoping``.
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from assistance.models import (
    AssistancePlan,
    Delivery,
    DividendContract,
    Enterprise,
    Fund,
    HealthRelief,
    HousingRenovation,
    LedgerEntry,
    LibraryEntry,
    Loan,
    MutualAidEntry,
    MutualAidFund,
    PlanItem,
    Project,
    ProjectDocument,
    RainDewStudent,
    TrainingSession,
)
from households.models import Household, Pairing
from township import figures_cache
from township.access import scope_for
from township.models import StaffProfile


def get_plan_for(user, pk: int) -> AssistancePlan:
    return get_object_or_404(
        AssistancePlan.objects.visible_to(user).select_related("household__village"), pk=pk
    )


def get_item_for(user, pk: int) -> PlanItem:
    return get_object_or_404(
        PlanItem.objects.visible_to(user).select_related("plan__household__village", "kind"), pk=pk
    )


def get_delivery_evidence_for(user, pk: int) -> Delivery:
    """A delivery with an evidence file, if ``user`` may see its plan item; else 404."""
    return get_object_or_404(
        Delivery.objects.filter(item__in=PlanItem.objects.visible_to(user)).exclude(evidence=""),
        pk=pk,
    )


def get_project_for(user, pk: int) -> Project:
    return get_object_or_404(Project.objects.visible_to(user).select_related("township"), pk=pk)


def get_fund_for(user, pk: int) -> Fund:
    return get_object_or_404(Fund.objects.visible_to(user).select_related("township"), pk=pk)


def get_project_document_for(user, pk: int) -> ProjectDocument:
    """A project's document, if ``user`` may see the project."""
    return get_object_or_404(
        ProjectDocument.objects.filter(project__in=Project.objects.visible_to(user)), pk=pk
    )


def get_entry_for(user, pk: int) -> LedgerEntry:
    return get_object_or_404(LedgerEntry.objects.visible_to(user), pk=pk)


def get_loan_for(user, pk: int) -> Loan:
    return get_object_or_404(
        Loan.objects.visible_to(user).select_related("household__village"), pk=pk
    )


def cadres_for(user) -> QuerySet:
    """The cadres a user may assign: those of the user's township, or paired in the scope."""
    scope = scope_for(user)
    cadres = StaffProfile.objects.filter(role=StaffProfile.Role.CADRE)
    if user.is_superuser:
        return cadres.order_by("name")
    place = Q(pk__in=[])
    if scope.township_id:
        place |= Q(township_id=scope.township_id)
    if scope.county_id:
        place |= Q(township__county_id=scope.county_id)
    return cadres.filter(place | Q(pk__in=_paired_from_elsewhere(user, place))).order_by("name")


def _paired_from_elsewhere(user, place: Q) -> list[int]:
    """The ids of the cadres from outside ``place`` ever paired with a household in the
    user's scope, kept like the figures (per scope, until any write): finding them goes
    through every pairing of the scope's households, a township's 2,500, on each page that
    lists or offers cadres."""

    def compute() -> list[int]:
        pairings = Pairing.objects.inside(household__in=Household.objects.visible_to(user))
        paired = StaffProfile.objects.filter(pk__in=pairings.values("cadre_id"))
        return sorted(paired.exclude(place).values_list("pk", flat=True))

    ids, _at = figures_cache.cached(
        "cadres-paired-from-elsewhere", user, compute, today=timezone.localdate()
    )
    return ids


def get_cadre_for(user, pk: int) -> StaffProfile:
    return get_object_or_404(cadres_for(user), pk=pk)


# The thematic registers ----------------------------------------------------------------


def get_renovation_for(user, pk: int) -> HousingRenovation:
    return get_object_or_404(
        HousingRenovation.objects.visible_to(user).select_related(
            "household__village", "plan_item__plan"
        ),
        pk=pk,
    )


def get_student_for(user, pk: int) -> RainDewStudent:
    return get_object_or_404(
        RainDewStudent.objects.visible_to(user).select_related(
            "household__village", "member", "plan_item__plan"
        ),
        pk=pk,
    )


def get_relief_for(user, pk: int) -> HealthRelief:
    return get_object_or_404(
        HealthRelief.objects.visible_to(user).select_related(
            "household__village", "member", "plan_item__plan"
        ),
        pk=pk,
    )


def get_training_for(user, pk: int) -> TrainingSession:
    return get_object_or_404(
        TrainingSession.objects.visible_to(user).select_related("township", "village"), pk=pk
    )


def get_enterprise_for(user, pk: int) -> Enterprise:
    return get_object_or_404(Enterprise.objects.visible_to(user).select_related("township"), pk=pk)


def get_contract_for(user, pk: int) -> DividendContract:
    return get_object_or_404(
        DividendContract.objects.visible_to(user).select_related(
            "enterprise", "household__village", "plan_item__plan"
        ),
        pk=pk,
    )


# The village's books ------------------------------------------------------------------


def get_library_entry_for(user, pk: int) -> LibraryEntry:
    return get_object_or_404(
        LibraryEntry.objects.visible_to(user).select_related("plan__village"), pk=pk
    )


def get_mutual_aid_entry_for(user, pk: int) -> MutualAidEntry:
    return get_object_or_404(
        MutualAidEntry.objects.filter(
            fund__in=MutualAidFund.objects.visible_to(user)
        ).select_related("fund__village"),
        pk=pk,
    )
