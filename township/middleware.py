import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import translation

from township.access import profile_for


class LanguageMiddleware:
    """Chinese first: the language the user chose (a cookie set by `set_language`), else zh-hans.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: office and
    phone browsers here often ask for English while their users read Chinese.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in self.available:
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class PasswordChangeRequiredMiddleware:
    """A user whose password was set by someone else (a new account, a reset) changes it
    before doing anything else: every page leads to the password change form."""

    ALLOWED = ("password_change", "password_change_done", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile = profile_for(user)
            if profile is not None and profile.must_change_password:
                match = getattr(request, "resolver_match", None) or _resolve(request.path_info)
                if match is None or match.url_name not in self.ALLOWED:
                    return redirect("password_change")
        return self.get_response(request)


def _resolve(path: str):
    try:
        return resolve(path)
    except Resolver404:
        return None


# Scripts, images and fonts come from this site only: no inline script or event handler can
# run (pages declare behaviour with data attributes read by static/js/bangfu.js), and no form
# posts or frame embeds elsewhere. `data:` images are Bootstrap's icons in its CSS. Styles
# also allow inline ones: the dashboard's pygal chart is inline SVG carrying its <style>;
# our templates themselves use no style attribute (a test checks every page).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """The Content-Security-Policy on every response, and no caching of signed-in pages.

    Django 5.2 has no CSP of its own; one fixed policy needs no package (django-csp would
    add nonces and per-view policies that nothing here uses). Pages for a signed-in user
    carry people's data: ``Cache-Control: no-store`` keeps them out of the browser's and
    any proxy's cache on a shared office computer. A view that set its own Cache-Control
    (a photo: ``private``) keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response


class SessionRefreshMiddleware:
    """Keep a signed-in session alive while it is used, writing it at most once a minute.

    The session expires ``SESSION_COOKIE_AGE`` after it was last saved; saving it on every
    request (``SESSION_SAVE_EVERY_REQUEST``) cost a write per page. Here a page saves it only
    when the last save is ``BANGFU_SESSION_REFRESH_SECONDS`` old or more, so the idle timeout
    holds to within that much.
    """

    KEY = "_bangfu_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response
        self.every = settings.BANGFU_SESSION_REFRESH_SECONDS

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty() and SESSION_KEY in session:
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= self.every:
                session[self.KEY] = now  # marks the session modified: saved with a new expiry
        return response


def session_refreshed_at_login(sender, request, user, **kwargs):
    """Signing in writes the session anyway: count that as its first refresh."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SessionRefreshMiddleware.KEY] = int(time.time())
