from django.conf import settings
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from township.access import scope_for


class ScopeMiddleware:
    """Put the user's scope on the request (``request.scope``), read at most once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: scope_for(request.user))
        return self.get_response(request)


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
