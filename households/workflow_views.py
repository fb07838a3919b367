"""Workflow pages: start a case, do the next step, send it back, bulk township review."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from households import workflows
from households.forms import ObjectionForm, ResolutionForm
from households.models import NoticeCorrection, NoticeObjection, WorkflowCase, WorkflowStep
from households.scoping import get_case_for, get_household_for, get_objection_for
from township.access import profile_for
from township.formfields import PlausibleDateField, WholeNumberField
from township.models import StaffProfile
from township.scoping import get_village_for
from township.uploads import evidence_checked


class StepForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    document = forms.FileField(label=gettext_lazy("Document (scan or photo)"), required=False)
    date = PlausibleDateField(label=gettext_lazy("Date of the appraisal"), required=False)
    attendance = WholeNumberField(
        label=gettext_lazy("Attendance"), required=False, min_value=1, max_value=100_000
    )
    result = forms.ChoiceField(
        label=gettext_lazy("Result"),
        required=False,
        choices=[("pass", gettext_lazy("Passed")), ("fail", gettext_lazy("Failed"))],
    )

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if not upload:
            return None
        if upload.size > settings.BANGFU_PHOTO_MAX_BYTES:
            raise forms.ValidationError(gettext_lazy("The file is too large."))
        return evidence_checked(upload)  # a PDF or a re-encoded photo, named by content


class OverrideForm(forms.Form):
    override_reason = forms.CharField(required=False, max_length=500)


class ReasonForm(forms.Form):
    # Required by the service, which checks the user's role first.
    reason = forms.CharField(required=False, max_length=500)


class CommentForm(forms.Form):
    comment = forms.CharField(required=False, max_length=500)


def _message(error: ValidationError) -> str:
    return error.messages[0] if error.messages else str(error)


@login_required
@require_POST
def workflow_start(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    household = get_household_for(request.user, pk)
    if kind not in WorkflowCase.Kind.values:
        raise PermissionDenied
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The reason is too long or contains characters not allowed."))
        return redirect(household.get_absolute_url() + "#workflow")
    try:
        workflows.workflow_start(
            household=household,
            kind=kind,
            user=request.user,
            override_reason=form.cleaned_data["override_reason"],
        )
    except ValidationError as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("The case is started."))
    return redirect(household.get_absolute_url() + "#workflow")


@login_required
@require_POST
def workflow_advance(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for(request.user, pk)
    form = StepForm(request.POST, request.FILES)
    if not form.is_valid():
        document_errors = form.errors.get("document")
        messages.error(
            request,
            document_errors[0]
            if document_errors
            else _("Check the dates and numbers of the step."),
        )
        return redirect(case.household.get_absolute_url() + "#workflow")
    data = {
        k: form.cleaned_data[k]
        for k in ("date", "attendance", "result")
        if form.cleaned_data.get(k) not in (None, "")
    }
    try:
        workflows.workflow_advance(
            case=case,
            user=request.user,
            comment=form.cleaned_data["comment"],
            document=form.cleaned_data["document"],
            data=data,
        )
    except ValidationError as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("Step recorded."))
    return redirect(case.household.get_absolute_url() + "#workflow")


@login_required
@require_POST
def workflow_reject(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the case is sent back."))
        return redirect(case.household.get_absolute_url() + "#workflow")
    try:
        workflows.workflow_reject(case=case, user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("The case is sent back."))
    return redirect(case.household.get_absolute_url() + "#workflow")


class NoticeCorrectionForm(forms.Form):
    posted_from = PlausibleDateField(label=gettext_lazy("Posted in fact on"))
    reason = forms.CharField(label=gettext_lazy("Reason for the correction"), max_length=500)


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@login_required
@require_POST
def notice_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the day a notice went up on the board: later, never earlier, with a reason."""
    case = get_case_for(request.user, pk)
    _refuse_unless(workflows.may_keep_notices(request.user))
    form = NoticeCorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the day the notice went up and why it is corrected."))
    else:
        try:
            workflows.notice_correct(
                case=case,
                posted_from=form.cleaned_data["posted_from"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ValidationError as error:
            messages.error(request, _message(error))
        else:
            messages.success(request, _("The posting date is corrected."))
    return redirect(case.household.get_absolute_url() + "#workflow")


@login_required
@require_POST
def objection_record(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for(request.user, pk)
    _refuse_unless(workflows.may_keep_notices(request.user))
    form = ObjectionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say what the objection is and who made it."))
        workflows.objection_record(case=case, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("The objection is recorded against the case."))
    return redirect(case.household.get_absolute_url() + "#workflow")


@login_required
@require_POST
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_objection_for(request.user, pk)
    _refuse_unless(workflows.may_keep_notices(request.user))
    form = ResolutionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say how the objection was answered."))
        workflows.objection_resolve(
            objection=objection, resolution=form.cleaned_data["resolution"], user=request.user
        )
    except ValidationError as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("The answer to the objection is recorded."))
    return redirect(objection.case.household.get_absolute_url() + "#workflow")


@login_required
@require_POST
def village_bulk_review(request: HttpRequest, pk: int) -> HttpResponse:
    village = get_village_for(request.user, pk)
    profile = profile_for(request.user)
    if not request.user.is_superuser and (
        profile is None or profile.role != StaffProfile.Role.TOWNSHIP_STAFF
    ):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The comment is too long or contains characters not allowed."))
        return redirect("villages:register", village.pk)
    count = workflows.workflow_bulk_review(
        village=village, user=request.user, comment=form.cleaned_data["comment"]
    )
    messages.success(request, _("%(n)d exits approved by the township.") % {"n": count})
    return redirect("villages:register", village.pk)


def workflow_context(user, household) -> dict:
    """The card's workflow section: cases, their steps, and what this user may do now."""
    cases = list(
        # Who started a case is not shown: only a leader's override names who gave it.
        household.workflow_cases.select_related("override_by__profile")
        .prefetch_related(
            # Each list with the people in it: one query per list, whatever its length.
            Prefetch("steps", queryset=WorkflowStep.objects.select_related("by__profile")),
            Prefetch(
                "steps__corrections",
                queryset=NoticeCorrection.objects.select_related("by__profile"),
            ),
            Prefetch(
                "objections",
                queryset=NoticeObjection.objects.select_related("recorded_by__profile"),
            ),
        )
        .order_by("-started_at")
    )
    today = timezone.localdate()
    rows = []
    for case in cases:
        labels = {s.key: s.label for s in workflows.steps_of(case)}
        step = workflows.current_step(case) if case.status == WorkflowCase.Status.OPEN else None
        rows.append(
            {
                "case": case,
                "labels": labels,
                "step": step,
                "can_act": workflows.can_act(user, case),
                "steps": sorted(case.steps.all(), key=lambda s: s.at),
                "notice": (notice := workflows.posted_notice(case)),
                "notice_up": notice is not None and notice.is_up(today),
                "can_keep_notice": workflows.can_keep_notice(user, case),
                "objections": sorted(case.objections.all(), key=lambda o: o.recorded_at),
            }
        )
    profile = profile_for(user)
    role = profile.role if profile else None
    open_kinds = {c.kind for c in cases if c.status == WorkflowCase.Status.OPEN}
    return {
        "workflow_cases": rows,
        "can_start_exit": (
            household.status in workflows.START_STATUS[WorkflowCase.Kind.EXIT]
            and "exit" not in open_kinds
            and (
                user.is_superuser
                or role in workflows.EXIT[0].roles
                or role == StaffProfile.Role.LEADER
            )
        ),
        "can_start_identification": (
            household.status == household.Status.APPLICANT
            and "identification" not in open_kinds
            and (user.is_superuser or role in workflows.IDENTIFICATION[0].roles)
        ),
        "is_leader": role == StaffProfile.Role.LEADER or user.is_superuser,
        "today": today,
        "notice_days": settings.BANGFU_NOTICE_DAYS,
    }
