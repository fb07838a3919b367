"""People's accounts, kept in the app: who may create whom, where, and the one way to do it.

The county administrator creates and deactivates accounts for township leaders and staff,
and for cadres and work teams anywhere in the county; township staff do so for the pairing
cadres and village work teams of their own township. Nobody gives anyone a role or a place
beyond their own scope. A new account, and one whose password was reset, must change the
password at its next login (``township.middleware.PasswordChangeRequiredMiddleware``).
Every change is recorded in the history of the profile and of the user.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from township import history
from township.access import profile_for
from township.models import HelpUnit, StaffProfile, Township, Village

Role = StaffProfile.Role
# What each role may grant, and so create, change, reset and deactivate.
GRANTS = {
    Role.COUNTY_ADMIN: {Role.LEADER, Role.TOWNSHIP_STAFF, Role.CADRE, Role.VILLAGE_TEAM},
    Role.TOWNSHIP_STAFF: {Role.CADRE, Role.VILLAGE_TEAM},
}
PROFILE_FIELDS = ["name", "role", "unit", "help_unit", "title", "phone", "township", "village"]
# Letters and digits that are not confused on a phone keyboard or on paper.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def grantable_roles(user) -> set[str]:
    if user.is_superuser:
        return set(Role.values)
    profile = profile_for(user)
    return set(GRANTS.get(profile.role, set())) if profile else set()


def can_manage_accounts(user) -> bool:
    return bool(grantable_roles(user))


def can_manage(user, profile: StaffProfile) -> bool:
    """Whether ``user`` may change ``profile``: a role they may grant, in their scope."""
    if profile.user_id == user.pk and not user.is_superuser:
        return False
    return (
        profile.role in grantable_roles(user)
        and StaffProfile.objects.visible_to(user).filter(pk=profile.pk).exists()
    )


def townships_for(user):
    return Township.objects.visible_to(user).order_by("code")


def villages_for(user):
    return Village.objects.visible_to(user).select_related("township").order_by("code")


def help_units_for(user):
    return HelpUnit.objects.visible_to(user).order_by("name")


def temporary_password() -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(10))


def _check_grant(actor, fields: dict) -> dict:
    """Refuse a role or a place beyond ``actor``'s scope; return the fields the role keeps."""
    role = fields.get("role")
    if role not in grantable_roles(actor):
        raise PermissionDenied
    township, village = fields.get("township"), fields.get("village")
    clean = dict(fields)
    if role in (Role.LEADER, Role.TOWNSHIP_STAFF, Role.CADRE):
        clean["village"] = None
        if township is None:
            raise ValidationError({"township": _("Choose the township.")})
        if not townships_for(actor).filter(pk=township.pk).exists():
            raise PermissionDenied
    elif role == Role.VILLAGE_TEAM:
        clean["township"] = None
        if village is None:
            raise ValidationError({"village": _("Choose the village.")})
        if not villages_for(actor).filter(pk=village.pk).exists():
            raise PermissionDenied
    else:  # a county administrator, created by a superuser only
        clean["township"] = clean["village"] = None
    unit = fields.get("help_unit")
    if unit is not None and not help_units_for(actor).filter(pk=unit.pk).exists():
        raise PermissionDenied
    return clean


def _profile_fields(fields: dict) -> dict:
    text = {"name", "unit", "title", "phone"}
    return {
        k: (fields.get(k) or "") if k in text else fields.get(k)
        for k in PROFILE_FIELDS
        if k in fields or k in text
    }


def _save_profile(profile: StaffProfile, actor, reason: str) -> None:
    profile._history_user = actor
    profile._change_reason = reason
    profile.full_clean(exclude=["user"])
    profile.save()


@transaction.atomic
def account_create(
    *, actor, username: str, fields: dict, county=None, login: bool = True
) -> tuple[StaffProfile, str]:
    """A new account with its role and place, and a temporary password to hand over, which
    must be changed at the first login. With ``login=False`` the account has no password
    yet (a person recorded before they use the app; a password reset gives them one)."""
    fields = _check_grant(actor, _profile_fields(fields))
    username = username.strip()
    User = get_user_model()
    if not username or User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This login name is taken or empty.")})
    user = User(username=username)
    password = temporary_password() if login else ""
    if login:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user._history_user = actor
    user._change_reason = "account created"
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:  # Race: the same name created at the same moment.
        raise ValidationError({"username": _("This login name is taken or empty.")}) from error
    profile = StaffProfile(user=user, must_change_password=login, **fields)
    if profile.role == Role.COUNTY_ADMIN:
        if county is None:
            raise ValidationError(_("A county administrator needs a county."))
        profile.county = county
    _save_profile(profile, actor, "account created")
    return profile, password


@transaction.atomic
def account_update(*, actor, profile: StaffProfile, fields: dict) -> StaffProfile:
    """Change a person's name, role, place or unit, within what ``actor`` may grant."""
    profile = StaffProfile.objects.select_for_update().get(pk=profile.pk)
    if not can_manage(actor, profile):
        raise PermissionDenied
    fields = _check_grant(actor, _profile_fields(fields))
    for name, value in fields.items():
        setattr(profile, name, value)
    _save_profile(profile, actor, "account changed")
    return profile


@transaction.atomic
def account_set_active(*, actor, profile: StaffProfile, active: bool) -> StaffProfile:
    """Deactivate an account (it can no longer log in; nothing is deleted) or reactivate it."""
    profile = StaffProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    if not can_manage(actor, profile):
        raise PermissionDenied
    user = profile.user
    if user.is_active != active:
        user.is_active = active
        user._history_user = actor
        user._change_reason = "activated" if active else "deactivated"
        user.save(update_fields=["is_active"])
    return profile


@transaction.atomic
def account_reset_password(*, actor, profile: StaffProfile) -> str:
    """A new temporary password, to be changed at the next login."""
    profile = StaffProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    if not can_manage(actor, profile):
        raise PermissionDenied
    password = temporary_password()
    profile.user.set_password(password)
    profile.user.save(update_fields=["password"])
    profile.must_change_password = True
    profile._history_user = actor
    profile._change_reason = "password reset"
    profile.save(update_fields=["must_change_password"])
    return password


def account_password_set(*, user, password: str | None) -> None:
    """The user sets their own password (or, for an account that never logs in, none): the
    forced change is done."""
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save(update_fields=["password"])
    password_changed(user=user)


def password_changed(*, user) -> None:
    """The user chose their own password: the forced change is done."""
    profile = profile_for(user)
    if profile is not None and profile.must_change_password:
        profile.must_change_password = False
        profile._history_user = user
        profile._change_reason = "password changed"
        profile.save(update_fields=["must_change_password"])


def account_history(profile: StaffProfile) -> list:
    """Every recorded change of the person's profile and account: who, when, old → new."""
    User = get_user_model()
    return history.merged(
        history.history_of(StaffProfile, profile.history.all()),
        history.history_of(User, User.history.filter(id=profile.user_id)),
    )
