"""The shared AWS rate budget: every outbound AWS call takes one token from here first.

AWS's control-plane quota is about 1 request per second per operation and account, shared by every
process of the account. So the budget (``settings.AWS_SMS_TPS``) must hold across all worker processes:
with ``settings.REDIS_URL`` it is a GCRA token bucket kept in Redis and updated by one atomic Lua script
(Redis's own clock, so process clocks do not matter); without Redis (embedded mode, one worker) it is a
thread-safe process-local bucket with the same algorithm.

GCRA reserves a slot: ``acquire`` learns in one round trip how long to wait, then sleeps exactly that,
so waiting callers are served in arrival order and never poll Redis. ``AWS_SMS_TPS <= 0`` disables the
budget.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from typing import Any

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

DEFAULT_KEY = "sms-voice"
REDIS_KEY_PREFIX = "senderid:aws-rate:"
# A burst of one spaces calls evenly: AWS throttles per second, so any burst above the rate risks
# ThrottlingException at the second boundary.
DEFAULT_BURST = 1


class RateLimitTimeout(Exception):
    """The budget cannot grant a token within the caller's timeout (nothing was reserved)."""

    def __init__(self, timeout: float):
        super().__init__(f"AWS rate budget: no slot free within {timeout:.2f}s")
        self.timeout = timeout


# KEYS[1] bucket; ARGV: interval µs, burst, max wait µs (-1 = unbounded). Returns the µs to wait for
# the reserved slot, or -1 when the wait would exceed the maximum (then nothing is reserved).
_GCRA_LUA = """
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - now - (burst - 1) * interval
if wait < 0 then wait = 0 end
if max_wait >= 0 and wait > max_wait then return -1 end
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1000)
return wait
"""


def _interval_us(rate: float) -> int:
    return max(1, int(1_000_000 / rate))


class LocalBucket:
    """Process-local GCRA bucket (thread-safe); the embedded-mode budget and the Redis fallback."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tat: dict[str, float] = {}

    def reserve(self, key: str, rate: float, burst: int, max_wait: float | None) -> float | None:
        interval = 1.0 / rate
        with self._lock:
            now = time.monotonic()
            tat = max(self._tat.get(key, now), now)
            wait = max(0.0, tat - now - (burst - 1) * interval)
            if max_wait is not None and wait > max_wait:
                return None
            self._tat[key] = tat + interval
            return wait

    def reset(self) -> None:
        with self._lock:
            self._tat.clear()


class RedisBucket:
    """GCRA bucket shared by every process that talks to the same Redis."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self._script = self._client.register_script(_GCRA_LUA)

    def reserve(self, key: str, rate: float, burst: int, max_wait: float | None) -> float | None:
        max_wait_us = -1 if max_wait is None else int(max_wait * 1_000_000)
        result = int(
            self._script(keys=[REDIS_KEY_PREFIX + key], args=[_interval_us(rate), burst, max_wait_us])
        )
        return None if result < 0 else result / 1_000_000

    def reset(self) -> None:
        keys = list(self._client.scan_iter(match=REDIS_KEY_PREFIX + "*"))
        if keys:
            self._client.delete(*keys)


_local = LocalBucket()
_redis: dict[str, Any] = {}  # {"pid": int, "url": str, "bucket": RedisBucket}
_redis_lock = threading.Lock()
_last_fallback_warning = 0.0


def _redis_bucket(url: str) -> RedisBucket:
    # One client per process and URL: a forked worker must not share its parent's sockets.
    with _redis_lock:
        if _redis.get("pid") != os.getpid() or _redis.get("url") != url:
            _redis.update(pid=os.getpid(), url=url, bucket=RedisBucket(url))
        return _redis["bucket"]


def _reserve(key: str, rate: float, burst: int, max_wait: float | None) -> float | None:
    global _last_fallback_warning
    url = settings.REDIS_URL
    if url:
        try:
            return _redis_bucket(url).reserve(key, rate, burst, max_wait)
        except Exception:
            # Redis down must not stop the portal talking to AWS; the process-local bucket still
            # keeps this process within the budget. Warn at most once a minute.
            if time.monotonic() - _last_fallback_warning > 60:
                _last_fallback_warning = time.monotonic()
                logger.warning(
                    "AWS rate budget: Redis unavailable, using the process-local bucket", exc_info=True
                )
    return _local.reserve(key, rate, burst, max_wait)


def current_rate() -> float:
    return float(settings.AWS_SMS_TPS)


def acquire(timeout: float | None = None, *, key: str = DEFAULT_KEY, burst: int = DEFAULT_BURST) -> float:
    """Wait for one token of the shared budget and return the seconds waited.

    ``timeout=None`` waits as long as needed; otherwise raises ``RateLimitTimeout`` at once (without
    reserving anything) when the next free slot is further away than ``timeout`` seconds.
    """
    rate = current_rate()
    if rate <= 0 or math.isinf(rate):
        return 0.0
    wait = _reserve(key, rate, burst, timeout)
    if wait is None:
        raise RateLimitTimeout(timeout or 0.0)
    if wait > 0:
        time.sleep(wait)
    return wait


def reset() -> None:
    """Forget all reservations (tests and benchmarks start from a full bucket)."""
    _local.reset()
    url = settings.REDIS_URL
    if url:
        try:
            _redis_bucket(url).reset()
        except Exception:
            logger.warning("AWS rate budget: could not reset the Redis bucket", exc_info=True)
