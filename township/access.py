"""Who may see what: the one scoping mechanism.

``scope_for(user)`` reads the user's profile once and says at which level they work. Every
query of scoped data goes through a ``visible_to(user)`` QuerySet method built on it
(``Village.objects.visible_to``, ``Household.objects.visible_to``), and every page fetches
single objects through a ``get_*_for(user, pk)`` helper that answers 404 outside the scope
(``<app>/scoping.py``). In a request, a query of scoped data that does neither raises
(``township.scoping``).

- a superuser: everything;
- a county administrator: their county;
- a township leader or township staff: their township;
- a village work team: their village;
- a pairing cadre (帮扶责任人): the households currently paired with them;
- anyone else (no profile, anonymous): nothing.
"""

import enum
from dataclasses import dataclass

from township.models import StaffProfile

Role = StaffProfile.Role


@dataclass(frozen=True)
class Scope:
    class Level(enum.Enum):
        NONE = "none"
        ALL = "all"
        COUNTY = "county"
        TOWNSHIP = "township"
        VILLAGE = "village"
        CADRE = "cadre"

    level: Level
    county_id: int | None = None
    township_id: int | None = None
    village_id: int | None = None
    profile_id: int | None = None


NO_SCOPE = Scope(Scope.Level.NONE)


def scope_for(user) -> Scope:
    """The scope of ``user``, cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_bangfu_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    user._bangfu_scope = scope
    return scope


def _compute_scope(user) -> Scope:
    if user.is_superuser:
        return Scope(Scope.Level.ALL)
    try:
        profile = user.profile
    except StaffProfile.DoesNotExist:
        return NO_SCOPE
    match profile.role:
        case Role.COUNTY_ADMIN:
            return Scope(Scope.Level.COUNTY, county_id=profile.county_id, profile_id=profile.pk)
        case Role.LEADER | Role.TOWNSHIP_STAFF:
            return Scope(
                Scope.Level.TOWNSHIP, township_id=profile.township_id, profile_id=profile.pk
            )
        case Role.VILLAGE_TEAM:
            return Scope(Scope.Level.VILLAGE, village_id=profile.village_id, profile_id=profile.pk)
        case Role.CADRE:
            return Scope(Scope.Level.CADRE, profile_id=profile.pk)
    return NO_SCOPE


def profile_for(user):
    """The user's StaffProfile, or None."""
    if not user.is_authenticated:
        return None
    try:
        return user.profile
    except StaffProfile.DoesNotExist:
        return None


def _role(user) -> str | None:
    """The user's role (a ``StaffProfile.Role``), or None."""
    profile = profile_for(user)
    return profile.role if profile else None


def can_edit_cards(user) -> bool:
    """Township staff, village teams and county administrators keep the archive cards.

    Leaders read everything and approve; pairing cadres read their households and log visits.
    """
    if user.is_superuser:
        return True
    return _role(user) in {Role.TOWNSHIP_STAFF, Role.VILLAGE_TEAM, Role.COUNTY_ADMIN}


def can_log_visits(user) -> bool:
    if user.is_superuser:
        return True
    return _role(user) in {Role.CADRE, Role.VILLAGE_TEAM, Role.TOWNSHIP_STAFF}


def can_keep_plans(user) -> bool:
    """Plans, items and deliveries: the cadre's account, kept with the village and township."""
    if user.is_superuser:
        return True
    return _role(user) in {Role.CADRE, Role.VILLAGE_TEAM, Role.TOWNSHIP_STAFF, Role.COUNTY_ADMIN}


def can_manage_township(user) -> bool:
    """Pairings, projects, loans and the fund ledger: the township's poverty office (扶贫办)."""
    if user.is_superuser:
        return True
    return _role(user) in {Role.TOWNSHIP_STAFF, Role.COUNTY_ADMIN}
