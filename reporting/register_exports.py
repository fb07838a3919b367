"""Excel exports of the thematic registers, with the filters of their pages.

Each page queues its workbook as a background run (:func:`reporting.exports.export_start`);
the worker reads through the same form and scoped selectors as the page, as the user. Cells
are plain values (text, numbers, dates); text a user typed is never read as a formula
(see :func:`reporting.exports.safe_cell`).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from assistance import register_selectors as rs
from assistance.models import RainDewStudent, TrainingAttendance
from assistance.register_forms import RENOVATION_STATUSES, RegisterFilterForm
from households.masking import mask_id
from households.models import Household
from reporting.exports import Sheet, export, export_start, form_data
from township.access import can_edit_cards
from township.models import Village


def text(value) -> str:
    """User text as a cell's text. Text that looks like a formula is written as a text cell
    with the quote prefix by :func:`reporting.exports.safe_cell`, as every cell is: it reads
    back as typed, without an apostrophe added to the data."""
    return "" if value is None else str(value)


def _form(user, data, statuses=None) -> RegisterFilterForm:
    return RegisterFilterForm(
        data or None,
        villages=Village.objects.visible_to(user).order_by("code"),
        statuses=statuses,
    )


def _filters(user, data, statuses=None) -> dict:
    return _form(user, data, statuses).filters()


def _start(request, name: str, filename: str, statuses=None) -> HttpResponse:
    data = form_data(_form(request.user, request.GET, statuses))
    return export_start(request, name, filename, data=data)


def _id(user, member) -> str:
    return member.id_number if can_edit_cards(user) else mask_id(member.id_number)


@login_required
def renovations_xlsx(request: HttpRequest) -> HttpResponse:
    return _start(request, "renovations", "renovations.xlsx", RENOVATION_STATUSES)


@export("renovations")
def renovations_sheets(user, data, pk=None) -> list[Sheet]:
    rows = rs.renovations_for_list(user, **_filters(user, data, RENOVATION_STATUSES))
    headings = [
        _("Year"),
        _("Village"),
        _("Card number"),
        _("Dilapidation grade"),
        _("Method"),
        _("Subsidy"),
        _("Paid out"),
        _("Works started on"),
        _("Accepted on"),
        _("Accepted by"),
        _("Note"),
    ]
    lines = (
        [
            r.year,
            r.household.village.name,
            r.household.card_number,
            r.get_grade_display(),
            r.get_method_display(),
            r.subsidy,
            r.paid,
            r.started_on,
            r.accepted_on,
            text(r.accepted_by),
            text(r.note),
        ]
        for r in rows
    )
    return [Sheet(_("Housing renovation"), headings, lines)]


@login_required
def students_xlsx(request: HttpRequest) -> HttpResponse:
    return _start(request, "students", "rain-dew.xlsx", RainDewStudent.Level.choices)


@export("students")
def students_sheets(user, data, pk=None) -> list[Sheet]:
    filters = _filters(user, data, RainDewStudent.Level.choices)
    level = filters.pop("status", "")
    rows = rs.students_for_list(user, level=level, **filters)
    headings = [
        _("School year"),
        _("Village"),
        _("Card number"),
        _("Student"),
        _("ID number"),
        _("School"),
        _("Level"),
        _("Year enrolled"),
        _("Subsidy"),
        _("Paid out"),
    ]
    lines = (
        [
            r.school_year,
            r.household.village.name,
            r.household.card_number,
            text(r.member.name),
            _id(user, r.member),
            text(r.school),
            r.get_level_display(),
            r.enrolled_year,
            r.subsidy,
            r.paid,
        ]
        for r in rows
    )
    return [Sheet(_("Rain-and-Dew students"), headings, lines)]


@login_required
def reliefs_xlsx(request: HttpRequest) -> HttpResponse:
    return _start(request, "reliefs", "health-relief.xlsx")


@export("reliefs")
def reliefs_sheets(user, data, pk=None) -> list[Sheet]:
    rows = rs.reliefs_for_list(user, **_filters(user, data))
    headings = [
        _("Year"),
        _("Village"),
        _("Card number"),
        _("Patient"),
        _("Illness"),
        _("Hospital"),
        _("Admitted on"),
        _("Medical expenses"),
        _("Basic medical insurance"),
        _("Serious-illness insurance"),
        _("Medical relief"),
        _("Relief paid"),
        _("Out of pocket"),
    ]
    lines = (
        [
            r.year,
            r.household.village.name,
            r.household.card_number,
            text(r.member.name),
            text(r.illness),
            text(r.hospital),
            r.admitted_on,
            r.expenses,
            r.basic_insurance,
            r.serious_illness_insurance,
            r.relief,
            r.paid,
            r.out_of_pocket,
        ]
        for r in rows
    )
    return [Sheet(_("Serious-illness relief"), headings, lines)]


@login_required
def trainings_xlsx(request: HttpRequest) -> HttpResponse:
    return _start(request, "trainings", "trainings.xlsx")


@export("trainings")
def trainings_sheets(user, data, pk=None) -> list[Sheet]:
    """One row a trainee of the sessions the page lists."""
    sessions = rs.trainings_for_list(user, **_filters(user, data))
    headings = [
        _("From"),
        _("To"),
        _("Title"),
        _("Skill taught"),
        _("Organiser"),
        _("Village"),
        _("Card number"),
        _("Trainee"),
        _("Completed"),
        _("Outcome"),
        _("Employer or place of work"),
        _("Monthly wage"),
    ]

    # One streamed query for the trainees of every session listed, in the page's order
    # (newest session first, then village and card), not one query a session.
    attendances = (
        TrainingAttendance.objects.filter(
            session__in=[s.pk for s in sessions],
            household__in=Household.objects.visible_to(user),
        )
        .select_related("session", "household__village", "member")
        .order_by(
            "-session__starts_on",
            "session_id",
            "household__village__code",
            "household__card_number",
            "pk",
        )
    )

    def lines():
        for a in attendances.iterator(chunk_size=2000):
            session = a.session
            yield [
                session.starts_on,
                session.ends_on,
                text(session.title),
                text(session.skill),
                text(session.organiser),
                a.household.village.name,
                a.household.card_number,
                text(a.member.name),
                _("yes") if a.completed else _("no"),
                a.get_outcome_display(),
                text(a.employer),
                a.monthly_wage,
            ]

    return [Sheet(_("Skills training"), headings, lines())]


@login_required
def dividends_xlsx(request: HttpRequest) -> HttpResponse:
    return _start(request, "dividends", "dividends.xlsx")


@export("dividends")
def dividends_sheets(user, data, pk=None) -> list[Sheet]:
    filters = _filters(user, data)
    contracts = rs.contracts_for_list(
        user, village=filters.get("village"), year=filters.get("year")
    )
    headings = [
        _("Enterprise"),
        _("Village"),
        _("Card number"),
        _("Basis"),
        _("Invested"),
        _("Dividend a year"),
        _("First year"),
        _("Last year"),
        _("Dividends paid"),
    ]
    lines = (
        [
            text(c.enterprise.name),
            c.household.village.name,
            c.household.card_number,
            c.get_basis_display(),
            c.invested,
            c.annual_dividend,
            c.start_year,
            c.end_year,
            c.paid or 0,
        ]
        for c in contracts
    )
    return [Sheet(_("Dividend contracts"), headings, lines)]
