"""Shared helpers for the release, "My sender IDs" and sync tests (test_release_*.py, test_my_sender_ids.py,
test_sync_sender_ids.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from senderids.choices import Status
from senderids.models import SenderIdRequest
from tests.factories import CountryFactory, SenderIdRequestFactory

RELEASE_WORD = "release"


def release_url(request: SenderIdRequest) -> str:
    return reverse("senderids:release", args=[request.pk])


def protection_url(request: SenderIdRequest) -> str:
    return reverse("senderids:release_protection", args=[request.pk])


def active_request(
    owner: Any, sender_id: str = "ACMEBANK", iso: str = "DE", **fields: Any
) -> SenderIdRequest:
    """An active request as the pipeline leaves it (ARN, price) — nothing at AWS unless the test leases it."""
    fields.setdefault(
        "aws_sender_id_arn", f"arn:aws:sms-voice:us-east-1:111122223333:sender-id/{sender_id}/{iso}"
    )
    fields.setdefault("monthly_leasing_price", "3.00")
    fields.setdefault("status", Status.ACTIVE)
    return SenderIdRequestFactory(
        owner=owner, sender_id=sender_id, country=CountryFactory(iso_code=iso), **fields
    )


def lease_in_simulator(simulator: Any, sender_id: str, iso: str = "DE", *, protected: bool = False) -> dict:
    """Make the sender ID exist at AWS (the simulator), as RequestSenderId would have."""
    return simulator.client().request_sender_id(
        SenderId=sender_id,
        IsoCountryCode=iso,
        MessageTypes=["TRANSACTIONAL"],
        DeletionProtectionEnabled=protected,
    )


def leased_request(simulator: Any, owner: Any, sender_id: str = "ACMEBANK", iso: str = "DE", **fields: Any):
    """An active request whose sender ID exists in the simulator (same ARN, price, protection)."""
    info = lease_in_simulator(simulator, sender_id, iso, protected=fields.get("deletion_protection", False))
    fields.setdefault("aws_sender_id_arn", info["SenderIdArn"])
    fields.setdefault("monthly_leasing_price", info.get("MonthlyLeasingPrice", ""))
    return active_request(owner, sender_id, iso, **fields)


def simulator_sender_ids(simulator: Any) -> set[tuple[str, str]]:
    response = simulator.client().describe_sender_ids()
    return {(s["SenderId"], s["IsoCountryCode"]) for s in response["SenderIds"]}


def calls(simulator: Any, operation: str, outcome: str | None = None) -> list[dict[str, Any]]:
    return [c for c in simulator.calls(operation) if outcome is None or c["outcome"] == outcome]


def status_of(request: SenderIdRequest) -> str:
    return SenderIdRequest.objects.get(pk=request.pk).status


def release_button_disabled(html: str) -> bool:
    """Whether the page's "Release sender ID" button carries the disabled attribute."""
    import re

    match = re.search(r"<button[^>]*id=\"release-button\"[^>]*>", html)
    assert match, "the page has no release button"
    return re.search(r"\sdisabled(\s|>|=)", match.group(0)) is not None


@pytest.fixture
def releases_enqueued(sent_tasks) -> list[int]:
    """The release messages enqueued (captured instead of published to the broker)."""
    return sent_tasks["senderids.tasks.release_sender_id"]
