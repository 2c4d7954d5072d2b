"""Django's Redis cache backend, reusing its redis-py client objects.

Django's ``RedisCacheClient.get_client()`` builds a new ``redis.Redis`` for every cache operation
(only the connection pool is kept), and redis-py's constructor fills a table of some eighty response
callbacks each time: on a signed-in page that reads its session, user, memberships and page data
from the cache, those constructions cost more than the round trips. A ``redis.Redis`` over a pool is
safe to share (each command takes a connection from the pool), so one per pool is kept.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        clients: dict[int, Any] = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusingClient
