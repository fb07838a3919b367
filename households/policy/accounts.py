"""Rules of the cadre's account (帮扶台账): visits due and required, measures overdue and
measures delivered on time.

Plain functions of numbers and dates, so the pages, the dashboard and the three yearly
reports (年初建账、年中对账、年底审账) count them the same way.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

DEFAULT_REQUIRED_VISITS = 12  # the plans ask for a visit a month


def visit_due_since(day: datetime.date) -> datetime.date:
    """A household not visited since this day is overdue a visit on ``day``."""
    return day - datetime.timedelta(days=settings.BANGFU_VISIT_INTERVAL_DAYS)


def next_visit_due(last_visit: datetime.date | None) -> datetime.date | None:
    if last_visit is None:
        return None
    return last_visit + datetime.timedelta(days=settings.BANGFU_VISIT_INTERVAL_DAYS)


def visits_required(required_per_year: int | None, until: datetime.date) -> int:
    """Visits a plan requires from 1 January to ``until``: the year's share by month."""
    per_year = DEFAULT_REQUIRED_VISITS if required_per_year is None else required_per_year
    return round(per_year * until.month / 12)


def is_item_overdue(*, status_on_day: str, due_date: datetime.date, day: datetime.date) -> bool:
    """A measure still open on ``day`` after its due date."""
    return status_on_day == "open" and due_date < day


def is_item_due(*, status_on_day: str, due_date: datetime.date, day: datetime.date) -> bool:
    """A measure that counts in "delivered on time": due by ``day`` and not cancelled then."""
    return status_on_day != "cancelled" and due_date <= day


def is_item_on_time(
    *,
    status_on_day: str,
    closed_on: datetime.date | None,
    due_date: datetime.date,
    day: datetime.date,
) -> bool:
    """A measure done by its due date, as it stood on ``day`` (考核: delivered on time)."""
    return status_on_day == "done" and closed_on is not None and closed_on <= due_date <= day


def share_percent(part: int, whole: int) -> Decimal | None:
    """考核's rates (visits held of required, measures on time of due, exits of the target):
    a percentage to one decimal, None when nothing was required."""
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)
