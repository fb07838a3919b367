"""The Redis cache backend, keeping its Redis client.

Django's ``RedisCache`` builds a new ``redis.Redis`` object on every call (the connection
pool is kept, the client is not), and building one copies its table of about 170 reply
handlers: five cache reads on a page cost half a millisecond. A client is safe to share
between threads, so one is kept per connection pool.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class KeptRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = KeptRedisCacheClient
