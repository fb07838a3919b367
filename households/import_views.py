"""Roster import pages: upload → checked in the background → preview → confirm."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from households.imports import service
from households.imports.roster import RosterError, check_archive
from households.imports.service import import_apply_request, village_choices
from households.imports.template import roster_template
from households.models import ImportJob
from households.scoping import get_import_for
from township.access import can_edit_cards


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Roster (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel workbook (.xlsx)."))
        if upload.size > settings.BANGFU_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB: split it into smaller files.")
                % {"mb": settings.BANGFU_IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        try:
            check_archive(upload)  # a zip bomb is refused here, before anything parses it
        except RosterError as error:
            raise forms.ValidationError(str(error)) from error
        return upload


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    if not can_edit_cards(request.user):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = ImportJob(
            filename=upload.name[:200], created_by=request.user, language=request.LANGUAGE_CODE
        )
        job.file.save(upload.name, upload, save=False)
        job.save()
        # A broker that is down leaves the job waiting, marked unsent: its page says so and
        # the sweeper sends it again (township/background.py).
        transaction.on_commit(lambda: service.send_check(job.pk))
        return redirect("households:import", job.pk)
    jobs = ImportJob.objects.filter(created_by=request.user).order_by("-created_at")[:20]
    return render(request, "households/imports.html", {"form": form, "jobs": jobs})


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        roster_template(villages=village_choices(request.user)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="roster-template.xlsx"'
    return response


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_import_for(request.user, pk)
    template = (
        "households/includes/_import_status.html" if request.htmx else "households/import.html"
    )
    return render(request, template, {"job": job})


@login_required
@require_POST
def import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_import_for(request.user, pk)
    if not import_apply_request(job=job):
        messages.error(request, _("Only a checked file without problems can be written."))
        return redirect("households:import", job.pk)
    if not service.send_apply(job.pk):
        # Nothing was sent: the job waits to be confirmed again, as it did before the click.
        service.import_apply_undo(job=job)
        messages.error(
            request,
            _(
                "The import service could not be reached right now: nothing was written. "
                "Try again in a few minutes."
            ),
        )
    return redirect("households:import", job.pk)
