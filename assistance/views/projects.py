"""Projects: library → approved → in progress → accepted, beneficiaries, reconciliation."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assistance import ledger, scoping, selectors, services
from assistance.forms import BeneficiaryForm, NoticeForm, PeriodForm, ProjectForm
from assistance.models import Project
from assistance.project_forms import DocumentForm, EvaluationForm, StageForm
from assistance.views._common import LIST_PAGE_SIZE, first_message, require
from households.models import Household
from township.access import can_manage_township
from township.models import Village


def _period(request: HttpRequest, year: int) -> tuple[datetime.date, datetime.date]:
    """The reconciliation window asked for (`?start=&end=`), else the whole year."""
    form = PeriodForm(request.GET)
    if form.is_valid():
        return form.cleaned_data["start"], form.cleaned_data["end"]
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    projects = (
        Project.objects.visible_to(request.user)
        .select_related("township")
        .prefetch_related("villages")
        .order_by("-year", "name", "pk")
    )
    page = Paginator(projects, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assistance/projects.html",
        {
            "projects": page.object_list,
            "page": page,
            "can_manage": can_manage_township(request.user),
        },
    )


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    require(can_manage_township(request.user))
    form = ProjectForm(
        request.POST or None,
        villages=Village.objects.visible_to(request.user).order_by("code"),
        initial={"year": datetime.date.today().year},
    )
    if request.method == "POST" and form.is_valid():
        project = form.save(commit=False)
        project.township = form.cleaned_data["villages"][0].township
        project._history_user = request.user
        project.save()
        form.save_m2m()
        messages.success(request, _("Project created in the project library."))
        return redirect("assistance:project", project.pk)
    return render(
        request,
        "assistance/form.html",
        {
            "form": form,
            "title": _("New project"),
            "back": reverse("assistance:projects"),
        },
    )


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = scoping.get_project_for(request.user, pk)
    start, end = _period(request, project.year)
    return render(
        request,
        "assistance/project.html",
        {
            "project": project,
            "villages": list(project.villages.order_by("code")),
            "stages": list(
                project.stage_changes.select_related("changed_by__profile").order_by(
                    "changed_on", "pk"
                )
            ),
            "beneficiaries": list(
                project.beneficiaries.select_related("household__village").order_by(
                    "household__card_number"
                )
            ),
            "allocated": ledger.project_allocated(project),
            "reconciliation": selectors.project_reconciliation(project, start, end),
            "documents": list(
                project.documents.select_related("uploaded_by").order_by("stage", "pk")
            ),
            "evaluations": list(project.evaluations.order_by("evaluated_on", "pk")),
            "accepted_on": project.stage_changes.filter(stage=Project.Stage.ACCEPTED)
            .values_list("changed_on", flat=True)
            .first(),
            "stage_form": StageForm(initial={"on": datetime.date.today()}),
            "can_manage": can_manage_township(request.user),
        },
    )


@login_required
@require_POST
def project_advance(request: HttpRequest, pk: int) -> HttpResponse:
    project = scoping.get_project_for(request.user, pk)
    require(can_manage_township(request.user))
    form = StageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date of the stage, today or earlier."))
        return redirect("assistance:project", project.pk)
    try:
        project = services.project_advance(
            project=project,
            on=form.cleaned_data["on"],
            note=form.cleaned_data["note"],
            user=request.user,
        )
    except ValidationError as error:
        messages.error(request, first_message(error))
    else:
        messages.success(
            request, _("The project is now: %(stage)s.") % {"stage": project.get_stage_display()}
        )
    return redirect("assistance:project", project.pk)


@login_required
def beneficiary_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = scoping.get_project_for(request.user, pk)
    require(can_manage_township(request.user))
    households = Household.objects.visible_to(request.user).filter(
        village__in=project.villages.all()
    )
    form = BeneficiaryForm(request.POST or None, households=households)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_beneficiary_add(
                project=project,
                household=form.cleaned_data["household"],
                how=form.cleaned_data["how"],
                added_on=form.cleaned_data["added_on"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Beneficiary household added."))
            return redirect("assistance:project", project.pk)
    return render(
        request,
        "assistance/form.html",
        {
            "form": form,
            "title": _("Add a beneficiary household to %(name)s") % {"name": project.name},
            "back": reverse("assistance:project", args=[project.pk]),
        },
    )


@login_required
def project_notice(request: HttpRequest, pk: int) -> HttpResponse:
    project = scoping.get_project_for(request.user, pk)
    form = NoticeForm(request.GET or None)
    notice = form.cleaned_data if form.is_valid() else NoticeForm.defaults()
    return render(
        request,
        "assistance/notice_project.html",
        {
            "project": project,
            "form": form,
            "pdf_url": reverse("reporting:project_notice_pdf", args=[project.pk]),
            "notice": notice,
            "villages": list(project.villages.order_by("code")),
            "beneficiaries": list(
                project.beneficiaries.select_related("household__village").order_by(
                    "household__card_number"
                )
            ),
            "heads": selectors.heads_of([b.household_id for b in project.beneficiaries.all()]),
            "allocated": ledger.project_allocated(project),
        },
    )


@login_required
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = scoping.get_project_for(request.user, pk)
    require(can_manage_township(request.user))
    form = DocumentForm(request.POST or None, request.FILES or None, project=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.project_document_add(
                project=project,
                stage=data["stage"],
                kind=data["kind"],
                title=data["title"],
                upload=data["file"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Document attached."))
            return redirect("assistance:project", project.pk)
    return render(
        request,
        "assistance/form.html",
        {
            "form": form,
            "multipart": True,
            "title": _("Attach a document to %(name)s") % {"name": project.name},
            "back": reverse("assistance:project", args=[project.pk]),
        },
    )


@login_required
def document_file(request: HttpRequest, pk: int) -> FileResponse:
    """A project document, served to those who may see the project."""
    document = scoping.get_project_document_for(request.user, pk)
    response = FileResponse(document.file.open("rb"), content_type=document.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def evaluation_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = scoping.get_project_for(request.user, pk)
    require(can_manage_township(request.user))
    form = EvaluationForm(request.POST or None, initial={"evaluated_on": datetime.date.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.project_evaluation_add(
                project=project, fields=form.cleaned_data, user=request.user
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Evaluation recorded."))
            return redirect("assistance:project", project.pk)
    return render(
        request,
        "assistance/form.html",
        {
            "form": form,
            "title": _("Evaluate %(name)s") % {"name": project.name},
            "back": reverse("assistance:project", args=[project.pk]),
        },
    )
