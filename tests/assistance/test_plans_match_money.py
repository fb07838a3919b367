"""Plans that match the money: the paired cadre by default, deliveries beyond the plan
confirmed and flagged, money delivered through the allocation that pays it."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from assistance import ledger
from assistance.models import Delivery, LedgerEntry, PlanItem
from reporting import services as reports
from reporting.models import ReportRun
from tests import factories as f
from tests.reporting_helpers import pdf_text

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def item(world):
    """An 800-yuan measure of `own`, paired with `cadre`."""
    return f.PlanItemFactory(
        plan=world.households.own.plan, planned_amount=D("800"), description="养鸡补助"
    )


def _deliver(client, item, amount, **extra):
    data = {"delivered_on": "2025-06-01", "amount": amount, "quantity": "", "note": ""}
    return client.post(reverse("assistance:item_deliver", args=[item.pk]), {**data, **extra})


def test_a_new_measure_names_the_paired_cadre_as_responsible(client, world):
    plan = world.households.own.plan
    # The plan was drawn up under another cadre; the household is paired with `cadre` now.
    type(plan).objects.filter(pk=plan.pk).update(cadre=world.profiles.cadre2)
    client.force_login(world.profiles.staff.user)
    page = client.get(reverse("assistance:item_create", args=[plan.pk])).content.decode()
    selected = re.search(r'<option value="(\d+)" selected>', page)
    assert selected and int(selected.group(1)) == world.profiles.cadre.pk


def test_delivering_more_than_planned_needs_a_confirmation_next_to_the_field(client, world, item):
    client.force_login(world.profiles.cadre.user)
    response = _deliver(client, item, "1400")
    page = response.content.decode()
    assert response.status_code == 200 and not item.deliveries.exists()
    error = re.search(r'id="error_\d+_id_beyond_plan"[^>]*>(.*?)</', page, re.S)
    assert error and "1400" in page and "800" in error.group(1)
    assert _deliver(client, item, "1400", beyond_plan="on").status_code == 302
    delivery = item.deliveries.get()
    assert (delivery.amount, delivery.beyond_plan) == (D("1400.00"), True)


def test_a_delivery_within_the_plan_needs_no_confirmation(client, world, item):
    client.force_login(world.profiles.cadre.user)
    assert _deliver(client, item, "500").status_code == 302
    assert _deliver(client, item, "300").status_code == 302  # 800 in all: the plan, not more
    assert _deliver(client, item, "1").status_code == 200
    assert [d.beyond_plan for d in item.deliveries.order_by("pk")] == [False, False]


@pytest.fixture
def allocated(world, item):
    return ledger.ledger_allocate(
        fund=world.funds.a,
        amount=D("800"),
        voucher="FP-1",
        entry_date=datetime.date(2025, 3, 1),
        purpose="养鸡补助",
        plan_item=item,
        user=world.profiles.staff.user,
    )


def test_money_allocated_to_a_measure_is_delivered_through_its_allocation(
    client, world, item, allocated
):
    client.force_login(world.profiles.staff.user)
    refused = _deliver(client, item, "500")
    assert refused.status_code == 200 and not item.deliveries.exists()
    assert re.search(r'id="error_\d+_id_allocation"', refused.content.decode())
    response = _deliver(client, item, "500", allocation=allocated.pk, voucher="FP-2")
    assert response.status_code == 302
    delivery = Delivery.objects.select_related("disbursement").get(item=item)
    entry = delivery.disbursement
    assert (entry.kind, entry.allocation_id, entry.amount) == ("disbursement", allocated.pk, 500)
    assert (entry.voucher, entry.entry_date) == ("FP-2", delivery.delivered_on)


def test_a_payment_the_ledger_refuses_records_no_delivery(client, world, item, allocated):
    client.force_login(world.profiles.staff.user)
    response = _deliver(
        client, item, "900", allocation=allocated.pk, voucher="FP-3", beyond_plan="on"
    )
    assert response.status_code == 200
    assert not item.deliveries.exists()
    assert not LedgerEntry.objects.filter(voucher="FP-3").exists()


def test_paying_a_measure_writes_its_delivery_with_the_disbursement(client, world, item, allocated):
    client.force_login(world.profiles.staff.user)
    pay = {
        "allocation": allocated.pk,
        "amount": "800",
        "voucher": "FP-4",
        "entry_date": "2025-06-02",
        "purpose": "养鸡补助兑付",
        "completes": "on",
    }
    assert client.post(reverse("registers:item_pay", args=[item.pk]), pay).status_code == 302
    delivery = item.deliveries.get()
    assert delivery.disbursement == LedgerEntry.objects.get(voucher="FP-4")
    assert delivery.amount == D("800.00")
    item.refresh_from_db()
    assert item.status == PlanItem.Status.DONE


def test_a_confirmed_delivery_beyond_the_plan_is_flagged_in_the_reconciliation(client, world, item):
    client.force_login(world.profiles.cadre.user)
    _deliver(client, item, "1400", beyond_plan="on")
    run = ReportRun.objects.create(
        kind="mid_year",
        year=2025,
        as_of=datetime.date(2025, 6, 30),
        scope_key=reports.scope_key(township=world.township),
        township=world.township,
    )
    reports.report_build(run_id=run.pk)
    run.refresh_from_db()
    text = pdf_text(run.file.path)
    assert "养鸡补助：1400.00 > 800.00" in text
