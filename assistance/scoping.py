"""The access helpers of the assistance app: each answers 404 outside the user's scope.

They sit beside the ``visible_to`` methods they use; the mechanism that makes an unscoped
query fail is ``township.scoping``.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

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
    in_scope = Pairing.objects.filter(
        cadre=OuterRef("pk"), household__in=Household.objects.visible_to(user)
    )
    # The place first: the database tries the pairings only for cadres from elsewhere.
    q = Q()
    if scope.township_id:
        q |= Q(township_id=scope.township_id)
    if scope.county_id:
        q |= Q(township__county_id=scope.county_id)
    return cadres.filter(q | Q(Exists(in_scope))).order_by("name")


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
