"""The Amazon SQS half of the gateway: a mixin of SmsVoiceGateway.

AWS publishes `Registration Status Change` events to EventBridge; a rule delivers them to an SQS queue
(deploy/eventbridge-sqs.yaml) that the portal reads: ReceiveMessage (long polling), DeleteMessageBatch /
DeleteMessage once a message's change is committed, GetQueueAttributes (how many are waiting). Same call
path as every other call (rate budget, error mapping, call log) through the gateway's `_call`; botocore
reads `AWS_ENDPOINT_URL_SQS` itself (moto's server in tests and the demo).

Two things are particular to SQS:
- A queue lives in one Region and is reached through that Region's endpoint only: the caller takes the
  gateway of the queue's Region (`queue_region(url)`, the Region its URL names); a URL that names another
  Region than the gateway's is refused before any call (SQS would answer NonExistentQueue, which reads
  like a deleted queue).
- A long poll waits up to 20 s for messages. `_call` takes one token of the rate budget and then calls:
  the budget is a reservation of one slot, not a lock, so a 20-second wait holds no one else up.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from smsvoice.errors import PermanentAwsError

SQS_SERVICE = "sqs"
# ReceiveMessage returns at most 10 messages; DeleteMessageBatch takes at most 10 entries.
MAX_MESSAGES = 10
# The longest long poll SQS allows (ReceiveMessage WaitTimeSeconds, 0–20).
MAX_WAIT_SECONDS = 20
# SQS's limit on a message's visibility timeout: 12 hours.
MAX_VISIBILITY_SECONDS = 12 * 3600

# https://sqs.eu-west-1.amazonaws.com/123456789012/name, and the legacy eu-west-1.queue.amazonaws.com.
_QUEUE_URL_REGION = re.compile(
    r"^https://(?:sqs\.(?P<a>[a-z]{2}(?:-gov)?-[a-z]+-\d)|(?P<b>[a-z]{2}(?:-gov)?-[a-z]+-\d)\.queue)"
    r"\.amazonaws\.com(?:\.cn)?/"
)


def queue_region(queue_url: str) -> str | None:
    """The Region a queue URL names, or None for one that names none (moto's http://host:port/acct/name)."""
    match = _QUEUE_URL_REGION.match(queue_url or "")
    return (match.group("a") or match.group("b")) if match else None


def queue_name(queue_url: str) -> str:
    """The queue's name: the last part of its URL (what the call log shows)."""
    return (queue_url or "").rstrip("/").rpartition("/")[2]


@dataclass(frozen=True)
class QueueMessage:
    """One received message. `receive_count` is SQS's ApproximateReceiveCount (1 on first delivery)."""

    message_id: str
    receipt_handle: str
    body: str
    receive_count: int = 1

    @classmethod
    def from_aws(cls, data: dict[str, Any]) -> QueueMessage:
        attributes = data.get("Attributes") or {}
        try:
            count = int(attributes.get("ApproximateReceiveCount", 1))
        except (TypeError, ValueError):
            count = 1
        return cls(
            message_id=data.get("MessageId", ""),
            receipt_handle=data.get("ReceiptHandle", ""),
            body=data.get("Body", ""),
            receive_count=count,
        )


class SqsOperations:
    """Requires `self._call(service, operation, params, resource_id)` and `self.region` (SmsVoiceGateway)."""

    _call: Any
    region: str

    def receive_messages(
        self,
        *,
        queue_url: str,
        wait_seconds: int = MAX_WAIT_SECONDS,
        visibility_timeout: int | None = None,
        max_messages: int = MAX_MESSAGES,
    ) -> list[QueueMessage]:
        """ReceiveMessage: up to `max_messages` (≤10), waiting up to `wait_seconds` (≤20) for the first.
        The messages stay invisible to other readers for `visibility_timeout` seconds (None: the
        queue's own), then reappear unless deleted."""
        self._check_region(queue_url, "ReceiveMessage")
        params: dict[str, Any] = {
            "QueueUrl": queue_url,
            "MaxNumberOfMessages": max(1, min(MAX_MESSAGES, max_messages)),
            "WaitTimeSeconds": max(0, min(MAX_WAIT_SECONDS, int(wait_seconds))),
            "MessageSystemAttributeNames": ["ApproximateReceiveCount", "SentTimestamp"],
        }
        if visibility_timeout is not None:
            params["VisibilityTimeout"] = max(0, min(MAX_VISIBILITY_SECONDS, int(visibility_timeout)))
        answer = self._call(SQS_SERVICE, "ReceiveMessage", params, queue_name(queue_url))
        return [QueueMessage.from_aws(m) for m in answer.get("Messages") or []]

    def delete_messages(self, *, queue_url: str, receipt_handles: list[str]) -> list[str]:
        """DeleteMessageBatch, ≤10 per call. Returns the receipt handles SQS did not delete (e.g. one whose
        visibility timeout expired meanwhile: the message comes back and is handled again)."""
        self._check_region(queue_url, "DeleteMessageBatch")
        failed: list[str] = []
        for chunk in _chunks(list(receipt_handles), MAX_MESSAGES):
            entries = [{"Id": str(i), "ReceiptHandle": handle} for i, handle in enumerate(chunk)]
            answer = self._call(
                SQS_SERVICE,
                "DeleteMessageBatch",
                {"QueueUrl": queue_url, "Entries": entries},
                queue_name(queue_url),
            )
            failed += [chunk[int(f["Id"])] for f in answer.get("Failed") or [] if f.get("Id", "").isdigit()]
        return failed

    def delete_message(self, *, queue_url: str, receipt_handle: str) -> None:
        self._check_region(queue_url, "DeleteMessage")
        params = {"QueueUrl": queue_url, "ReceiptHandle": receipt_handle}
        self._call(SQS_SERVICE, "DeleteMessage", params, queue_name(queue_url))

    def queue_attributes(
        self,
        *,
        queue_url: str,
        names: tuple[str, ...] = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"),
    ) -> dict[str, str]:
        """GetQueueAttributes: e.g. how many messages wait and how many are being handled."""
        self._check_region(queue_url, "GetQueueAttributes")
        params = {"QueueUrl": queue_url, "AttributeNames": list(names)}
        answer = self._call(SQS_SERVICE, "GetQueueAttributes", params, queue_name(queue_url))
        return dict(answer.get("Attributes") or {})

    def _check_region(self, queue_url: str, operation: str) -> None:
        region = queue_region(queue_url)
        if region is not None and region != self.region:
            raise PermanentAwsError(
                operation=operation,
                code="QueueInAnotherRegion",
                message=f"{queue_url} is in {region}; this gateway talks to {self.region}.",
            )


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
