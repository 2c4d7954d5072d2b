"""Which AWS account a simulator request comes from.

AWS keys everything (sender IDs, registrations, quotas, TPS) by the calling account, and the account is
the one that owns the request's credentials. The simulator reads the access key ID from the SigV4
``Authorization`` header (``Credential=AKID/date/region/service/aws4_request``) and resolves it, in order:

1. ``SimConfig.account_for_access_key`` (``run_sms_simulator --account KEY=ACCOUNTID``);
2. when ``SimConfig.sts_endpoint_url`` is set: STS ``GetCallerIdentity`` there, signed with that access
   key ID and a made-up secret. Only a server that does not check signatures answers that (moto's does,
   and it answers an AssumeRole credential with the assumed role's account); the answer is cached per
   access key (LRU, bounded), a failure only for ``FAILURE_RETRY_SECONDS`` and it is logged;
3. otherwise ``DEFAULT_ACCOUNT_ID``.

Unsigned requests are the default account's. The STS call happens outside the simulator's lock, so a
slow STS endpoint holds up only the request that needs it.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from smsvoice.simulator.records import DEFAULT_ACCOUNT_ID, SimConfig, is_account_id

logger = logging.getLogger(__name__)

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([a-z0-9-]+)/")
CACHE_SIZE = 1024
# A failed STS lookup answers the default account for this long, then is tried again: STS may only
# have been starting, and a retry per request would flood the log and slow every call.
FAILURE_RETRY_SECONDS = 30.0
STS_TIMEOUT_SECONDS = 3.0
# Any secret signs a request a non-checking STS (moto) accepts; real STS would refuse it.
_UNCHECKED_SECRET = "sms-simulator-does-not-know-the-secret"


def credential_from_authorization(header: str | None) -> tuple[str | None, str | None]:
    """``AWS4-HMAC-SHA256 Credential=AKID/20250101/ap-south-1/sms-voice/aws4_request, ...`` →
    ``("AKID", "ap-south-1")``; ``(None, None)`` for an unsigned request."""
    match = _CREDENTIAL.search(header or "")
    return (match.group(1), match.group(2)) if match else (None, None)


class AccountResolver:
    """Access key ID → account ID, by the rules in the module docstring. Thread-safe."""

    def __init__(
        self,
        config: SimConfig,
        *,
        cache_size: int = CACHE_SIZE,
        retry_after: float = FAILURE_RETRY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.config = config
        self.cache_size = cache_size
        self.retry_after = retry_after
        self._clock = clock
        self._lock = threading.Lock()  # the cache
        self._session_lock = threading.Lock()  # botocore sessions are not thread-safe; their clients are
        # (endpoint, access key) → (account, or None after a failure; retry-at for a failure)
        self._cache: OrderedDict[tuple[str, str], tuple[str | None, float | None]] = OrderedDict()
        # Made on the first lookup: most runs have no STS endpoint and never pay for it.
        self._session: botocore.session.Session | None = None

    def resolve(
        self, access_key_id: str | None, *, region: str | None = None, session_token: str | None = None
    ) -> str:
        if not access_key_id:
            return DEFAULT_ACCOUNT_ID
        mapped = self.config.account_for_access_key.get(access_key_id)
        if mapped:
            return mapped
        endpoint = self.config.sts_endpoint_url
        if not endpoint:
            return DEFAULT_ACCOUNT_ID
        key = (endpoint, access_key_id)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                account, retry_at = cached
                if account is not None:
                    self._cache.move_to_end(key)
                    return account
                if retry_at is not None and self._clock() < retry_at:
                    return DEFAULT_ACCOUNT_ID
        # Two first requests with one key may both ask STS: harmless, and no lock is held meanwhile.
        account = self._ask_sts(endpoint, access_key_id, region, session_token)
        with self._lock:
            retry_at = None if account is not None else self._clock() + self.retry_after
            self._cache[key] = (account, retry_at)
            self._cache.move_to_end(key)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return account or DEFAULT_ACCOUNT_ID

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def _ask_sts(
        self, endpoint: str, access_key_id: str, region: str | None, session_token: str | None
    ) -> str | None:
        """The account STS names for this access key, or None (logged) when it cannot say."""
        try:
            with self._session_lock:
                if self._session is None:
                    self._session = botocore.session.get_session()
                client = self._session.create_client(
                    "sts",
                    region_name=region or self.config.default_region,
                    endpoint_url=endpoint,
                    aws_access_key_id=access_key_id,
                    aws_secret_access_key=_UNCHECKED_SECRET,
                    aws_session_token=session_token,
                    config=Config(
                        retries={"total_max_attempts": 1},
                        connect_timeout=STS_TIMEOUT_SECONDS,
                        read_timeout=STS_TIMEOUT_SECONDS,
                    ),
                )
            account = client.get_caller_identity().get("Account")
        except (BotoCoreError, ClientError, ValueError) as exc:
            logger.warning(
                "simulator: STS GetCallerIdentity at %s failed for access key %s (%s); using account %s "
                "for %gs",
                endpoint,
                access_key_id,
                exc,
                DEFAULT_ACCOUNT_ID,
                self.retry_after,
            )
            return None
        if not is_account_id(account):
            logger.warning(
                "simulator: STS at %s answered account %r for access key %s; using account %s",
                endpoint,
                account,
                access_key_id,
                DEFAULT_ACCOUNT_ID,
            )
            return None
        return account
