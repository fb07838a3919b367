"""Login throttling (django-axes): guessing is stopped, a stranger cannot lock a user out.

- A lockout holds one username *from one address* (``AXES_LOCKOUT_PARAMETERS``): five
  wrong passwords for ``leader`` from one place stop that place guessing, not the leader
  logging in from anywhere else.
- The address is the real client's: ``REMOTE_ADDR``, or behind reverse proxies that the
  deployment declares (``TRUSTED_PROXY_COUNT``), the address the outermost of them saw,
  read from the right of ``X-Forwarded-For``. What a client writes into that header
  itself is never believed, so nobody escapes a lockout by inventing addresses.
- Each lockout lasts longer than the last one of the same username and address within a
  day (``BANGFU_LOGIN_COOLOFF_MINUTES``, doubled each time, at most a day).
- Every lockout is logged (logger ``township.throttling``) with the username and address.
"""

import datetime
import ipaddress
import logging

from axes.helpers import get_client_username
from axes.models import AccessFailureLog
from axes.signals import user_locked_out
from django.conf import settings
from django.dispatch import receiver
from django.utils import timezone

log = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the one our trusted proxies forwarded."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.BANGFU_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    header = request.META.get(settings.BANGFU_FORWARDED_FOR_HEADER, "")
    forwarded = [part.strip() for part in header.split(",") if part.strip()]
    # Each proxy appends the address it received the request from: the client's address is
    # the one our outermost proxy appended, ``proxies`` places from the right. Anything
    # further left was written by the client and proves nothing.
    if len(forwarded) < proxies:
        return remote  # the request did not come through all our proxies
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def cool_off(request=None) -> datetime.timedelta:
    """How long a lockout lasts: doubled for each lockout of the same username from the same
    address within the last day, at most a day."""
    base = datetime.timedelta(minutes=settings.BANGFU_LOGIN_COOLOFF_MINUTES)
    if request is None:
        return base
    username = get_client_username(request, getattr(request, "axes_credentials", None))
    if not isinstance(username, str) or "\x00" in username or len(username) > 150:
        return base  # no account has such a name: nothing to look up
    address = getattr(request, "axes_ip_address", None) or client_ip(request)
    lockouts = AccessFailureLog.objects.filter(
        username=username,
        ip_address=address,
        locked_out=True,
        attempt_time__gte=timezone.now() - datetime.timedelta(days=1),
    ).count()
    return min(base * 2 ** min(max(lockouts - 1, 0), 16), datetime.timedelta(days=1))


@receiver(user_locked_out)
def log_lockout(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    log.warning("login locked out: username=%r address=%s", username, ip_address)
