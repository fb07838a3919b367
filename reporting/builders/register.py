"""村有册: a village's (or township's) register of archive cards, as it stood on its date."""

from reporting import selectors


def build(run, progress):
    rows = selectors.household_rows(run, progress=lambda f: progress(10 + int(f * 50)))
    figures = {
        "households": len(rows),
        "people": sum(r["size"] for r in rows),
        "as_of": run.as_of.isoformat(),
        "rows": {str(r["household"].pk): selectors.row_facts(r) for r in rows},
    }
    return "reporting/pdf/register.html", {"rows": rows}, figures
