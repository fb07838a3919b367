from django.conf import settings
from django.utils import timezone
from django.utils.functional import cached_property

from assistance.selectors import plan_items_due
from households import queues
from township import figures_cache
from township.access import can_edit_cards, can_manage_township, profile_for
from township.models import StaffProfile

Role = StaffProfile.Role
# The county, the township leader and its poverty office: funds, people, policy, assessment.
OFFICE = frozenset({Role.COUNTY_ADMIN, Role.LEADER, Role.TOWNSHIP_STAFF})


def queue_plan_items(request):
    """The plan items of the request's user's queue (``assistance.selectors``)."""
    today = timezone.localdate()
    return plan_items_due(request.user, today=today, ahead_days=queues.PLAN_ITEMS_AHEAD_DAYS)


def queue_querysets(request) -> dict:
    """What waits for the request's user, section by section (``households.queues``)."""
    today = timezone.localdate()
    return queues.sections(request.user, today=today, plan_items=queue_plan_items(request))


def queue_counts(request) -> dict[str, int]:
    """Each section's count, in one query, kept on the request: the navigation bar and the
    home page share it."""
    counts = getattr(request, "_bangfu_queue_counts", None)
    if counts is None:
        # Kept a minute, or until data changes (some steps move by update(): a minute late).
        counts, _at = figures_cache.cached(
            "queue-counts",
            request.user,
            lambda: queues.count_each(queue_querysets(request)),
            today=timezone.localdate(),
            per_user=True,
            ttl=60,
        )
        request._bangfu_queue_counts = counts
    return counts


class QueueBadge:
    """The navigation's count of what waits, counted only if a page shows it."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def total(self) -> int:
        return sum(queue_counts(self.request).values())


def navigation(request) -> dict:
    """What the navigation bar offers this user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    profile = profile_for(user)
    role = profile.role if profile else None
    nav = {
        "mine": role == Role.CADRE,
        "villages": role != Role.CADRE,
        "funds": user.is_superuser or role in OFFICE,
        "pairings": can_manage_township(user),
        "edit": can_edit_cards(user),
        "people": user.is_superuser or role in OFFICE,
        "policy": user.is_superuser or role in OFFICE,
        "assess": user.is_superuser or role in OFFICE,
        "admin": user.is_superuser,
    }
    # What the bar shows depends on these only: its drawing is kept by them (base.html).
    nav["key"] = "".join("1" if shown else "0" for shown in nav.values())
    return {
        "nav": nav,
        "queue_badge": QueueBadge(request),
        "visit_photos_max": settings.BANGFU_VISIT_PHOTOS_MAX,
    }
