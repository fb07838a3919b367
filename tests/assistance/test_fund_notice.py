"""The public notice of a fund's use: every allocation, to a project or to a household."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from assistance import ledger

pytestmark = pytest.mark.django_db


def test_the_fund_notice_lists_allocations_to_projects_and_to_households(client, world):
    fund, staff = world.funds.a, world.profiles.staff.user
    hh = world.households.own
    for voucher, target in (("A1", {"project": world.projects.a}), ("A2", {"plan_item": hh.item})):
        ledger.ledger_allocate(
            fund=fund,
            amount=Decimal("1200.50") if voucher == "A1" else Decimal("800"),
            voucher=voucher,
            entry_date=datetime.date(2025, 3, 1),
            purpose="分配",
            user=staff,
            **target,
        )
    client.force_login(staff)

    response = client.get(reverse("assistance:fund_notice", args=[fund.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    # Two allocations, two rows: the receipt (R1) is no allocation and is not listed.
    project_row, household_row = page.split("<tbody>")[1].split("</tbody>")[0].split("</tr>")[:2]
    assert page.split("<tbody>")[1].count("<tr>") == 2
    assert "A1" in project_row and world.projects.a.name in project_row and "1200.50" in project_row
    head = hh.members.get(relation="head")
    assert "A2" in household_row and head.name in household_row and "800.00" in household_row
    assert hh.item.description in household_row
    assert head.id_number not in page and f"{head.id_number[:4]}**********" in household_row
