"""Fixtures for the registrations suite: requests with their Registration row, a simulator in ap-south-1
(India's registration type exists only there), the form definitions cached, the form's answers.

`countries`, the personas and `owner_client` are tests/conftest.py's.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from countries.models import SenderIdProcess
from registrations import selectors
from registrations.definitions import get_definition, refresh_definition
from registrations.inputs import FieldInput
from registrations.models import Registration
from registrations.services import draft, poller
from senderids.models import SenderIdRequest
from smsvoice.gateway import reset_gateway
from tests.catalogue import ensure_country
from tests.factories import SenderIdRequestFactory
from tests.process_factories import RegistrationFactory

REGION = "ap-south-1"
SYNC_TASK = "registrations.tasks.sync_registration"
REFRESH_TASK = "registrations.tasks.refresh_registration_definition"
REGISTRATION_TYPES = ("IN_SENDER_ID_REGISTRATION", "SG_SENDER_ID_REGISTRATION")
INDONESIA_TYPE = "ID_SENDER_ID_REGISTRATION"

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
    # AWS's own script: chain IDs 1, 2, 3 and 5 are all required (there is no chain ID 4).
    "inSidSpecificInfo.chainId1": "CHAIN001",
    "inSidSpecificInfo.chainId2": "CHAIN002",
    "inSidSpecificInfo.chainId3": "CHAIN003",
    "inSidSpecificInfo.chainId5": "CHAIN005",
    "inSidSpecificInfo.sendingParametersAcknowledgement": "Yes",
}
SINGAPORE_VALUES: dict[str, Any] = {
    **{k: v for k, v in INDIA_VALUES.items() if not k.startswith("inSidSpecificInfo")},
    "companyInfo.companyName": "Example Pte Ltd",
    "companyInfo.companyId": "201912345K",
    "companyAddress.isoCountryCode": "SG",
    "messagingUseCase.useCaseCategory": "Account or security alerts",
}
# Indonesia (tests that use it take the `indonesia` fixture): a company local to Indonesia, so the modelled
# rules make its carrier letters and NPWP/NIB documents REQUIRED; the files go in separately.
INDONESIA_VALUES: dict[str, Any] = {
    **SINGAPORE_VALUES,
    "companyInfo.companyName": "PT Example Indonesia",
    "companyInfo.companyId": "01.234.567.8-901.000",
    "companyInfo.website": "https://example.co.id",
    "companyAddress.address1": "Jl. Sudirman 1",
    "companyAddress.city": "Jakarta",
    "companyAddress.isoCountryCode": "ID",
    "contactInfo.emailAddress": "sms@example.co.id",
    "contactInfo.phoneNumber": "+6281234567890",
}

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


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
def definitions(sim, countries) -> None:
    """India's and Singapore's form definitions in the cache, fetched from the simulator by the real
    refresh (what the `refresh_registration_definition` task does): the form page reads only the cache."""
    for registration_type in REGISTRATION_TYPES:
        refresh_definition(registration_type)


@pytest.fixture
def indonesia(sim, countries):
    """Indonesia as a registration country, its form served with the simulator's modelled
    ConditionalBehavior (`conditional_rules`: the conditional documents are REQUIRED when
    companyAddress.isoCountryCode is ID, else DISALLOWED) and cached; `make_request("ID")` works."""
    sim.configure(conditional_rules=True)
    countries["ID"] = ensure_country(
        "ID",
        name="Indonesia",
        sender_id_process=SenderIdProcess.REGISTRATION,
        registration_type=INDONESIA_TYPE,
        sender_id_rules={},
    )
    refresh_definition(INDONESIA_TYPE)
    return countries["ID"]


@pytest.fixture
def make_request(countries, owner):
    """A SenderIdRequest of the owner for a country, in pending_review, with what its creation makes
    (a registration request has its Registration row)."""

    def make(iso: str = "IN", sender_id: str = "EXMPLE", **fields: Any) -> SenderIdRequest:
        fields.setdefault("registration_form_name", f"{sender_id} registration")
        request = SenderIdRequestFactory(owner=owner, country=countries[iso], sender_id=sender_id, **fields)
        if request.process == SenderIdProcess.REGISTRATION:
            RegistrationFactory(request=request)
        return request

    return make


@pytest.fixture
def sync_enqueued(sent_tasks) -> list[int]:
    """The registrations a save asked a worker to sync (captured: the tests run the service themselves)."""
    return sent_tasks[SYNC_TASK]


@pytest.fixture(autouse=True)
def _fast_polls():
    with override_settings(REGISTRATION_POLL_SECONDS=300):
        yield


SELECTS = {
    "companyInfo.areaOfBusiness",
    "messagingUseCase.useCaseCategory",
    "messagingUseCase.monthlyMessageVolume",
    "inSidSpecificInfo.sendingParametersAcknowledgement",
}


_ticks = itertools.count(1)


def poll():
    """One beat cycle; each a poll interval after the previous one, so every row is due again."""
    return poller.registrations_poll(now=timezone.now() + timedelta(seconds=300 * next(_ticks)))


def inputs(values: dict) -> dict[str, FieldInput]:
    return {
        path: FieldInput(choices=(value,)) if path in SELECTS else FieldInput(text=value)
        for path, value in values.items()
    }


def save(request, values: dict, *, submit: bool, files: dict | None = None) -> Registration:
    registration = selectors.registration_for_request(request=request)
    definition = get_definition(registration.registration_type)
    data = inputs(values)
    for path, upload in (files or {}).items():
        data[path] = FieldInput(upload=upload)
    draft.registration_save(
        registration=registration, definition=definition, inputs=data, submit=submit, actor=request.owner
    )
    registration.refresh_from_db()
    return registration
