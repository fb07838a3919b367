"""The monitoring rules against return to poverty (防返贫监测 识别标准).

- An exited household whose per-capita net income of the monitoring year is below the
  monitoring line is an unstable exited household (脱贫不稳定户).
- A registered household, not poor at present, that suffered a sudden severe hardship in the
  last twelve months is a sudden-hardship household (突发严重困难户).
- Marginal households (边缘易致贫户) are not registered, so staff open their cases by hand.
"""

import datetime
from decimal import Decimal

from households.models import Household

Status = Household.Status
HARDSHIP_WINDOW = datetime.timedelta(days=365)


def monitoring_year(day: datetime.date) -> int:
    """Until July the last complete year's income is the one on record; from July, this
    year's."""
    return day.year - 1 if day.month < 7 else day.year


def is_unstable_exit(*, status: str, per_capita: Decimal, monitoring_line: Decimal) -> bool:
    return status == Status.EXITED and per_capita < monitoring_line


def is_hardship_case(*, status: str, occurred_on: datetime.date, day: datetime.date) -> bool:
    if status in (Status.POOR, Status.APPLICANT, Status.REMOVED):
        return False
    return day - HARDSHIP_WINDOW <= occurred_on <= day
