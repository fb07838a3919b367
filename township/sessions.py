"""Sessions: Django's cached database sessions, read with the figures' version.

Every signed-in page reads its session from the cache, and most then read the figures'
version (``figures_cache``) from the same cache: one round trip instead of two. Under load,
each trip to Redis waits for a core as well as for the answer.
"""

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache import DEFAULT_CACHE_ALIAS

from township import figures_cache


class SessionStore(cached_db.SessionStore):
    def load(self):
        if settings.SESSION_CACHE_ALIAS != DEFAULT_CACHE_ALIAS:  # kept apart from the figures
            return super().load()
        try:
            data = figures_cache.version_read_with([self.cache_key]).get(self.cache_key)
        except Exception:  # as Django's: a key the cache refuses starts a new session
            data = None
        # Not in the cache (expired there, or never kept): Django's own way, from the table.
        return super().load() if data is None else data
