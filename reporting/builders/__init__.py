"""One builder a report kind: ``build(run, progress) -> (template, context, figures)``.

``figures`` are the numbers the report states, stored on the run when it is done so that a
finished report is frozen: the same figures and file whatever happens to the data later.
"""

from reporting.builders import (
    archive_cards,
    assessment,
    exit_report,
    notices,
    reconciliation,
    register,
)
from reporting.models import ReportRun

BUILDERS = {
    ReportRun.Kind.YEAR_START: reconciliation.build,
    ReportRun.Kind.MID_YEAR: reconciliation.build,
    ReportRun.Kind.YEAR_END: reconciliation.build,
    ReportRun.Kind.EXIT: exit_report.build,
    ReportRun.Kind.REGISTER: register.build,
    ReportRun.Kind.CARDS: archive_cards.build,
    ReportRun.Kind.IDENT_NOTICE: notices.build_case_notice,
    ReportRun.Kind.IDENT_SECOND: notices.build_case_notice,
    ReportRun.Kind.IDENT_ANNOUNCE: notices.build_case_notice,
    ReportRun.Kind.EXIT_NOTICE: notices.build_case_notice,
    ReportRun.Kind.EXIT_ANNOUNCE: notices.build_case_notice,
    ReportRun.Kind.PROJECT_NOTICE: notices.build_project_notice,
    ReportRun.Kind.FUND_NOTICE: notices.build_fund_notice,
    ReportRun.Kind.LOAN_NOTICE: notices.build_loan_notice,
    ReportRun.Kind.ASSESSMENT: assessment.build,
}
