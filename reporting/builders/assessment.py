"""考核: the year's work of a help unit, a village, a cadre or the whole township."""

from reporting import assessment


def build(run, progress):
    progress(10)
    result = assessment.tables(run)
    whole = result.township
    township_wide = not (run.village_id or run.cadre_id or run.help_unit_id)
    figures = {
        "as_of": run.as_of.isoformat(),
        **whole.as_figures(),
        "help_units": [a.as_figures() for a in result.help_units] if township_wide else [],
        "villages": [a.as_figures() for a in result.villages] if township_wide else [],
        "cadres": [a.as_figures() for a in result.cadres],
    }
    context = {
        "whole": whole,
        "help_units": result.help_units if township_wide else [],
        "villages": result.villages if township_wide else [],
        "cadres": result.cadres,
    }
    return "reporting/pdf/assessment.html", context, figures
