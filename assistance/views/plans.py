"""The yearly plan of a household (帮扶台账): items, deliveries, cancellations."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assistance import ledger, scoping, selectors, services
from assistance.forms import CancelForm, DeliveryForm, InitialKindForm, PlanForm, PlanItemForm
from assistance.models import Delivery, MeasureKind
from assistance.views._common import add_service_error, first_message, require
from households.models import Pairing, PovertyCause
from households.scoping import get_household_for
from township.access import can_keep_plans, profile_for
from township.formfields import formfield_for
from township.history import history_of
from township.models import StaffProfile
from township.uploads import content_type_of


@login_required
def measure_catalogue(request: HttpRequest) -> HttpResponse:
    kinds = MeasureKind.objects.prefetch_related("causes").order_by("order")
    return render(
        request,
        "assistance/measures.html",
        {"kinds": kinds, "can_keep": services.can_keep_measures(request.user)},
    )


class MeasureKindForm(forms.ModelForm):
    causes = forms.MultipleChoiceField(
        label=gettext_lazy("Causes of poverty it answers"),
        choices=PovertyCause.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = MeasureKind
        fields = ["code", "name", "name_en", "order", "is_active"]
        formfield_callback = formfield_for


@login_required
def measure_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The county adds a kind of measure or changes one."""
    kind = get_object_or_404(MeasureKind, pk=pk) if pk else None
    require(services.can_keep_measures(request.user))
    initial = {"causes": list(kind.causes.values_list("cause", flat=True))} if kind else {}
    form = MeasureKindForm(request.POST or None, instance=kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "causes"}
        try:
            services.measure_kind_save(
                user=request.user, kind=kind, fields=data, causes=form.cleaned_data["causes"]
            )
        except ValidationError as error:
            messages.error(request, first_message(error))
        else:
            messages.success(request, _("The measure catalogue is saved."))
            return redirect("assistance:measures")
    entries = history_of(MeasureKind, kind.history.all()) if kind else []
    return render(
        request, "assistance/measure_form.html", {"form": form, "kind": kind, "entries": entries}
    )


@login_required
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household_for(request.user, pk)
    require(can_keep_plans(request.user))
    cadres = scoping.cadres_for(request.user)
    current = household.pairings.filter(end_date__isnull=True).first()
    form = PlanForm(
        request.POST or None,
        cadres=cadres,
        initial={
            "year": datetime.date.today().year,
            "cadre": current.cadre_id if current else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(household=household, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("year", first_message(error))
        else:
            messages.success(request, _("Plan for %(year)s created.") % {"year": plan.year})
            return redirect("assistance:plan", plan.pk)
    return render(
        request,
        "assistance/form.html",
        {
            "form": form,
            "title": _("New plan for %(card)s") % {"card": household},
            "back": household.get_absolute_url(),
        },
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = scoping.get_plan_for(request.user, pk)
    deliveries: dict[int, list] = {}
    for delivery in Delivery.objects.filter(item__plan=plan).order_by("delivered_on", "pk"):
        deliveries.setdefault(delivery.item_id, []).append(delivery)
    return render(
        request,
        "assistance/plan.html",
        {
            "plan": plan,
            "deliveries": deliveries,
            "progress": selectors.plan_progress(plan),
            "suggested": selectors.suggested_kinds(plan.household),
            "can_keep": can_keep_plans(request.user),
        },
    )


@login_required
def item_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = scoping.get_plan_for(request.user, pk)
    require(can_keep_plans(request.user))
    profile = profile_for(request.user)
    asked = InitialKindForm(request.GET)
    # The household's paired cadre is the measure's responsible person by default.
    paired = (
        Pairing.objects.inside(household=plan.household)
        .current()
        .values_list("cadre_id", flat=True)
        .first()
    )
    initial = {
        "responsible": paired or plan.cadre_id,
        "kind": asked.cleaned_data["kind"] if asked.is_valid() else None,
        "due_date": datetime.date(plan.year, 12, 31),
    }
    if profile and profile.role == StaffProfile.Role.CADRE:
        initial["responsible"] = profile.pk
    form = PlanItemForm(
        request.POST or None, cadres=scoping.cadres_for(request.user), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        services.plan_item_add(plan=plan, user=request.user, **form.cleaned_data)
        messages.success(request, _("Plan item added."))
        return redirect("assistance:plan", plan.pk)
    return render(
        request,
        "assistance/form.html",
        {
            "form": form,
            "title": _("Add a measure to the plan %(year)s") % {"year": plan.year},
            "back": reverse("assistance:plan", args=[plan.pk]),
        },
    )


@login_required
def item_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    item = scoping.get_item_for(request.user, pk)
    require(can_keep_plans(request.user))
    allocations = [a for a in ledger.open_allocations(plan_item=item) if a.remaining > 0]
    form = DeliveryForm(request.POST or None, request.FILES or None, allocations=allocations)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_item_deliver(item=item, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Delivery recorded."))
            return redirect("assistance:plan", item.plan_id)
    return render(
        request,
        "assistance/form.html",
        {
            "form": form,
            "title": _("Record a delivery: %(item)s") % {"item": item.description},
            "back": reverse("assistance:plan", args=[item.plan_id]),
            "multipart": True,
        },
    )


@login_required
def item_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    item = scoping.get_item_for(request.user, pk)
    require(can_keep_plans(request.user))
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_item_cancel(
                item=item, reason=form.cleaned_data["reason"], user=request.user
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Plan item cancelled."))
            return redirect("assistance:plan", item.plan_id)
    return render(
        request,
        "assistance/form.html",
        {
            "form": form,
            "title": _("Cancel: %(item)s") % {"item": item.description},
            "back": reverse("assistance:plan", args=[item.plan_id]),
        },
    )


@login_required
def delivery_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """A delivery's evidence, for whoever may see its plan (404 outside the scope).

    A photo is shown (it is our own re-encoded JPEG); a PDF, or a file stored before uploads
    were checked by content, is only offered as a download, never rendered as a page.
    """
    delivery = scoping.get_delivery_evidence_for(request.user, pk)
    kind = content_type_of(delivery.evidence.name)
    extension = {"image/jpeg": "jpg", "application/pdf": "pdf"}.get(kind, "bin")
    response = FileResponse(
        delivery.evidence.open("rb"),
        content_type=kind or "application/octet-stream",
        as_attachment=kind != "image/jpeg",
        filename=f"evidence-{delivery.pk}.{extension}",
    )
    response["Cache-Control"] = "private, no-store"
    return response
