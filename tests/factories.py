"""factory_boy factories for every model the tests build."""

import datetime

import factory
from django.contrib.auth import get_user_model

from households.models import (
    Household,
    HouseholdCause,
    HouseholdIncome,
    Member,
    Pairing,
    PovertyLine,
    Visit,
    VisitPhoto,
)
from township.models import County, StaffProfile, Township, Village
from township.validators import id_check_char

# The members the factories make have ID numbers of this area; the numbers a test picks
# itself (``make_id_number(n)``) are of another, so that they never meet one a factory made,
# whatever the order the tests run in (the factories' sequences reach a few thousand).
FACTORY_AREA = "520399"


def make_id_number(n: int, *, male: bool = True, area: str = "520302") -> str:
    """A valid ID number, different for each ``n`` (below 20,000) and area."""
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=(n * 37) % 20000)
    seq = (n % 500) * 2 + (1 if male else 0)
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County

    name = factory.Sequence(lambda n: f"县{n}")
    code = factory.Sequence(lambda n: f"52{n % 100:02d}{n // 100 % 100:02d}000000")


class TownshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Township

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"镇{n}")
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.county.code[:6]}{100 + n % 900:03d}000")


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"村{n}")
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.township.code[:9]}{200 + n % 799:03d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"干部{n}")
    role = StaffProfile.Role.CADRE


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household
        skip_postgeneration_save = True

    village = factory.SubFactory(VillageFactory)
    card_number = factory.LazyAttributeSequence(lambda o, n: f"{o.village.code}{n % 10000:04d}")
    year_identified = 2016

    @factory.post_generation
    def facts(obj, create, extracted, **kwargs):
        """The dated status facts behind the card's status, as the services write them:
        registered on 1 January of the year identified; an exit (``facts__exited_on``, by
        default 31 December of the next year); a return or removal the year after."""
        if not create:
            return
        from households.models import StatusChange

        Status = Household.Status
        registered = datetime.date(obj.year_identified, 1, 1)
        exited_on = kwargs.get("exited_on") or datetime.date(obj.year_identified + 1, 12, 31)
        chain = {
            Status.APPLICANT: [(Status.APPLICANT, registered)],
            Status.POOR: [(Status.POOR, registered)],
            Status.EXITED: [(Status.POOR, registered), (Status.EXITED, exited_on)],
            Status.RETURNED: [
                (Status.POOR, registered),
                (Status.EXITED, exited_on),
                (Status.RETURNED, exited_on + datetime.timedelta(days=365)),
            ],
            Status.REMOVED: [
                (Status.POOR, registered),
                (Status.REMOVED, registered + datetime.timedelta(days=400)),
            ],
        }[obj.status]
        for status, day in chain:
            StatusChange.objects.create(
                household=obj, status=status, effective_on=day, source="carried_over"
            )


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"成员{n}")
    id_number = factory.Sequence(lambda n: make_id_number(n, area=FACTORY_AREA))
    sex = Member.Sex.MALE
    relation = Member.Relation.OTHER

    @factory.post_generation
    def member_facts(obj, create, extracted, **kwargs):
        """The card keeps its head and its count of members, as the member services do."""
        if create:
            from households.services import MEMBER_FACTS, household_member_facts_refresh

            household_member_facts_refresh(household_ids=[obj.household_id])
            obj.household.refresh_from_db(fields=MEMBER_FACTS)


class HeadFactory(MemberFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    relation = Member.Relation.HEAD


class CauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdCause

    household = factory.SubFactory(HouseholdFactory)
    cause = "illness"
    is_main = True


class IncomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdIncome

    household = factory.SubFactory(HouseholdFactory)
    year = 2025
    members_count = 3


class PovertyLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PovertyLine
        django_get_or_create = ("year",)

    year = 2025
    amount = "4000.00"


class PairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pairing
        skip_postgeneration_save = True

    household = factory.SubFactory(HouseholdFactory)
    cadre = factory.SubFactory(ProfileFactory)
    start_date = datetime.date(2025, 1, 1)

    @factory.post_generation
    def current_cadre(obj, create, extracted, **kwargs):
        """The card keeps its current cadre, as the pairing services do."""
        if create:
            from households.services import household_cadres_refresh

            household_cadres_refresh(household_ids=[obj.household_id])
            obj.household.refresh_from_db(fields=["current_cadre"])


def png_bytes(size=(8, 8), colour=(200, 30, 30)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit
        skip_postgeneration_save = True

    @factory.post_generation
    def last_visit(obj, create, extracted, **kwargs):
        """The card's last visit, as ``visit_log`` keeps it."""
        if create:
            household = obj.household
            if household.last_visit_on is None or household.last_visit_on < obj.visited_on:
                Household.objects.filter(pk=household.pk).update(last_visit_on=obj.visited_on)
                household.last_visit_on = obj.visited_on

    household = factory.SubFactory(HouseholdFactory)
    visitor = factory.SubFactory(UserFactory)
    visited_on = datetime.date(2025, 6, 1)
    findings = "家中情况稳定"


class VisitPhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitPhoto

    visit = factory.SubFactory(VisitFactory)
    token = factory.Sequence(lambda n: f"t{n}")
    content_type = "image/png"
    image = factory.django.FileField(filename="photo.png", data=png_bytes())


class FundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "assistance.Fund"

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"财政专项扶贫资金{n}")
    source = "county"
    year = 2025
    purpose = "产业扶持"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "assistance.Project"

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"通组公路{n}")
    kind = "road"
    year = 2025
    budget = "100000.00"
    implementing_unit = "县交通运输局"


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "assistance.AssistancePlan"

    household = factory.SubFactory(HouseholdFactory)
    year = 2025
    cadre = factory.SubFactory(ProfileFactory)
    created_by = factory.SubFactory(UserFactory)


class MeasureKindFactory(factory.django.DjangoModelFactory):
    """The catalogue comes from a data migration; transactional tests flush it, so the
    factory finds or recreates the kind it needs."""

    class Meta:
        model = "assistance.MeasureKind"
        django_get_or_create = ("code",)

    code = "industry"
    name = "产业扶持"
    name_en = "Industry support"


class PlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "assistance.PlanItem"

    plan = factory.SubFactory(PlanFactory)
    kind = factory.SubFactory(MeasureKindFactory)
    description = "发放鸡苗20只"
    planned_amount = "1000.00"
    due_date = datetime.date(2025, 6, 30)
    responsible = factory.SelfAttribute("plan.cadre")
