"""Shared helpers for the approval/submission pipeline tests (test_pipeline_*.py, test_admin_*.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission

from smsvoice.gateway import PermanentAwsError, RetryableAwsError
from smsvoice.types import SenderIdInfo


def grant(user: Any, *codenames: str) -> Any:
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="senderids", codename__in=codenames)
    )
    # Permissions are cached on the instance: return a fresh one.
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def approver(django_user_model):
    """Staff member who may see the queue and approve/reject."""
    user = django_user_model.objects.create_user(
        "april",
        "april@portal.example",
        "april-pass-1",
        first_name="April",
        last_name="Approver",
        is_staff=True,
    )
    return grant(user, "view_senderidrequest", "approve_senderidrequest")


@pytest.fixture
def viewer(django_user_model):
    """Staff member who may see the queue but not decide."""
    user = django_user_model.objects.create_user(
        "victor",
        "victor@portal.example",
        "victor-pass-1",
        first_name="Victor",
        last_name="Viewer",
        is_staff=True,
    )
    return grant(user, "view_senderidrequest")


@pytest.fixture
def enqueued(sent_tasks) -> list[int]:
    """The submissions enqueued (captured instead of published to the real broker)."""
    return sent_tasks[SUBMIT_TASK]


SUBMIT_TASK = "senderids.tasks.submit_sender_id_request"


def throttled(operation: str = "RequestSenderId") -> RetryableAwsError:
    return RetryableAwsError(operation=operation, code="ThrottlingException", message="Rate exceeded")


def conflict(operation: str = "RequestSenderId") -> PermanentAwsError:
    return PermanentAwsError(
        operation=operation, code="ConflictException", message="The sender ID is already in use."
    )


class FakeGateway:
    """Stands in for smsvoice.gateway's gateway: records calls, plays scripted failures, then succeeds.

    Like AWS, it answers a repeated ClientToken with the sender ID that token already created.
    """

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.failures: list[Exception] = []
        self.created: dict[str, SenderIdInfo] = {}
        self.describes: list[tuple[str, str]] = []

    def request_sender_id(self, **params: Any) -> SenderIdInfo:
        self.calls.append(params)
        if self.failures:
            raise self.failures.pop(0)
        token = params["client_token"]
        if token not in self.created:
            sender_id, country = params["sender_id"], params["iso_country_code"]
            self.created[token] = SenderIdInfo(
                sender_id=sender_id,
                iso_country_code=country,
                sender_id_arn=f"arn:aws:sms-voice:us-east-1:111122223333:sender-id/{sender_id}/{country}",
                message_types=list(params["message_types"]),
                monthly_leasing_price="0.00",
                deletion_protection_enabled=params.get("deletion_protection_enabled", False),
                registered=False,
            )
        return self.created[token]

    def get_sender_id(self, *, sender_id: str, iso_country_code: str) -> SenderIdInfo | None:
        """DescribeSenderIds for one sender ID, as AWS: what any earlier RequestSenderId leased."""
        self.describes.append((sender_id, iso_country_code))
        return next(
            (
                i
                for i in self.created.values()
                if (i.sender_id, i.iso_country_code) == (sender_id, iso_country_code)
            ),
            None,
        )


@pytest.fixture
def fake_gateway(monkeypatch) -> FakeGateway:
    from smsvoice import gateway

    fake = FakeGateway()
    monkeypatch.setattr(gateway, "get_gateway", lambda: fake)
    monkeypatch.setattr(gateway, "gateway_for", lambda *args, **kwargs: fake)
    return fake


# --- integration: real worker processes + the simulator -------------------------------------------
def needs_real_services():  # type: ignore[no-untyped-def]
    """Marks for tests that run real workers: PostgreSQL + Redis (as under `make test`)."""
    from django.conf import settings

    return [
        pytest.mark.integration,
        pytest.mark.django_db(transaction=True),
        pytest.mark.skipif(not settings.REDIS_URL, reason="needs PostgreSQL + the Redis broker (make test)"),
    ]


# A worker whose sends are never slowed by the budget here (throttling is the simulator's to decide),
# retrying quickly so fault tests finish in seconds, and sweeping at once when told to.
FAST_WORKER_ENV = {
    "AWS_SMS_TPS": "50",
    "SENDERIDS_SUBMIT_RETRY_BASE": "0.2",
    "SENDERIDS_SUBMIT_RETRY_MAX": "1",
    "SENDERIDS_SUBMIT_MAX_RETRIES": "30",
    "EMAIL_URL": "dummymail://",
}
SWEEPING_WORKER_ENV = {
    **FAST_WORKER_ENV,
    "SENDERIDS_SWEEP_INTERVAL": "0.5",
    "SENDERIDS_SWEEP_APPROVED_AFTER": "0",
    "SENDERIDS_SWEEP_SUBMITTING_AFTER": "0",
}


def request_sender_id_calls(simulator: Any, outcome: str | None = None) -> list[dict[str, Any]]:
    calls = simulator.calls("RequestSenderId")
    return [c for c in calls if outcome is None or c["outcome"] == outcome]
