"""村有册: a village's (or township's) register of archive cards."""

from reporting import selectors


def build(run, progress):
    rows = selectors.household_rows(run, progress=lambda f: progress(10 + int(f * 50)))
    figures = {"households": len(rows), "people": sum(r["size"] for r in rows)}
    return "reporting/pdf/register.html", {"rows": rows}, figures
