"""年初建账、年中对账、年底审账: the cadre's account at the three points of the year."""

from reporting import selectors
from reporting.registers import register_lines


def build(run, progress):
    rows = selectors.household_rows(run, progress=lambda f: progress(10 + int(f * 50)))
    funds = selectors.fund_sections(run)
    projects = selectors.project_sections(run)
    problems = selectors.exceptions(run, rows)
    totals = selectors.totals(rows)
    registers = register_lines(run)
    figures = {
        **totals,
        "as_of": run.as_of.isoformat(),
        "exceptions": len(problems),
        "funds": [
            {
                "name": s["fund"].name,
                "opening": str(s["rec"].opening),
                "receipts": str(s["rec"].increases),
                "disbursements": str(s["rec"].decreases),
                "closing": str(s["rec"].closing),
            }
            for s in funds
        ],
        "projects": [
            {
                "name": s["project"].name,
                "opening": str(s["rec"].opening),
                "allocated": str(s["rec"].increases),
                "disbursed": str(s["rec"].decreases),
                "closing": str(s["rec"].closing),
            }
            for s in projects
        ],
        "rows": {str(r["household"].pk): selectors.row_facts(r) for r in rows},
        "registers": {line["key"]: line["figures"] for line in registers},
    }
    context = {
        "register_lines": registers,
        "rows": rows,
        "funds": funds,
        "projects": projects,
        "exceptions": problems,
        "totals": totals,
        "until": run.as_of,
    }
    return "reporting/pdf/reconciliation.html", context, figures
