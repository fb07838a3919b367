"""Casework pages: the household list, the archive card, its forms, visits, "my households"."""

import datetime
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from assistance import register_selectors
from assistance import selectors as assistance_selectors
from households import monitoring, scoping, selectors, services
from households.audit import id_access_record
from households.forms import (
    MEMBER_FIELDS,
    DecisionForm,
    ExitDateForm,
    HouseholdFilterForm,
    HouseholdForm,
    IdLookupForm,
    IncomeForm,
    MemberFormSet,
    OptionSearchForm,
    ProposalForm,
    VisitForm,
    VisitorFilterForm,
    VisitPhotosForm,
    chosen_option,
    photo_uploads,
)
from households.history import card_history
from households.models import Hardship, Household, IdAccess, MonitoringCase, Removal
from households.workflow_views import workflow_context
from township.access import (
    Scope,
    can_edit_cards,
    can_keep_plans,
    can_log_visits,
    can_manage_township,
    profile_for,
    scope_for,
)
from township.forms import chosen_filters, place_names
from township.models import StaffProfile, Township, Village
from township.paging import CountedPaginator, page_of

PAGE_SIZE = 25
_HOUSEHOLD_EXTRA_FIELDS = {
    "main_cause",
    "other_causes",
    "version",
    "initial_status",
    "exit_year",
    "exited_on",
    "exit_note",
}
MEMBER_RACE_MESSAGE = gettext_lazy(
    "The card could not be saved: one of its members was saved in another household "
    "meanwhile. Check the ID numbers."
)


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    form = HouseholdFilterForm(
        request.GET or None,
        villages=Village.objects.visible_to(request.user).order_by("code"),
        cadres=functools.partial(selectors.list_cadres, request.user),
        townships=Township.objects.visible_to(request.user).order_by("code"),
        names=place_names(request.user),
    )
    filters = chosen_filters(form)
    households = selectors.households_for_list(request.user, **filters)
    count = functools.partial(
        selectors.households_count, request.user, today=timezone.localdate(), **filters
    )
    page = CountedPaginator(households, PAGE_SIZE, count=count).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    if "q" in form.errors:  # never repeat a whole ID number in the page's links
        query.pop("q", None)
    context = {
        "form": form,
        "find_form": IdLookupForm(),
        "page": page,
        "query": query.urlencode(),
        "can_edit": can_edit_cards(request.user),
        "show_townships": scope_for(request.user).level in (Scope.Level.ALL, Scope.Level.COUNTY),
    }
    template = "households/includes/_results.html" if request.htmx else "households/list.html"
    return render(request, template, context)


@login_required
@require_POST
def household_find_by_id(request: HttpRequest) -> HttpResponse:
    """Find a card by a member's full ID number, sent by POST so that the number stays out
    of addresses, browser history and access logs; the search is recorded, not the number."""
    form = IdLookupForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a whole ID number (18 characters)."))
        return redirect("households:list")
    found = list(
        Household.objects.visible_to(request.user)
        .filter(members__id_number=form.cleaned_data["id_number"])
        .distinct()
        .order_by("pk")[:2]
    )
    id_access_record(
        user=request.user,
        action=IdAccess.Action.SEARCH,
        reason="search by a full ID number",
        household=found[0] if len(found) == 1 else None,
        households_count=len(found),
    )
    if len(found) == 1:
        return redirect("households:detail", found[0].pk)
    messages.info(request, _("No household in your area has a member with this ID number."))
    return redirect("households:list")


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = scoping.get_household_for(request.user, pk)
    context = selectors.card_context(household)
    # The card composes the assistance room too: plans and their progress, loans, projects.
    context.update(
        can_edit=can_edit_cards(request.user),
        can_visit=can_log_visits(request.user),
        can_plan=can_keep_plans(request.user),
        can_pair=can_manage_township(request.user),
        plans=assistance_selectors.plans_for_card(household),
        **workflow_context(request.user, household),
        read_only=household.status == Household.Status.REMOVED,
    )
    if context["read_only"]:
        context.update(can_edit=False, can_visit=False, can_plan=False, can_pair=False)
    return render(request, "households/detail.html", context)


@login_required
def household_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The card's change history, asked for when wanted rather than with every card."""
    household = scoping.get_household_for(request.user, pk)
    context = {"household": household, "history": card_history(household)}
    template = "households/includes/_history.html" if request.htmx else "households/history.html"
    return render(request, template, context)


@login_required
def household_registers(request: HttpRequest, pk: int) -> HttpResponse:
    """The household's loans and thematic register records, loaded after the card."""
    household = scoping.get_household_for(request.user, pk)
    context = {"household": household, "registers": register_selectors.for_card(household)}
    if request.htmx:
        return render(request, "households/includes/_registers.html", context)
    return render(request, "households/registers.html", context)


@login_required
def household_monitoring(request: HttpRequest, pk: int) -> HttpResponse:
    """The card's monitoring cases, hardships and removal, loaded after the card."""
    household = scoping.get_household_for(request.user, pk)
    read_only = household.status == Household.Status.REMOVED
    context = {
        "household": household,
        "monitoring_cases": list(
            household.monitoring_cases.select_related(
                "cadre", "return_proposed_by__profile", "return_decided_by__profile"
            ).order_by("-opened_on")
        ),
        "hardships": list(household.hardships.order_by("-occurred_on")),
        "hardship_kinds": Hardship.Kind.choices,
        "monitoring_categories": MonitoringCase.Category.choices,
        "can_visit": can_log_visits(request.user) and not read_only,
        "can_propose_return": monitoring.has_role(request.user, monitoring.RETURN_PROPOSERS),
        "can_decide_return": monitoring.has_role(request.user, monitoring.RETURN_DECIDERS),
        "removals": list(
            household.removals.select_related(
                "proposed_by__profile", "decided_by__profile"
            ).order_by("-pk")
        ),
        "removal_reasons": Removal.Reason.choices,
        "can_propose_removal": services.can_propose_removal(request.user, household),
        "can_decide_removal": services.can_decide_removal(request.user),
        "read_only": read_only,
    }
    if request.htmx:
        return render(request, "households/includes/_card_monitoring.html", context)
    return render(request, "households/card_monitoring.html", context)


def _read_only(request: HttpRequest, household: Household) -> HttpResponse | None:
    """A removed card (销户) is read-only: say so and go back to it."""
    if household.status != Household.Status.REMOVED:
        return None
    messages.error(
        request, _("This household is removed from the register: its card is read-only.")
    )
    return redirect("households:detail", household.pk)


@login_required
@require_POST
def removal_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """销户: propose to remove the household from the register, with the reason."""
    household = scoping.get_household_for(request.user, pk)
    if not services.role_in(request.user, services.REMOVAL_PROPOSERS):
        raise PermissionDenied
    form = ProposalForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose the reason and explain it."))
        services.removal_propose(household=household, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The removal is proposed to the county."))
    return redirect(household.get_absolute_url() + "#status")


@login_required
@require_POST
def removal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    removal = scoping.get_removal_for(request.user, pk)
    if not services.can_decide_removal(request.user):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose to approve or to refuse."))
        services.removal_decide(
            removal=removal,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
            user=request.user,
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The decision is recorded."))
    return redirect(removal.household.get_absolute_url() + "#status")


def _member_rows(formset) -> list[services.MemberRow]:
    rows = []
    for form in formset.forms:
        if not form.has_changed() and not form.instance.pk:
            continue  # an empty extra row
        data = {k: v for k, v in form.cleaned_data.items() if k in MEMBER_FIELDS}
        rows.append(services.MemberRow(form.instance if form.instance.pk else None, data))
    return rows


def _household_fields(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k not in _HOUSEHOLD_EXTRA_FIELDS}


def _editable_villages(user):
    return Village.objects.visible_to(user).order_by("code")


@login_required
def household_create(request: HttpRequest) -> HttpResponse:
    if not can_edit_cards(request.user):
        raise PermissionDenied
    form = HouseholdForm(request.POST or None, villages=_editable_villages(request.user))
    formset = MemberFormSet(
        request.POST or None,
        instance=Household(),
        prefix="members",
        form_kwargs={"user": request.user},
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            household = services.household_create(
                user=request.user,
                fields=_household_fields(form),
                main_cause=form.cleaned_data["main_cause"],
                other_causes=form.cleaned_data["other_causes"],
                members=_member_rows(formset),
                status=form.cleaned_data["initial_status"],
                exited_on=form.cleaned_data["exited_on"],
                exit_note=form.cleaned_data["exit_note"],
            )
        except IntegrityError:
            messages.error(request, MEMBER_RACE_MESSAGE)
        else:
            messages.success(
                request, _("Archive card %(card)s created.") % {"card": household.card_number}
            )
            return redirect("households:detail", household.pk)
    return render(
        request, "households/form.html", {"form": form, "formset": formset, "household": None}
    )


@login_required
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    household = scoping.get_household_for(request.user, pk)
    if not can_edit_cards(request.user):
        raise PermissionDenied
    if refused := _read_only(request, household):
        return refused
    form = HouseholdForm(
        request.POST or None, instance=household, villages=_editable_villages(request.user)
    )
    formset = MemberFormSet(
        request.POST or None,
        instance=household,
        prefix="members",
        form_kwargs={"user": request.user},
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.household_update(
                user=request.user,
                household=household,
                expected_version=form.cleaned_data["version"] or 0,
                fields=_household_fields(form),
                main_cause=form.cleaned_data["main_cause"],
                other_causes=form.cleaned_data["other_causes"],
                members=_member_rows(formset),
            )
        except services.StaleEdit:
            messages.error(request, services.StaleEdit.message)
            return render(
                request,
                "households/form.html",
                {"form": form, "formset": formset, "household": household, "stale": True},
                status=409,
            )
        except IntegrityError:
            messages.error(request, MEMBER_RACE_MESSAGE)
        else:
            messages.success(request, _("Archive card saved."))
            return redirect("households:detail", household.pk)
    if request.method == "GET":  # the members' full ID numbers are in the form
        id_access_record(
            user=request.user,
            action=IdAccess.Action.CARD_EDIT,
            reason="editing the archive card",
            household=household,
        )
    return render(
        request, "households/form.html", {"form": form, "formset": formset, "household": household}
    )


@login_required
@require_POST
def exit_date_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the date of an exit entered from earlier records (not one of an exit case)."""
    household = scoping.get_household_for(request.user, pk)
    if not can_edit_cards(request.user):
        raise PermissionDenied
    if refused := _read_only(request, household):
        return refused
    form = ExitDateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date and why it is corrected."))
    else:
        try:
            services.historical_exit_correct(
                household=household,
                exited_on=form.cleaned_data["exited_on"],
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("The date of the exit is corrected."))
    return redirect(household.get_absolute_url() + "#status")


@login_required
def income_edit(request: HttpRequest, pk: int, year: int | None = None) -> HttpResponse:
    household = scoping.get_household_for(request.user, pk)
    if not can_edit_cards(request.user):
        raise PermissionDenied
    if refused := _read_only(request, household):
        return refused
    income = get_object_or_404(household.incomes, year=year) if year else None
    initial = (
        {}
        if income
        else {
            "year": datetime.date.today().year,
            "members_count": household.members.filter(is_active=True).count() or 1,
        }
    )
    form = IncomeForm(request.POST or None, instance=income, household=household, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.income_save(
            user=request.user, household=household, income=income, fields=form.cleaned_data
        )
        messages.success(
            request, _("Income for %(year)s saved.") % {"year": form.cleaned_data["year"]}
        )
        return redirect("households:detail", household.pk)
    return render(
        request,
        "households/income_form.html",
        {"form": form, "household": household, "income": income},
    )


def _draft_errors(form) -> JsonResponse:
    """The form's errors for the phone's outbox script, which shows them by each field."""
    return JsonResponse(
        {"errors": {name: [str(m) for m in messages] for name, messages in form.errors.items()}},
        status=400,
    )


@login_required
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = scoping.get_household_for(request.user, pk)
    if not can_log_visits(request.user):
        raise PermissionDenied
    if refused := _read_only(request, household):
        return refused
    form = VisitForm(
        request.POST or None, request.FILES or None, initial={"visited_on": datetime.date.today()}
    )
    # The outbox script (static/js/outbox.js) posts with fetch and this header; it is answered
    # in JSON, so that it can keep the draft and its photos until the visit is confirmed.
    from_outbox = bool(request.headers.get("X-Draft-Submit"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit, created = services.visit_log(
                user=request.user,
                household=household,
                fields={
                    k: v
                    for k, v in data.items()
                    if k not in {"photos", "client_token", "photo_tokens"}
                },
                photos=photo_uploads(data["photos"], data["photo_tokens"]),
                client_token=data["client_token"],
            )
        except services.TooManyPhotos as exc:
            form.add_error("photos", _("At most %(n)d photos a visit.") % {"n": exc.limit})
        else:
            if created:
                messages.success(
                    request,
                    _("Visit of %(date)s recorded.") % {"date": date_format(visit.visited_on)},
                )
            else:
                messages.info(request, _("This visit was already recorded."))
            location = reverse("households:detail", args=[visit.household_id])
            if from_outbox:
                # Answer where to go, so the message above is shown by that page and not
                # eaten by a followed redirect.
                return JsonResponse({"location": location, "visit": visit.pk, "created": created})
            return redirect(location)
    if request.method == "POST" and from_outbox:
        return _draft_errors(form)
    return render(
        request,
        "households/visit_form.html",
        {
            "form": form,
            "household": household,
            "household_label": selectors.household_label(household),
        },
    )


@login_required
def visit_photos_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Photos added to a saved visit: by whoever may log visits for its household."""
    visit = scoping.get_visit_for(request.user, pk)
    if not can_log_visits(request.user):
        raise PermissionDenied
    form = VisitPhotosForm(request.POST or None, request.FILES or None)
    from_outbox = bool(request.headers.get("X-Draft-Submit"))
    if request.method == "POST" and form.is_valid():
        try:
            added = services.visit_photos_add(
                user=request.user,
                visit=visit,
                photos=photo_uploads(
                    form.cleaned_data["photos"], form.cleaned_data["photo_tokens"]
                ),
            )
        except services.TooManyPhotos as exc:
            form.add_error("photos", _("At most %(n)d photos a visit.") % {"n": exc.limit})
        else:
            if added:
                text = ngettext(
                    "%(n)d photo added to the visit.", "%(n)d photos added to the visit.", added
                )
                messages.success(request, text % {"n": added})
            else:
                messages.info(request, _("These photos were already added."))
            card = reverse("households:detail", args=[visit.household_id])
            location = f"{card}#visit-{visit.pk}"
            if from_outbox:
                return JsonResponse({"location": location, "visit": visit.pk, "created": added > 0})
            return redirect(location)
    if request.method == "POST" and from_outbox:
        return _draft_errors(form)
    return render(
        request,
        "households/visit_photos.html",
        {"form": form, "visit": visit, "household": visit.household},
    )


@login_required
def visit_list(request: HttpRequest, pk: int) -> HttpResponse:
    household = scoping.get_household_for(request.user, pk)
    page = Paginator(selectors.visits_for_household(household), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "households/visit_list.html",
        {"household": household, "page": page, "can_visit": can_log_visits(request.user)},
    )


@login_required
def visit_list_all(request: HttpRequest) -> HttpResponse:
    """Visits in the user's scope, by visitor: a cadre sees their own by default."""
    form = VisitorFilterForm(request.GET)
    visitor_id = form.cleaned_data["visitor"] if form.is_valid() else None
    if "visitor" not in request.GET and (profile := profile_for(request.user)):
        # A cadre sees their own visits until they choose otherwise.
        visitor_id = request.user.pk if profile.role == StaffProfile.Role.CADRE else None
    # The filter offers the chosen visitor only; its search box asks for others.
    visitors = chosen_option(
        selectors.visitors_for_list(request.user).select_related("profile"),
        visitor_id,
        _("Everyone"),
        lambda u: getattr(getattr(u, "profile", None), "name", "") or u.get_username(),
    )
    visits = selectors.visits_for_list(request.user, visitor_id=visitor_id)
    page = page_of(visits, PAGE_SIZE, request)  # a county's visits are not all counted
    query = f"visitor={visitor_id}" if visitor_id else "visitor="
    return render(
        request,
        "households/visit_list_all.html",
        {
            "page": page,
            "visitors": visitors,
            "visitor_id": visitor_id,
            "query": query,
            "can_visit": can_log_visits(request.user),
        },
    )


@login_required
def cadre_options(request: HttpRequest) -> HttpResponse:
    """The household list's cadre filter: matching cadres in scope, as <option>s."""
    form = OptionSearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    options = [(c.pk, c.name) for c in selectors.cadre_options(request.user, q)]
    return render(
        request,
        "households/includes/_options.html",
        {"options": options, "empty_label": _("All cadres")},
    )


@login_required
def visitor_options(request: HttpRequest) -> HttpResponse:
    """The visit list's visitor filter: matching visitors in scope, as <option>s."""
    form = OptionSearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    options = [
        (u.pk, getattr(getattr(u, "profile", None), "name", "") or u.get_username())
        for u in selectors.visitor_options(request.user, q)
    ]
    return render(
        request,
        "households/includes/_options.html",
        {"options": options, "empty_label": _("Everyone")},
    )


@login_required
def visit_photo(request: HttpRequest, pk: int) -> FileResponse:
    photo = scoping.get_visit_photo_for(request.user, pk)
    response = FileResponse(photo.image.open("rb"), content_type=photo.content_type or "image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def my_households(request: HttpRequest) -> HttpResponse:
    rows = selectors.my_households(request.user)
    items_due = assistance_selectors.items_due_by_household(request.user)
    for row in rows:
        row.items_due = items_due.get(row.pk, 0)
    return render(
        request,
        "households/mine.html",
        {
            "rows": rows,
            "overdue": sum(1 for r in rows if r.overdue),
            "can_visit": can_log_visits(request.user),
        },
    )
