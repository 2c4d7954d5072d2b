"""Cross-request read cache, invalidated by generations of the apps whose tables a value reads.

What it owns: ``cached(key, compute, depends=(app labels…))`` keeps a read's result in Django's cache
(Redis in production, so every web process shares it) under the current *generation* of each app it
depends on. Every write to an app's tables gives that app a new generation, so a cached value is never
served once a row it was computed from has changed: exact results, not "up to N seconds stale".

Why generations are bumped from the SQL, not from model signals: ``QuerySet.update()``,
``bulk_create()`` and ``delete()`` send no ``post_save``, and the lifecycle's compare-and-set writes are
``update()`` calls. A database execute wrapper (installed on every connection) sees each INSERT,
UPDATE, DELETE and TRUNCATE, maps its table to the app that owns it, and bumps that app's generation
once after the statement and again when the transaction commits (a reader that raced the commit cached
its value under the generation the commit replaces). A transaction that wrote to an app reads that
app's values straight from the database: its uncommitted rows must never reach the cache.

The cache is an accelerator only: when it fails (Redis down or frozen), values are computed directly
and the cache is skipped by this process for ``_BACKOFF_SECONDS``, so a page never waits on it twice.

This package imports no app (it sits below every app in the import-linter layers).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.backends.signals import connection_created

log = logging.getLogger(__name__)

T = TypeVar("T")

_PREFIX = "readcache"
_TIMEOUT = 300  # seconds a value is kept when nothing changes (memory; and the bound after an outage)
_BACKOFF_SECONDS = 10.0
_down_until = 0.0

# The first table a write statement names (Django quotes it; SQLite may not).
_WRITE = re.compile(
    r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+["`]?([A-Za-z0-9_]+)', re.IGNORECASE
)
_table_apps: dict[str, str] = {}
# Apps no cached value may read: their writes (a session saved on every wizard step, axes' record of
# each login attempt) bump nothing. cached() refuses to depend on them.
UNWATCHED = frozenset({"sessions", "axes"})
_pending: set[str] = set()  # apps written while the cache could not be told (see bump())


def digest(*parts: object) -> str:
    """A short, fixed-size key part for any inputs (typed text of any length and character, lists)."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def _gen_key(app_label: str) -> str:
    return f"{_PREFIX}:gen:{app_label}"


def available() -> bool:
    """Whether this process uses the cache now (on, and not backing off after a failure)."""
    # Off without a shared cache (embedded mode's process-local one): a worker's writes would not
    # reach the web process's generations.
    return settings.READ_CACHE_ENABLED and time.monotonic() >= _down_until


def failed(exc: Exception) -> None:
    """The cache failed: read the database instead for the next ``_BACKOFF_SECONDS``."""
    global _down_until
    _down_until = time.monotonic() + _BACKOFF_SECONDS
    log.warning("read cache unavailable (%s); reading from the database for %ss", exc, _BACKOFF_SECONDS)


def bump(*app_labels: str) -> None:
    """Give each app a new generation now: every value cached from its tables is out of date.

    A bump the cache refused (Redis down) is kept and sent again, before anything else, as soon as
    this process reaches the cache again: a value cached before the outage must not outlive the write.
    ``_TIMEOUT`` bounds the rest (a process that died with a bump still pending)."""
    _pending.update(app_labels)
    if not _pending or not available():
        return
    try:
        cache.set_many({_gen_key(label): uuid.uuid4().hex for label in _pending}, timeout=None)
    except Exception as exc:  # a cache failure must never fail a write
        failed(exc)
    else:
        _pending.clear()


def _start_generations(keys: list[str]) -> None:
    # add(), not set(): two processes starting a generation at once agree on the first one.
    for key in keys:
        cache.add(key, uuid.uuid4().hex, timeout=None)


def cached(key: str, compute: Callable[[], T], *, depends: Iterable[str], timeout: int = _TIMEOUT) -> T:
    """`compute()`'s value, from the cache while no app in `depends` has been written since it was
    stored. `key` names the value and every input it depends on besides those apps' rows (the viewer,
    the filters, the language): two different reads must never share a key.

    One round trip: the apps' generations and the stored value (with the generations it was computed
    under) are read together; a value stored under other generations is a miss."""
    labels = tuple(sorted(set(depends)))
    if UNWATCHED.intersection(labels):
        raise ValueError(f"no cached value may depend on {sorted(UNWATCHED.intersection(labels))}")
    connection = connections["default"]
    if _pending:
        bump()  # first the invalidations an outage held back
    if _pending or not available() or _dirty(connection).intersection(labels):
        return compute()
    gen_keys = [_gen_key(label) for label in labels]
    value_key = f"{_PREFIX}:value:{key}"
    try:
        found = cache.get_many([*gen_keys, value_key])
        missing = [k for k in gen_keys if k not in found]
        if missing:
            _start_generations(missing)
            found.update(cache.get_many(missing))
    except Exception as exc:  # an accelerator only: read the database instead
        failed(exc)
        return compute()
    generations = tuple(found.get(k) for k in gen_keys)
    stored = found.get(value_key)
    if stored is not None and stored[0] == generations and None not in generations:
        return stored[1]  # type: ignore[no-any-return]
    value = compute()
    try:
        # Computed from rows at least as new as `generations`: a concurrent write has bumped them, so
        # a reader compares and misses rather than getting an older value.
        cache.set(value_key, (generations, value), timeout)
    except Exception as exc:  # likewise
        failed(exc)
    return value


# --- the write hook -------------------------------------------------------------------------------
def app_of_table(table: str) -> str | None:
    """The label of the app that owns `table` (None: no model's table)."""
    if not _table_apps:
        for model in apps.get_models(include_auto_created=True):
            _table_apps[model._meta.db_table] = model._meta.app_label
    return _table_apps.get(table)


def _dirty(connection: Any) -> set[str]:
    """Apps this connection's open transaction has written (empty outside a transaction)."""
    if not connection.in_atomic_block:
        connection.__dict__.pop("_readcache_dirty", None)
        connection.__dict__.pop("_readcache_hooks", None)
        return set()
    return connection.__dict__.get("_readcache_dirty", set())


def _written(connection: Any, app_label: str) -> None:
    if not connection.in_atomic_block:
        bump(app_label)  # autocommit: the row is committed already
        return
    dirty = connection.__dict__.setdefault("_readcache_dirty", set())
    if app_label not in dirty:
        bump(app_label)
        dirty.add(app_label)
    # One commit hook per app and savepoint: a rolled-back savepoint drops the hooks registered in it,
    # so a later write in the outer transaction registers its own.
    registered = connection.__dict__.setdefault("_readcache_hooks", set())
    hook = (app_label, tuple(connection.savepoint_ids))
    if hook not in registered:
        registered.add(hook)

        def committed() -> None:
            connection.__dict__.pop("_readcache_dirty", None)
            connection.__dict__.pop("_readcache_hooks", None)
            bump(app_label)

        connection.on_commit(committed)


def _execute_wrapper(connection: Any) -> Callable[..., Any]:
    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        match = _WRITE.match(sql) if isinstance(sql, str) else None
        if match:
            app_label = app_of_table(match.group(1))
            if app_label and app_label not in UNWATCHED:
                _written(connection, app_label)
        return result

    return wrapper


def _install(sender: Any, connection: Any, **kwargs: Any) -> None:
    if not any(getattr(w, "_readcache", False) for w in connection.execute_wrappers):
        wrapper = _execute_wrapper(connection)
        wrapper._readcache = True  # type: ignore[attr-defined]
        connection.execute_wrappers.append(wrapper)


connection_created.connect(_install, dispatch_uid="readcache-install")
