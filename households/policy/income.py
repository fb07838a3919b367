"""Income over the years: the trend on the card and the comparison one plan asks for ("the
per-capita net income growth rate of recipients is higher than the county average").

Plain functions of figures: the card, the exit report and the tests compute growth the
same way.
"""

from decimal import ROUND_HALF_UP, Decimal

TENTH = Decimal("0.1")


def growth_percent(previous: Decimal | None, current: Decimal | None) -> Decimal | None:
    """Growth from one year to the next, in percent to one decimal; None without a base."""
    if previous is None or current is None or previous <= 0:
        return None
    return ((current - previous) * 100 / previous).quantize(TENTH, ROUND_HALF_UP)


def outgrows(growth: Decimal | None, county_growth: Decimal | None) -> bool | None:
    """Whether a growth rate is above the county's (None when either is unknown)."""
    if growth is None or county_growth is None:
        return None
    return growth > county_growth
