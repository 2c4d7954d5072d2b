"""What the recovery tests (test_recovery.py, and the worker-kill test of
tests/senderids/test_pipeline_faults.py) share: a burst of work in flight, waiting for all of it to
finish while measuring how long that took, and counting duplicate AWS writes in the simulator's log.

"Finished" means every request reached the status its work ends in (approved → `active`, releasing →
`released`); a request that is elsewhere when the wait gives up is *lost* (stuck, or failed by a fault
it should have survived). The wait gives up early once every request is in a status nothing leaves by
itself (`failed` included): waiting longer would change nothing.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from senderids.choices import Status
from senderids.models import SenderIdRequest

# Statuses a request stays in until someone acts: once every unfinished request is in one, it is lost.
SETTLED = frozenset({Status.ACTIVE, Status.RELEASED, Status.FAILED, Status.REJECTED, "missing"})

# The AWS writes that must reach AWS once per request, and what makes two calls "the same": asking for
# the same sender ID in the same country (account, Region) twice is a duplicate even with one
# ClientToken — the lease, the limit and the audit trail all see two requests.
_WRITE_KEYS = {
    "RequestSenderId": lambda p: (p.get("SenderId"), p.get("IsoCountryCode")),
    "ReleaseSenderId": lambda p: (p.get("SenderId"), p.get("IsoCountryCode")),
    # One registration per request: its tag names the request (the ClientToken where a call has none).
    "CreateRegistration": lambda p: (
        next((t["Value"] for t in p.get("Tags", []) if t.get("Key") == "senderid-portal:request"), None)
        or p.get("ClientToken"),
    ),
    "SubmitRegistrationVersion": lambda p: (p.get("RegistrationId"),),
}


def _reached_aws(call: dict[str, Any]) -> bool:
    """AWS did (or judged) it: anything but throttling and a server error, which AWS answers without
    doing the work and which the portal must retry."""
    return call.get("outcome") != "ThrottlingException" and int(call.get("status") or 200) < 500


def duplicate_aws_calls(calls: Iterable[dict[str, Any]]) -> dict[tuple, int]:
    """{(operation, account, Region, *what): extra calls} for every AWS write made more than once. Every
    call AWS did or judged counts, whatever it answered: a repeat that AWS refused (Conflict, not found)
    still asked it twice; a throttled call or a 5xx is a retry's business, not a duplicate."""
    seen: Counter[tuple] = Counter()
    for call in calls:
        key_of = _WRITE_KEYS.get(call["operation"])
        if key_of is not None and _reached_aws(call):
            seen[(call["operation"], call.get("account"), call.get("region"), *key_of(call["params"]))] += 1
    return {key: n - 1 for key, n in seen.items() if n > 1}


@dataclass
class Burst:
    """Requests put in flight together, each with the status its work must end in."""

    final: dict[int, str] = field(default_factory=dict)

    def expect(self, request: SenderIdRequest, status: str) -> SenderIdRequest:
        self.final[request.pk] = status
        return request

    def approved(self, request: SenderIdRequest) -> SenderIdRequest:
        return self.expect(request, Status.ACTIVE)

    def releasing(self, request: SenderIdRequest) -> SenderIdRequest:
        return self.expect(request, Status.RELEASED)

    def __len__(self) -> int:
        return len(self.final)

    def statuses(self) -> dict[int, str]:
        return dict(SenderIdRequest.objects.filter(pk__in=self.final).values_list("pk", "status"))

    def unfinished(self) -> dict[int, str]:
        """{pk: status now} of the requests not (yet) in their final status."""
        now = self.statuses()
        return {pk: now.get(pk, "missing") for pk, want in self.final.items() if now.get(pk) != want}

    def finished_count(self) -> int:
        return len(self.final) - len(self.unfinished())

    def settled(self, unfinished: dict[int, str]) -> bool:
        """Every request of `unfinished` is in a status no worker moves on from by itself."""
        return all(status in SETTLED for status in unfinished.values())

    def describe(self, unfinished: dict[int, str]) -> str:
        """The unfinished requests with what AWS last said about them, for a failure message."""
        rows = SenderIdRequest.objects.filter(pk__in=unfinished).order_by("pk")
        return "; ".join(
            f"#{r.pk} {r.sender_id}/{r.country_id} {r.status} {r.aws_error_code} {r.aws_error_message}"
            for r in rows
        )


@dataclass
class Recovery:
    seconds: float  # from `since` to the moment the last request was seen finished (or to the give-up)
    unfinished: dict[int, str]  # the lost: {pk: status} when the wait gave up

    @property
    def lost(self) -> int:
        return len(self.unfinished)


def wait_until_finished(burst: Burst, *, since: float, timeout: float, interval: float = 0.2) -> Recovery:
    """Poll until every request of `burst` is finished or `timeout` seconds after `since`
    (time.monotonic()) passed; never raises, so the figures are recorded before a test asserts."""
    while True:
        unfinished = burst.unfinished()
        now = time.monotonic()
        if not unfinished or burst.settled(unfinished) or now - since > timeout:
            return Recovery(seconds=now - since, unfinished=unfinished)
        time.sleep(interval)
