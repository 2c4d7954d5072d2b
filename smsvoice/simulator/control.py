"""A client for the simulator's control API (``/_calls``, ``/_reset``, ``/_config``, ``/_advance``,
``/_faults``, ``/_authenticate``, ``/_events``), used by the test fixture, benchmarks and anyone scripting a
demo against a running simulator."""

from __future__ import annotations

import json
import urllib.request
from typing import Any
from urllib.parse import urlencode


class SimulatorControl:
    def __init__(self, url: str, timeout: float = 10.0):
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 (an http:// URL we were given, never user input)
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            return json.loads(response.read())

    def calls(self, operation: str | None = None, account: str | None = None) -> list[dict[str, Any]]:
        """The call log, oldest first (only ``operation``'s / ``account``'s calls when given): dicts with
        time, operation, account, region, params, status, outcome ("ok" or the error code, e.g.
        "ThrottlingException"), reason, request_id."""
        wanted = {name: value for name, value in (("operation", operation), ("account", account)) if value}
        query = "?" + urlencode(wanted) if wanted else ""
        return self._request("GET", "/_calls" + query)["calls"]

    def reset(self) -> None:
        """Forget every account's sender IDs, registrations and attachments, the calls, clock advances
        and cached STS answers (config stays)."""
        self._request("POST", "/_reset", {})

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Change settings at runtime (any field of ``SimConfig``: tps, review_delay, attachment_delay,
        max_registrations, max_sender_ids, max_attachment_bytes, copy_values_on_new_version,
        created_after_submit, discard_creates_draft, aws_review_returns_draft, conditional_rules, …).
        Returns the whole config."""
        return self._request("POST", "/_config", settings)

    def authenticate(self, registration_id: str) -> dict[str, Any]:
        """Complete the email authentication an ``AUTH…`` registration waits for; returns
        ``{"registration_id", "account", "region", "status"}`` (HTTPError 404 unknown, 409 not waiting)."""
        return self._request("POST", "/_authenticate", {"registration_id": registration_id})

    def config(self) -> dict[str, Any]:
        return self._request("GET", "/_config")

    def advance(self, seconds: float) -> None:
        """Move the simulator's clock forward (pending reviews progress as if that time had passed)."""
        self._request("POST", "/_advance", {"seconds": seconds})

    def fail_next(
        self,
        operation: str,
        code: str,
        *,
        count: int = 1,
        after: bool = False,
        reason: str | None = None,
        message: str = "Injected by the simulator",
        status: int | None = None,
        account: str | None = None,
    ) -> list[dict[str, Any]]:
        """Make the next ``count`` calls of ``operation`` ("*": any) answer ``code`` (e.g.
        InternalServerException → HTTP 500, AccessDeniedException → 400). ``after=True`` performs the
        call first, then answers the error; ``account`` limits it to that account's calls. Returns the
        pending faults."""
        body = {"operation": operation, "code": code, "count": count, "after": after, "message": message}
        if reason is not None:
            body["reason"] = reason
        if status is not None:
            body["status"] = status
        if account is not None:
            body["account"] = account
        return self._request("POST", "/_faults", body)["faults"]

    def state(self) -> dict[str, Any]:
        return self._request("GET", "/_state")

    def events(self) -> dict[str, Any]:
        """The Registration Status Change events: ``sent`` (the bodies published, oldest first),
        ``dropped`` (lost on purpose: events_drop_rate), ``pending``, ``failed``, ``queue_url``."""
        return self._request("GET", "/_events")

    def flush_events(self) -> int:
        """Publish the events due now instead of at the emitter's next tick; returns how many."""
        return self._request("POST", "/_events/flush", {})["published"]
