"""One rule, one place: the domain's rules live in ``households.policy`` and nowhere else.

Each pattern below is the tell-tale of a rule computed by hand: the incidence formula, the
income-against-the-line comparison, the monitoring line, "exited" counted from the card's
change history, the set of statuses that count as poor. A second copy anywhere in the
project's code fails this test (the policy package, migrations and tests aside).
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["households", "assistance", "reporting", "township"]
ALLOWED = {"households/policy", "/migrations/"}
PATTERNS = {
    "poverty incidence": re.compile(r"\*\s*100\)?\s*/|/\s*\w*\.?rural_population"),
    "income against the line": re.compile(r"per_capita\w*\s*[<>]=?\s*\w*line"),
    "monitoring line": re.compile(r"[<>]=?\s*\w*\.?monitoring_line"),
    "exits from the card's history": re.compile(
        r"Household\.history\.filter\([^)]*\)(\s*\.\w+\([^)]*\))*?\s*\.values(_list)?\([^)]*status"
    ),
    "statuses that count as poor": re.compile(
        r"Status\.POOR,\s*(Household\.)?Status\.RETURNED"
        r"|status(__in)?\s*=\s*\[\"poor\",\s*\"returned\"\]|in \(\"poor\",\s*\"returned\"\)"
    ),
    "plan item overdue": re.compile(r"status\s*==\s*\S*OPEN\s+and\s+\S*due_date\s*<"),
}


def sources():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if not any(part in relative for part in ALLOWED):
                yield relative, path.read_text(encoding="utf-8")


def find(text: str) -> list[str]:
    return [rule for rule, pattern in PATTERNS.items() if pattern.search(text)]


def test_no_rule_is_computed_outside_the_policy_module():
    copies = [f"{relative}: {rule}" for relative, text in sources() for rule in find(text)]
    assert copies == []


def test_the_patterns_catch_the_copies_this_project_once_had():
    # The three incidence formulas and the reports' income check that were removed.
    assert find("(Decimal(people * 100) / base).quantize(CENT)") == ["poverty incidence"]
    assert "monitoring line" in find("income.per_capita_net_income < line.monitoring_line")
    assert find("else per_capita > line.amount") == ["income against the line"]
    assert find(
        """Household.history.filter(village__township=township)
        .order_by("history_date", "history_id")
        .values_list("id", "status", "history_date")"""
    ) == ["exits from the card's history"]
    assert find("status__in=[Household.Status.POOR, Household.Status.RETURNED]")
    assert find('if h.status in ("poor", "returned")')
    assert not find('for key in ("registered", "exited", "poor", "returned"):')
    assert find("return self.status == self.Status.OPEN and self.due_date < today")
