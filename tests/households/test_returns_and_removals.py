"""Return to poverty (返贫) from a monitoring case, and removal from the register (销户)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from households import monitoring, services
from households.models import Household, MonitoringCase, StatusChange
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def exited(world):
    hh = f.HouseholdFactory(village=world.villages.a1, status="exited")
    f.HeadFactory(household=hh)
    f.PairingFactory(household=hh, cadre=world.profiles.cadre)
    case = MonitoringCase.objects.create(
        household=hh, category="hardship", reason="户主重病", opened_on=datetime.date.today()
    )
    return hh, case


def test_a_monitoring_case_ends_in_a_return_to_poverty_approved_by_the_county(
    client, world, exited
):
    hh, case = exited
    client.force_login(world.profiles.cadre.user)
    client.post(reverse("households:return_propose", args=[case.pk]), {"reason": "重病致贫"})
    case.refresh_from_db()
    assert case.status == MonitoringCase.Status.RETURN_PROPOSED
    # The cadre cannot approve it; the county does.
    assert client.post(reverse("households:return_decide", args=[case.pk])).status_code == 403
    client.force_login(world.profiles.county.user)
    client.post(reverse("households:return_decide", args=[case.pk]), {"decision": "approve"})
    hh.refresh_from_db()
    case.refresh_from_db()
    fact = hh.status_changes.latest("pk")
    assert (hh.status, case.status) == (Household.Status.RETURNED, MonitoringCase.Status.RETURNED)
    assert (fact.source, fact.effective_on, fact.recorded_by) == (
        StatusChange.Source.MONITORING,
        datetime.date.today(),
        world.profiles.county.user,
    )
    assert not MonitoringCase.objects.filter(pk=case.pk).open().exists()


def test_a_refused_return_keeps_the_household_monitored_and_needs_a_reason(world, exited):
    hh, case = exited
    monitoring.return_propose(case=case, reason="收入下降", user=world.profiles.team.user)
    with pytest.raises(ValidationError):
        monitoring.return_decide(case=case, approve=False, user=world.profiles.county.user)
    monitoring.return_decide(
        case=case, approve=False, note="收入已回升", user=world.profiles.county.user
    )
    case.refresh_from_db()
    hh.refresh_from_db()
    assert (case.status, hh.status) == (MonitoringCase.Status.OPEN, Household.Status.EXITED)


def test_only_a_household_out_of_poverty_can_return(world):
    case = MonitoringCase.objects.create(
        household=world.households.own,
        category="marginal",
        reason="边缘户",
        opened_on=datetime.date.today(),
    )
    with pytest.raises(ValidationError):
        monitoring.return_propose(case=case, reason="x", user=world.profiles.staff.user)
    with pytest.raises(PermissionDenied):
        monitoring.return_propose(case=case, reason="x", user=world.profiles.leader.user)


def test_a_removal_is_proposed_with_its_reason_approved_and_the_card_becomes_read_only(
    client, world
):
    hh = world.households.own
    client.force_login(world.profiles.staff.user)
    client.post(
        reverse("households:removal_propose", args=[hh.pk]),
        {"reason": "deceased", "explanation": "户主及配偶均已去世，死亡证明已存档"},
    )
    removal = hh.removals.get()
    assert client.post(reverse("households:removal_decide", args=[removal.pk])).status_code == 403
    client.force_login(world.profiles.county.user)
    client.post(reverse("households:removal_decide", args=[removal.pk]), {"decision": "approve"})
    hh.refresh_from_db()
    assert hh.status == Household.Status.REMOVED
    assert hh.status_changes.latest("pk").source == StatusChange.Source.REMOVAL
    # Read-only: edits are refused by the pages and by the services.
    client.force_login(world.profiles.staff.user)
    for url in (
        reverse("households:edit", args=[hh.pk]),
        reverse("households:income_create", args=[hh.pk]),
        reverse("households:visit_create", args=[hh.pk]),
    ):
        response = client.get(url)
        assert response["Location"] == reverse("households:detail", args=[hh.pk]), url
    page = client.get(reverse("households:detail", args=[hh.pk]))
    assert page.context["read_only"] and not page.context["can_edit"]
    with pytest.raises(ValidationError):
        services.income_save(
            user=world.profiles.staff.user,
            household=hh,
            income=None,
            fields={"year": 2026, "members_count": 1},
        )
    with pytest.raises(ValidationError):
        services.household_update(
            user=world.profiles.staff.user,
            household=hh,
            expected_version=hh.version,
            fields={"address": "新地址"},
            main_cause="illness",
            other_causes=[],
            members=[],
        )


def test_a_removal_needs_a_reason_and_a_role_that_may_propose_it(world):
    hh = world.households.own
    with pytest.raises(PermissionDenied):
        services.removal_propose(
            household=hh, reason="moved_away", explanation="迁出", user=world.profiles.cadre.user
        )
    with pytest.raises(ValidationError):
        services.removal_propose(
            household=hh, reason="moved_away", explanation=" ", user=world.profiles.team.user
        )
    removal = services.removal_propose(
        household=hh, reason="wrong", explanation="识别时隐瞒财产", user=world.profiles.team.user
    )
    with pytest.raises(PermissionDenied):
        services.removal_decide(removal=removal, approve=True, user=world.profiles.leader.user)
    services.removal_decide(
        removal=removal, approve=False, note="证据不足", user=world.profiles.county.user
    )
    hh.refresh_from_db()
    assert hh.status == Household.Status.POOR
