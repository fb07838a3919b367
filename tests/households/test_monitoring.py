import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from households import monitoring
from households.models import Household, MonitoringCase
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 11, 1)


def test_an_exited_household_below_the_monitoring_line_is_flagged_once(world):
    f.PovertyLineFactory(year=2025, amount=Decimal("4000"), monitoring_line=Decimal("6000"))
    hh = world.households.own
    Household.objects.filter(pk=hh.pk).update(status="exited")
    hh.incomes.update(wage_income=Decimal("17999.97"), members_count=3)  # 5999.99 a head
    assert monitoring.monitoring_refresh(today=TODAY) == 1
    case = MonitoringCase.objects.get()
    assert (case.category, case.cadre) == ("unstable", world.profiles.cadre)
    assert monitoring.monitoring_refresh(today=TODAY) == 0


def test_income_exactly_at_the_monitoring_line_is_not_flagged(world):
    f.PovertyLineFactory(year=2025, amount=Decimal("4000"), monitoring_line=Decimal("6000"))
    Household.objects.filter(pk=world.households.own.pk).update(status="exited")
    world.households.own.incomes.update(wage_income=Decimal("18000"), members_count=3)
    assert monitoring.monitoring_refresh(today=TODAY) == 0


def test_a_recorded_hardship_flags_the_household(client, world):
    hh = world.households.colleague
    Household.objects.filter(pk=hh.pk).update(status="exited")
    client.force_login(world.profiles.cadre2.user)
    client.post(
        reverse("households:hardship_record", args=[hh.pk]),
        {
            "kind": "illness",
            "occurred_on": str(datetime.date.today() - datetime.timedelta(days=10)),
            "note": "户主突发脑梗住院",
        },
    )
    case = MonitoringCase.objects.get(household=hh)
    assert case.category == "hardship" and "脑梗" in case.reason
    listed = client.get(reverse("households:monitoring")).context["cases"]
    assert [c.pk for c in listed] == [case.pk] and listed[0].age >= 0


def test_risk_removal_is_verified_noticed_and_approved_by_their_roles(world):
    case = MonitoringCase.objects.create(
        household=world.households.own, category="hardship", reason="x", opened_on=TODAY
    )
    with pytest.raises(PermissionDenied):
        monitoring.monitoring_advance(case=case, user=world.profiles.staff.user)
    case = monitoring.monitoring_advance(
        case=case, user=world.profiles.cadre.user, measures="落实大病救助"
    )
    case = monitoring.monitoring_advance(case=case, user=world.profiles.team.user)
    with pytest.raises(PermissionDenied):
        monitoring.monitoring_advance(case=case, user=world.profiles.team.user)
    case = monitoring.monitoring_advance(case=case, user=world.profiles.staff.user)
    assert case.status == "removed" and case.closed_on and "大病救助" in case.measures


def test_staff_open_a_case_for_a_marginal_household_by_hand(client, world):
    client.force_login(world.profiles.staff.user)
    url = reverse("households:monitoring_open", args=[world.households.neighbour.pk])
    client.post(url, {"category": "marginal", "reason": ""})
    assert not MonitoringCase.objects.exists()
    client.post(url, {"category": "marginal", "reason": "收入刚过贫困线，家中两位老人"})
    case = MonitoringCase.objects.get()
    assert (case.category, case.cadre) == ("marginal", world.profiles.cadre2)
    client.force_login(world.profiles.cadre2.user)
    assert client.post(url, {"category": "marginal", "reason": "x"}).status_code == 403


def test_recording_a_hardship_says_monitored_only_of_that_household(client, world):
    """The sweep a hardship runs may flag households elsewhere; the message speaks of this
    one only (it once said "now monitored" whenever any household anywhere was flagged)."""

    from households.models import Hardship

    day = datetime.date.today() - datetime.timedelta(days=5)
    elsewhere = world.households.outsider
    Household.objects.filter(pk=elsewhere.pk).update(status="exited")
    Hardship.objects.create(
        household=elsewhere,
        kind="illness",
        occurred_on=day,
        note="住院",
        recorded_by=world.superuser,
    )
    hh = world.households.colleague  # not yet out of poverty: a hardship does not flag it
    client.force_login(world.profiles.cadre2.user)
    response = client.post(
        reverse("households:hardship_record", args=[hh.pk]),
        {"kind": "illness", "occurred_on": str(day), "note": "户主住院"},
        follow=True,
    )
    assert MonitoringCase.objects.filter(household=elsewhere).exists()
    assert not MonitoringCase.objects.filter(household=hh).exists()
    with translation.override("zh-hans"):
        monitored = translation.gettext("The household is now monitored.")
    said = [str(m) for m in response.context["messages"]]
    assert said and not any(monitored in m for m in said)


def test_the_open_cases_are_listed_fifty_a_page_oldest_first(client, world):
    for days in range(51):
        household = f.HouseholdFactory(village=world.villages.a1)
        MonitoringCase.objects.create(
            household=household,
            category="hardship",
            reason="x",
            opened_on=TODAY - datetime.timedelta(days=days),
        )
    client.force_login(world.profiles.staff.user)
    first = client.get(reverse("households:monitoring")).context["page"]
    second = client.get(reverse("households:monitoring"), {"page": 2}).context["page"]
    assert first.paginator.count == 51 and len(first.object_list) == 50
    (newest,) = second.object_list
    assert newest.opened_on == TODAY and first.object_list[0].age - newest.age == 50


def test_each_open_case_row_shows_the_case_escaped_and_flags_a_long_one(client, world):
    household = f.HouseholdFactory(
        village=world.villages.a1, head_name="", card_number="5203991002010099"
    )
    today = datetime.date.today()
    MonitoringCase.objects.create(
        household=household,
        category="hardship",
        reason="大病<script>x</script>",
        opened_on=today - datetime.timedelta(days=91),
    )
    paired = f.HouseholdFactory(village=world.villages.a1, head_name="李&四")
    MonitoringCase.objects.create(
        household=paired,
        category="unstable",
        reason="收入低",
        cadre=world.profiles.cadre,
        opened_on=today - datetime.timedelta(days=90),
    )
    client.force_login(world.profiles.staff.user)
    with translation.override("zh-hans"):
        html = client.get(reverse("households:monitoring")).content.decode()
    rows = html[html.index("<tbody>") : html.index("</tbody>")].split("</tr>")[:-1]
    long_open, paired_row = rows
    assert (
        f'href="{reverse("households:detail", args=[household.pk])}#monitoring">5203991002010099<'
        in long_open
    )
    assert "大病&lt;script&gt;x&lt;/script&gt;" in long_open and "<script>" not in html
    assert "<td>—</td>" in long_open
    assert '<td class="text-end text-danger fw-bold">91</td>' in long_open
    assert ">李&amp;四</a>" in paired_row and f"<td>{world.profiles.cadre.name}</td>" in paired_row
    assert '<td class="text-end">90</td>' in paired_row
    with translation.override("zh-hans"):
        assert f"<td>{translation.gettext('Unstable exited household')}</td>" in paired_row
        assert f"<td>{translation.gettext('Sudden severe hardship household')}</td>" in long_open
