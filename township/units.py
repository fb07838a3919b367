"""Help units (帮扶单位), kept by the county: their name, kind and the villages they answer for."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from township.access import profile_for
from township.models import County, HelpUnit, StaffProfile, Village


def can_keep_units(user) -> bool:
    if user.is_superuser:
        return True
    profile = profile_for(user)
    return profile is not None and profile.role == StaffProfile.Role.COUNTY_ADMIN


@transaction.atomic
def help_unit_save(
    *, user, unit: HelpUnit | None, county: County, name: str, kind: str, villages
) -> HelpUnit:
    """Create or change a help unit of ``county``; its villages must lie in that county."""
    if not can_keep_units(user):
        raise PermissionDenied
    villages = list(villages)
    if any(v.township.county_id != county.pk for v in villages):
        raise ValidationError(_("A unit answers for villages of its own county."))
    if not name.strip():
        raise ValidationError(_("Give the unit's name."))
    before = sorted(v.name for v in unit.villages.all()) if unit else []
    after = sorted(v.name for v in villages)
    unit = unit or HelpUnit(county=county)
    unit.name, unit.kind = name.strip(), kind
    unit._history_user = user
    if before != after:
        # The villages (包村) are a many-to-many field: say in the record what changed.
        unit._change_reason = f"{'、'.join(before) or '—'} → {'、'.join(after) or '—'}"[:100]
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as error:
        raise ValidationError(_("The county already has a unit of this name.")) from error
    if before != after:
        unit.villages.set(villages)
    return unit


def villages_of_county(county: County):
    return Village.objects.filter(township__county=county).select_related("township")
