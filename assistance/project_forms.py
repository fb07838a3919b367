"""Forms of a project's stages: the stage's date, its documents, evaluations, beneficiaries."""

import datetime

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image

from assistance.forms import CrispyMixin, _date_widget
from assistance.models import Project, ProjectDocument, ProjectEvaluation
from township.formfields import PlausibleDateField, formfield_for

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def sniff_document(upload) -> str | None:
    """The content type of an upload judged by its content (not its name): a JPEG, PNG or
    WebP photo, or a PDF; None for anything else."""
    upload.seek(0)
    if upload.read(5) == b"%PDF-":
        upload.seek(0)
        return "application/pdf"
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except Exception:
        kind = None
    upload.seek(0)
    return IMAGE_TYPES.get(kind)


class StageForm(CrispyMixin, forms.Form):
    on = PlausibleDateField(
        label=_("Date of the stage"),
        widget=_date_widget(),
        required=False,
        help_text=_("Empty: today."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()

    def clean_on(self):
        day = self.cleaned_data["on"] or datetime.date.today()
        if day > datetime.date.today():
            raise forms.ValidationError(_("A stage cannot be dated in the future."))
        return day


class DocumentForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = ProjectDocument
        formfield_callback = formfield_for
        fields = ["stage", "kind", "title", "file"]

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        reached = {Project.Stage.LIBRARY, project.stage}
        reached |= set(project.stage_changes.values_list("stage", flat=True))
        self.fields["stage"].choices = [c for c in Project.Stage.choices if c[0] in reached]
        self.fields["stage"].initial = project.stage
        self.fields["file"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp,.pdf"
        self.fields["file"].help_text = _("A photo (JPEG, PNG, WebP) or a PDF.")
        self._helper()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.BANGFU_PHOTO_MAX_BYTES:
            raise forms.ValidationError(
                _("%(name)s is larger than %(mb)d MB.")
                % {"name": upload.name, "mb": settings.BANGFU_PHOTO_MAX_BYTES // (1024 * 1024)}
            )
        kind = sniff_document(upload)
        if kind is None:
            raise forms.ValidationError(
                _("%(name)s is not a photo (JPEG, PNG, WebP) or a PDF.") % {"name": upload.name}
            )
        upload.content_type = kind
        return upload


class EvaluationForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = ProjectEvaluation
        formfield_callback = formfield_for
        fields = [
            "kind",
            "evaluated_on",
            "evaluator",
            "indicator",
            "unit",
            "target_value",
            "actual_value",
            "findings",
        ]
        widgets = {"evaluated_on": _date_widget(), "findings": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()

    def clean(self):
        data = super().clean()
        if (
            data.get("kind") == ProjectEvaluation.Kind.FOLLOW_UP
            and data.get("actual_value") is None
        ):
            self.add_error("actual_value", _("A follow-up records the value actually reached."))
        return data
