"""The session store: Django's ``cached_db`` (the session table, with Redis in front of it), made safe
for a cache that fails.

Every signed-in page reads its session; from Redis that costs half of the table's primary-key query.
Django's own ``cached_db`` raises when the cache is down after a database read, and when a save or
delete cannot reach the cache it leaves the old session data there, to be served again once the cache
answers: a logout or a wizard step written during an outage would be undone. Here the table stays the
truth: a cache failure reads and writes the table alone (backing off like the read cache,
``caching.available()``), and the cache entry of a session written meanwhile is deleted before this
process trusts the cache again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore

import caching

# Cache entries of sessions written while the cache could not be told: deleted before the next use.
_stale: set[str] = set()


class SessionStore(CachedDBStore):
    def _cache_trusted(self) -> bool:
        if not caching.available():
            return False
        if _stale:
            try:
                self._cache.delete_many(list(_stale))
            except Exception as exc:  # the table answers instead
                caching.failed(exc)
                return False
            _stale.clear()
        return True

    def _remember(self, data: dict[str, Any], age: int) -> None:
        key = self.cache_key
        if self._cache_trusted():
            try:
                self._cache.set(key, data, age)
                return
            except Exception as exc:  # likewise
                caching.failed(exc)
        _stale.add(key)

    def load(self) -> dict[str, Any]:
        if not self._cache_trusted():
            return DBStore.load(self)
        try:
            data = self._cache.get(self.cache_key)
        except Exception as exc:  # likewise
            caching.failed(exc)
            return DBStore.load(self)
        if data is not None:
            return data  # type: ignore[no-any-return]
        row = self._get_session_from_db()
        if row is None:
            return {}
        data = self.decode(row.session_data)
        self._remember(data, self.get_expiry_age(expiry=row.expire_date))
        return data  # type: ignore[no-any-return]

    def exists(self, session_key: str) -> bool:
        # create() asks for an unused key: the table knows every session.
        return DBStore.exists(self, session_key)

    def save(self, must_create: bool = False) -> None:
        DBStore.save(self, must_create)
        self._remember(self._session, self.get_expiry_age())

    def delete(self, session_key: str | None = None) -> None:
        DBStore.delete(self, session_key)
        session_key = session_key or self.session_key
        if session_key is None:
            return
        key = self.cache_key_prefix + session_key
        if self._cache_trusted():
            try:
                self._cache.delete(key)
                return
            except Exception as exc:  # likewise
                caching.failed(exc)
        _stale.add(key)
