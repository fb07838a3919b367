"""People pages: the accounts of a township or county, created and kept without the admin."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from township import accounts
from township.access import profile_for
from township.models import County, StaffProfile
from township.scoping import get_person_for

Role = StaffProfile.Role
READERS = {Role.COUNTY_ADMIN, Role.LEADER, Role.TOWNSHIP_STAFF}


class AccountForm(forms.ModelForm):
    """A person's role, place and unit; the choices stop at the editor's own scope."""

    username = forms.CharField(label=gettext_lazy("Login name"), max_length=150)
    county = forms.ModelChoiceField(
        label=gettext_lazy("County"), queryset=County.objects.none(), required=False
    )

    class Meta:
        model = StaffProfile
        fields = ["name", "role", "township", "village", "unit", "help_unit", "title", "phone"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        grantable = accounts.grantable_roles(actor)
        self.fields["role"].choices = [c for c in Role.choices if c[0] in grantable]
        self.fields["township"].queryset = accounts.townships_for(actor)
        self.fields["village"].queryset = accounts.villages_for(actor)
        self.fields["help_unit"].queryset = accounts.help_units_for(actor)
        self.fields["township"].help_text = _("Leaders, staff and cadres.")
        self.fields["village"].help_text = _("Village work teams.")
        if self.instance.pk:
            del self.fields["username"]
        if actor.is_superuser:
            self.fields["county"].queryset = County.objects.order_by("code")
        else:
            del self.fields["county"]


def _require_reader(user) -> None:
    profile = profile_for(user)
    if not user.is_superuser and (profile is None or profile.role not in READERS):
        raise PermissionDenied


def _message(error: ValidationError) -> str:
    return "; ".join(error.messages)


class RoleChoiceForm(forms.Form):
    role = forms.ChoiceField(choices=[("", ""), *Role.choices], required=False)


class ActiveForm(forms.Form):
    active = forms.ChoiceField(choices=[("0", "0"), ("1", "1")])


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    people = (
        StaffProfile.objects.visible_to(request.user)
        .select_related("user", "township", "village", "help_unit")
        .order_by("role", "name")
    )
    choice = RoleChoiceForm(request.GET)
    role = choice.cleaned_data["role"] if choice.is_valid() else ""
    if role:
        people = people.filter(role=role)
    return render(
        request,
        "people/list.html",
        {
            "people": people,
            "roles": Role.choices,
            "role": role,
            "can_create": accounts.can_manage_accounts(request.user),
        },
    )


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    if not accounts.can_manage_accounts(request.user):
        raise PermissionDenied
    form = AccountForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            profile, password = accounts.account_create(
                actor=request.user,
                username=data["username"],
                fields=data,
                county=data.get("county"),
            )
        except ValidationError as error:
            messages.error(request, _message(error))
        else:
            messages.warning(
                request,
                _(
                    "Account %(login)s created. Temporary password: %(password)s — hand it over; "
                    "it must be changed at the first login."
                )
                % {"login": profile.user.username, "password": password},
            )
            return redirect("people:detail", profile.pk)
    return render(request, "people/form.html", {"form": form, "person": None})


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for(request.user, pk)
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "can_manage": accounts.can_manage(request.user, person),
            "entries": accounts.account_history(person),
        },
    )


def _manageable(request, pk: int) -> StaffProfile:
    person = get_person_for(request.user, pk)
    if not accounts.can_manage(request.user, person):
        raise PermissionDenied
    return person


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _manageable(request, pk)
    form = AccountForm(request.POST or None, instance=person, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.account_update(actor=request.user, profile=person, fields=form.cleaned_data)
        except ValidationError as error:
            messages.error(request, _message(error))
        else:
            messages.success(request, _("Saved."))
            return redirect("people:detail", person.pk)
    person.refresh_from_db()
    return render(request, "people/form.html", {"form": form, "person": person})


@login_required
@require_POST
def person_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    person = _manageable(request, pk)
    password = accounts.account_reset_password(actor=request.user, profile=person)
    messages.warning(
        request,
        _(
            "New temporary password for %(login)s: %(password)s — "
            "it must be changed at the next login."
        )
        % {"login": person.user.username, "password": password},
    )
    return redirect("people:detail", person.pk)


@login_required
@require_POST
def person_active(request: HttpRequest, pk: int) -> HttpResponse:
    person = _manageable(request, pk)
    form = ActiveForm(request.POST)
    wanted = form.cleaned_data["active"] if form.is_valid() else None
    if wanted not in ("0", "1"):
        messages.error(request, _("Choose to deactivate or to reactivate the account."))
    else:
        accounts.account_set_active(actor=request.user, profile=person, active=wanted == "1")
        messages.success(
            request, _("Account reactivated.") if wanted == "1" else _("Account deactivated.")
        )
    return redirect("people:detail", person.pk)
