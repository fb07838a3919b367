from django.conf import settings

from township.access import can_edit_cards, can_manage_township, profile_for
from township.models import StaffProfile

Role = StaffProfile.Role
# The county, the township leader and its poverty office: funds, people, policy, assessment.
OFFICE = frozenset({Role.COUNTY_ADMIN, Role.LEADER, Role.TOWNSHIP_STAFF})


def navigation(request) -> dict:
    """What the navigation bar offers this user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    profile = profile_for(user)
    role = profile.role if profile else None
    return {
        "nav": {
            "mine": role == Role.CADRE,
            "villages": role != Role.CADRE,
            "funds": user.is_superuser or role in OFFICE,
            "pairings": can_manage_township(user),
            "edit": can_edit_cards(user),
            "people": user.is_superuser or role in OFFICE,
            "policy": user.is_superuser or role in OFFICE,
            "assess": user.is_superuser or role in OFFICE,
        },
        "visit_photos_max": settings.BANGFU_VISIT_PHOTOS_MAX,
    }
