"""A fund's reconciliation: each kind of entry in its own column, reversals netted, and the
identity opening + increases − decreases = closing equal to the balances in the header."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from assistance import ledger

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def fund(world):
    """300,000 received (and 1,000 received in error, reversed); 91,000 paid, 1,000 of it
    reversed: 300,000 in, 90,000 out."""
    fund, user = world.funds.a, world.profiles.staff.user
    day = datetime.date(2025, 3, 1)

    def entry(function, voucher, **fields):
        return function(voucher=voucher, entry_date=day, purpose=voucher, user=user, **fields)

    entry(ledger.ledger_receive, "R2", fund=fund, amount=D("290000"))
    wrong = entry(ledger.ledger_receive, "R3", fund=fund, amount=D("1000"))
    ledger.ledger_reverse(entry=wrong, voucher="V1", entry_date=day, reason="误入", user=user)
    world.projects.a.budget = D("200000")
    world.projects.a.save()
    allocation = entry(
        ledger.ledger_allocate, "A1", fund=fund, amount=D("100000"), project=world.projects.a
    )
    entry(ledger.ledger_disburse, "D1", allocation=allocation, amount=D("90000"))
    twice = entry(ledger.ledger_disburse, "D2", allocation=allocation, amount=D("1000"))
    ledger.ledger_reverse(entry=twice, voucher="V2", entry_date=day, reason="重复", user=user)
    return fund


def test_reversals_are_netted_not_counted_as_income(client, world, fund):
    client.force_login(world.profiles.staff.user)
    response = client.get(reverse("assistance:fund", args=[fund.pk]))
    rec, balance = response.context["reconciliation"], response.context["balance"]
    assert (balance.received, balance.disbursed) == (D("300000.00"), D("90000.00"))
    assert (rec.opening, rec.increases, rec.decreases) == (D("0"), D("300000.00"), D("90000.00"))
    assert rec.closing == balance.in_hand == D("210000.00")
    assert rec.totals == {
        "receipt": D("301000.00"),
        "reversal:receipt": D("1000.00"),
        "allocation": D("100000.00"),
        "disbursement": D("91000.00"),
        "reversal:disbursement": D("1000.00"),
    }
    page = response.content.decode()
    identity = re.sub(r"\s+", " ", page.split('id="reconciliation-identity">')[1].split("</p>")[0])
    assert "0.00 + " in identity and "300000.00 − " in identity and "90000.00 = " in identity


def test_every_entry_shows_its_amount_in_the_column_of_its_kind(client, world, fund):
    client.force_login(world.profiles.staff.user)
    page = client.get(reverse("assistance:fund", args=[fund.pk])).content.decode()
    rows = {
        voucher: re.findall(r'<td class="text-end">([^<]*)</td>', row)
        for voucher, row in re.findall(
            r"<tr[^>]*><td>[^<]*</td><td>(\w+)</td>(.*?)</tr>", page, re.S
        )
    }
    # receipt | allocation | disbursement | reversal | effect on money in hand
    assert rows["R2"] == ["290000.00", "", "", "", "+290000.00"]
    assert rows["A1"] == ["", "100000.00", "", "", "0"]
    assert rows["D1"] == ["", "", "90000.00", "", "−90000.00"]
    assert rows["V1"] == ["", "", "", "1000.00", "−1000.00"]
    assert rows["V2"] == ["", "", "", "1000.00", "+1000.00"]
