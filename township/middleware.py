from django.utils.functional import SimpleLazyObject

from township.access import scope_for


class ScopeMiddleware:
    """Put the user's scope on the request (``request.scope``), read at most once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: scope_for(request.user))
        return self.get_response(request)
