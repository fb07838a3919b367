"""Public notices for the village board (公示, 公告), as PDFs with masked ID numbers.

Identification and exit notices list a village's cases at one notice: those waiting for it
to go up, and those whose notice was up on the run's day (an announcement: made in the
run's year up to its day). The period printed is the one recorded by the server's clock when
the notice was recorded as posted (``households.workflows``); for a notice not yet posted it
is the period that will run from the day it is recorded. Project, fund and microcredit
notices print the period and contact given when they were asked for.
"""

import datetime

from django.conf import settings
from django.db.models import Sum

from assistance import ledger
from assistance.models import LedgerEntry, Loan
from assistance.selectors import heads_of
from households import asof, policy
from households.models import Household, HouseholdIncome, PovertyLine, WorkflowCase, WorkflowStep
from reporting.models import ReportRun

Kind = ReportRun.Kind
CASE_NOTICES = {
    Kind.IDENT_NOTICE: (WorkflowCase.Kind.IDENTIFICATION, "notice"),
    Kind.IDENT_SECOND: (WorkflowCase.Kind.IDENTIFICATION, "second_notice"),
    Kind.IDENT_ANNOUNCE: (WorkflowCase.Kind.IDENTIFICATION, "announcement"),
    Kind.EXIT_NOTICE: (WorkflowCase.Kind.EXIT, "notice"),
    Kind.EXIT_ANNOUNCE: (WorkflowCase.Kind.EXIT, "announcement"),
}


def _contact(run) -> str:
    contact = (run.params or {}).get("contact", "")
    if contact:
        return contact
    profile = getattr(run.requested_by, "profile", None) if run.requested_by_id else None
    return f"{profile.name} {profile.phone}".strip() if profile else ""


def _period(run) -> dict:
    """The period of a notice asked for with its own dates (project, fund, loans)."""
    params = run.params or {}
    start = (
        datetime.date.fromisoformat(params["posted_from"])
        if params.get("posted_from")
        else run.as_of
    )
    days = int(params.get("days") or settings.BANGFU_NOTICE_DAYS)
    return {"start": start, "end": start + datetime.timedelta(days=days), "days": days}


def _case_rows(run, case_kind: str, step_key: str) -> tuple[list[dict], dict | None]:
    day = run.as_of
    cases = list(
        WorkflowCase.objects.filter(household__village=run.village, kind=case_kind)
        .exclude(status=WorkflowCase.Status.WITHDRAWN)
        .select_related("household")
        .order_by("household__card_number")
    )
    done = {
        s.case_id: s
        for s in WorkflowStep.objects.filter(
            case__in=cases, step=step_key, action=WorkflowStep.Action.DONE
        ).order_by("at", "pk")
    }
    chosen, periods = [], set()
    for case in cases:
        step = done.get(case.pk)
        if step is None:
            if case.status == WorkflowCase.Status.OPEN and case.step == step_key:
                chosen.append((case, None))
            continue
        if "posted_from" in step.data:
            start = datetime.date.fromisoformat(step.data["posted_from"])
            end = datetime.date.fromisoformat(step.data["posted_until"])
            if start <= day <= end:
                chosen.append((case, step))
                periods.add((start, end))
        elif step.at.date().year == run.year and step.at.date() <= day:
            chosen.append((case, step))
    households = [c.household for c, _s in chosen]
    heads = heads_of([h.pk for h in households])
    scope = Household.objects.filter(pk__in=[h.pk for h in households])
    _cards, later = asof.cards_as_of(scope, day)
    members = asof.members_as_of(scope, day, entered_later=later)
    incomes = {
        i.household_id: i
        for i in HouseholdIncome.objects.filter(household__in=households, year=run.year)
    }
    line = PovertyLine.objects.filter(year=run.year).first()
    rows = []
    for case, step in chosen:
        hh = case.household
        income = incomes.get(hh.pk)
        per_capita = income.per_capita_net_income if income else None
        main = hh.causes.filter(is_main=True).first()
        rows.append(
            {
                "household": hh,
                "head": heads.get(hh.pk),
                "people": len(members.get(hh.pk, [])),
                "attribute": hh.get_attribute_display(),
                "cause": main.get_cause_display() if main else "",
                "per_capita": per_capita,
                "above_line": policy.income_above_line(per_capita, line.amount if line else None),
                "posted": step is not None,
            }
        )
    period = None
    if len(periods) == 1:
        start, end = periods.pop()
        period = {"start": start, "end": end, "days": (end - start).days}
    elif not periods:
        period = {
            "start": None,
            "end": None,
            "days": settings.BANGFU_NOTICE_DAYS,
        }
    return rows, period


def build_case_notice(run, progress):
    case_kind, step_key = CASE_NOTICES[run.kind]
    rows, period = _case_rows(run, case_kind, step_key)
    progress(50)
    announcement = step_key == "announcement"
    figures = {
        "as_of": run.as_of.isoformat(),
        "households": len(rows),
        "people": sum(r["people"] for r in rows),
        "cards": [r["household"].card_number for r in rows],
        "period": [str(period["start"]), str(period["end"])] if period else None,
    }
    context = {
        "rows": rows,
        "period": period,
        "announcement": announcement,
        "identification": case_kind == WorkflowCase.Kind.IDENTIFICATION,
        "contact": _contact(run),
        "place": run.village,
    }
    return "reporting/pdf/notice_case.html", context, figures


def build_project_notice(run, progress):
    project = run.project
    beneficiaries = list(
        project.beneficiaries.select_related("household__village").order_by(
            "household__card_number"
        )
    )
    allocated = ledger.project_allocated(project)
    context = {
        "project": project,
        "villages": list(project.villages.order_by("code")),
        "beneficiaries": beneficiaries,
        "heads": heads_of([b.household_id for b in beneficiaries]),
        "allocated": allocated,
        "period": _period(run),
        "contact": _contact(run),
    }
    figures = {
        "as_of": run.as_of.isoformat(),
        "beneficiaries": len(beneficiaries),
        "allocated": str(allocated),
    }
    return "reporting/pdf/notice_project.html", context, figures


def build_fund_notice(run, progress):
    fund = run.fund
    allocations = list(
        fund.entries.filter(
            kind=LedgerEntry.Kind.ALLOCATION,
            reversed_by__isnull=True,
            entry_date__lte=run.as_of,
        )
        .select_related("project", "plan_item__plan__household__village", "plan_item__kind")
        .order_by("entry_date", "pk")
    )
    total = sum((e.amount for e in allocations), 0)
    context = {
        "fund": fund,
        "allocations": allocations,
        "heads": heads_of([e.plan_item.plan.household_id for e in allocations if e.plan_item_id]),
        "period": _period(run),
        "contact": _contact(run),
        "total": total,
    }
    figures = {"as_of": run.as_of.isoformat(), "allocations": len(allocations), "total": str(total)}
    return "reporting/pdf/notice_fund.html", context, figures


def build_loan_notice(run, progress):
    loans = list(
        Loan.objects.filter(household__village=run.village, disbursed_on__lte=run.as_of)
        .select_related("household")
        .order_by("disbursed_on", "pk")
    )
    principal = Loan.objects.filter(pk__in=[loan.pk for loan in loans]).aggregate(
        s=Sum("principal")
    )["s"]
    context = {
        "loans": loans,
        "heads": heads_of([loan.household_id for loan in loans]),
        "period": _period(run),
        "contact": _contact(run),
        "place": run.village,
    }
    figures = {
        "as_of": run.as_of.isoformat(),
        "loans": len(loans),
        "principal": str(principal or "0.00"),
    }
    return "reporting/pdf/notice_loans.html", context, figures
