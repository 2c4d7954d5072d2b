"""Fixtures for the registrations suite: countries, requests in each status, a simulator in ap-south-1
(India's registration type exists only there), clients per persona."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from countries.models import Country, SenderIdProcess
from registrations import services
from registrations.definitions import get_definition
from registrations.forms import FieldInput
from registrations.models import Registration
from senderids.models import SenderIdRequest, Status
from senderids.services import sender_id_request_set_status
from smsvoice.gateway import reset_gateway
from tests.factories import SenderIdRequestFactory

REGION = "ap-south-1"

COUNTRIES = {
    "IN": ("India", SenderIdProcess.REGISTRATION, "IN_SENDER_ID_REGISTRATION"),
    "SG": ("Singapore", SenderIdProcess.REGISTRATION, "SG_SENDER_ID_REGISTRATION"),
    "VN": ("Vietnam", SenderIdProcess.SUPPORT_CASE, ""),
}

# Complete, valid answers for each form (the sender ID field is filled from the request).
INDIA_VALUES: dict[str, Any] = {
    "companyInfo.companyName": "Example Corp India",
    "companyInfo.companyId": "AAACE1234F",
    "companyInfo.website": "https://example.in",
    "companyInfo.areaOfBusiness": "Technology",
    "companyAddress.address1": "1 MG Road",
    "companyAddress.city": "Bengaluru",
    "companyAddress.isoCountryCode": "IN",
    "contactInfo.emailAddress": "sms@example.in",
    "contactInfo.phoneNumber": "+919876543210",
    "messagingUseCase.useCaseCategory": "One-time passcodes",
    "messagingUseCase.useCaseDescription": "Login codes for our app.",
    "messagingUseCase.optInDescription": "Users give their number at sign-up.",
    "messagingUseCase.monthlyMessageVolume": "10,000",
    "messageSamples.messageSample1": "Your Example code is 123456.",
    "inSidSpecificInfo.principalEntityId": "1201159143548210000",
    "inSidSpecificInfo.chainId1": "CHAIN001",
    "inSidSpecificInfo.sendingParametersAcknowledgement": "Yes",
}
SINGAPORE_VALUES: dict[str, Any] = {
    **{k: v for k, v in INDIA_VALUES.items() if not k.startswith("inSidSpecificInfo")},
    "companyInfo.companyName": "Example Pte Ltd",
    "companyInfo.companyId": "201912345K",
    "companyAddress.isoCountryCode": "SG",
    "messagingUseCase.useCaseCategory": "Account or security alerts",
    "sgSidSpecificInfo.onBehalfOfAnotherEntity": "No",
    "sgSidSpecificInfo.ssirAcknowledgement": "Yes",
}

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def countries(db) -> dict[str, Country]:
    out = {}
    for iso, (name, process, registration_type) in COUNTRIES.items():
        out[iso], _ = Country.objects.update_or_create(
            iso_code=iso,
            defaults={"name": name, "sender_id_process": process, "registration_type": registration_type},
        )
    return out


class Sim:
    """The test's simulator (tests/aws_fixtures.SimulatorHandle) with the reads these tests need."""

    def __init__(self, handle: Any):
        self.handle = handle
        self.url = handle.url

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)

    def operations(self) -> list[str]:
        return [c["operation"] for c in self.handle.calls()]

    def mutations(self) -> list[str]:
        """Operations that change something at AWS (everything but Describe*)."""
        return [op for op in self.operations() if not op.startswith("Describe")]

    def count(self, operation: str) -> int:
        return len(self.handle.calls(operation))

    def registrations(self) -> dict[str, Any]:
        return self.handle.state()["regions"].get(REGION, {}).get("registrations", {})


@pytest.fixture
def sim(sms_simulator, settings) -> Iterator[Sim]:
    """The simulator in ap-south-1 (India's registration type exists only there): instant reviews."""
    settings.AWS_REGION = REGION
    reset_gateway()
    yield Sim(sms_simulator)
    reset_gateway()


@pytest.fixture
def make_request(countries, owner):
    """A SenderIdRequest of the owner for a country, in pending_review."""

    def make(iso: str = "IN", sender_id: str = "EXMPLE", **fields: Any) -> SenderIdRequest:
        fields.setdefault("registration_form_name", f"{sender_id} registration")
        return SenderIdRequestFactory(owner=owner, country=countries[iso], sender_id=sender_id, **fields)

    return make


def approve_and_claim(request: SenderIdRequest) -> SenderIdRequest:
    """pending_review → approved → submitting, as the admin and the pipeline's claim do."""
    sender_id_request_set_status(request=request, to=Status.APPROVED, actor="test-approver")
    sender_id_request_set_status(request=request, to=Status.SUBMITTING, actor="worker")
    return request


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def no_sync_enqueue(monkeypatch) -> list[int]:
    """Capture sync_registration enqueues (the tests run the service themselves)."""
    from registrations import tasks

    sent: list[int] = []
    monkeypatch.setattr(tasks.sync_registration, "delay", lambda pk: sent.append(pk))
    return sent


@pytest.fixture(autouse=True)
def _fast_polls():
    with override_settings(REGISTRATION_POLL_SECONDS=300):
        yield


SELECTS = {
    "companyInfo.areaOfBusiness",
    "messagingUseCase.useCaseCategory",
    "messagingUseCase.monthlyMessageVolume",
    "inSidSpecificInfo.sendingParametersAcknowledgement",
    "sgSidSpecificInfo.onBehalfOfAnotherEntity",
    "sgSidSpecificInfo.ssirAcknowledgement",
}


_ticks = itertools.count(1)


def poll():
    """One beat cycle; each a poll interval after the previous one, so every row is due again."""
    return services.registrations_poll(now=timezone.now() + timedelta(seconds=300 * next(_ticks)))


def inputs(values: dict) -> dict[str, FieldInput]:
    return {
        path: FieldInput(choices=(value,)) if path in SELECTS else FieldInput(text=value)
        for path, value in values.items()
    }


def save(request, values: dict, *, submit: bool, files: dict | None = None) -> Registration:
    registration = services.registration_for_request(request=request)
    definition = get_definition(registration.registration_type)
    data = inputs(values)
    for path, upload in (files or {}).items():
        data[path] = FieldInput(upload=upload)
    services.registration_save(
        registration=registration, definition=definition, inputs=data, submit=submit, actor=request.owner
    )
    registration.refresh_from_db()
    return registration
