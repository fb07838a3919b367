"""Recording who saw full ID numbers (see ``IdAccess``), and who may export them."""

from households.masking import mask_id
from households.models.audit import IdAccess
from township.access import profile_for
from township.models import StaffProfile
from township.validators import normalize_id_number, validate_id_number

# Full ID numbers leave the system in bulk only with the township's poverty office and the
# county: village teams, leaders and cadres get masked numbers in every export.
FULL_ID_EXPORT_ROLES = frozenset({StaffProfile.Role.TOWNSHIP_STAFF, StaffProfile.Role.COUNTY_ADMIN})


def can_export_full_ids(user) -> bool:
    if user.is_superuser:
        return True
    profile = profile_for(user)
    return profile is not None and profile.role in FULL_ID_EXPORT_ROLES


def is_full_id_number(value: str) -> bool:
    """Whether ``value`` is a whole national ID number (not its last digits, not a name)."""
    try:
        validate_id_number(normalize_id_number(value))
    except Exception:
        return False
    return True


def masked_filters(filters: dict) -> dict:
    """A list's filters as they can be kept in the record: values as text, IDs masked."""
    kept = {}
    for key, value in filters.items():
        text = str(getattr(value, "pk", value))
        kept[key] = mask_id(text) if key == "q" and len(text) > 8 else text
    return kept


def id_access_record(
    *, user, action: str, reason: str, household=None, households_count: int = 0, detail=None
) -> IdAccess:
    return IdAccess.objects.create(
        user=user,
        action=action,
        reason=reason[:200],
        household=household,
        households_count=households_count or (1 if household is not None else 0),
        detail=detail or {},
    )
