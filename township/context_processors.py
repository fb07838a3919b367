from django.conf import settings

from township.access import can_edit_cards, can_manage_township, profile_for


def navigation(request) -> dict:
    """What the navigation bar offers this user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    profile = profile_for(user)
    role = profile.role if profile else None
    return {
        "nav": {
            "mine": role == "cadre",
            "villages": role != "cadre",
            "funds": user.is_superuser or role in {"county_admin", "leader", "township_staff"},
            "pairings": can_manage_township(user),
            "edit": can_edit_cards(user),
            "people": user.is_superuser or role in {"county_admin", "leader", "township_staff"},
            "policy": user.is_superuser or role in {"county_admin", "leader", "township_staff"},
            "assess": user.is_superuser or role in {"leader", "township_staff", "county_admin"},
        },
        "visit_photos_max": settings.BANGFU_VISIT_PHOTOS_MAX,
    }
