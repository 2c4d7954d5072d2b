"""Helpers for the smsvoice tests: a boto3 client on the test's simulator and a complete registration."""

from __future__ import annotations

import http.client
from typing import Any
from urllib.parse import urlparse

import pytest
from botocore.exceptions import ClientError

from smsvoice.simulator import definitions

# Values that pass every text rule of the simulator's forms (anything not listed uses its example).
VALID_TEXT = {
    "companyInfo.companyName": "Example Corp",
    "companyInfo.companyId": "201912345K",
    "companyInfo.website": "https://www.example.com",
    "companyAddress.address1": "1 Main Street",
    "companyAddress.city": "Springfield",
    "companyAddress.isoCountryCode": "GB",
    "contactInfo.emailAddress": "ops@example.com",
    "contactInfo.phoneNumber": "+447700900123",
    "messagingUseCase.useCaseDescription": "One-time passcodes for logging in.",
    "messagingUseCase.optInDescription": "Customers enter their number at sign-up.",
    "messageSamples.messageSample1": "Your Example Corp code is 123456.",
    "inSidSpecificInfo.principalEntityId": "1201159143548210000",
    "inSidSpecificInfo.chainId1": "1001",
}


@pytest.fixture
def sms(sms_simulator):
    """A plain boto3 pinpoint-sms-voice-v2 client talking to this test's simulator (us-east-1)."""
    return sms_simulator.client("us-east-1")


def fill_registration(
    client: Any, registration_id: str, registration_type: str, sender_id: str, **overrides: Any
) -> None:
    """Put a value in every REQUIRED field (``overrides`` maps field paths to TextValue / choices list)."""
    for field in definitions.form(registration_type)[1]:
        path = field["FieldPath"]
        if field["FieldRequirement"] != "REQUIRED" and path not in overrides:
            continue
        value = overrides.get(path)
        if field["FieldType"] == "SELECT":
            choices = value or [field["SelectValidation"]["Options"][0]]
            client.put_registration_field_value(
                RegistrationId=registration_id, FieldPath=path, SelectChoices=choices
            )
        elif field["FieldType"] == "TEXT":
            if path == definitions.SENDER_ID_FIELD:
                value = value or sender_id
            text = value or VALID_TEXT.get(path) or field["DisplayHints"].get("ExampleTextValue") or "x"
            client.put_registration_field_value(
                RegistrationId=registration_id, FieldPath=path, TextValue=text
            )
        elif value:
            client.put_registration_field_value(
                RegistrationId=registration_id, FieldPath=path, RegistrationAttachmentId=value
            )


def new_registration(client: Any, sender_id: str, country: str = "GB", submit: bool = True) -> str:
    """Create, fill (and by default submit) a sender-ID registration; returns its id."""
    registration_type = definitions.registration_type_name(country)
    registration_id = client.create_registration(RegistrationType=registration_type)["RegistrationId"]
    fill_registration(client, registration_id, registration_type, sender_id)
    if submit:
        client.submit_registration_version(RegistrationId=registration_id)
    return registration_id


def registration_status(client: Any, registration_id: str) -> str:
    return client.describe_registrations(RegistrationIds=[registration_id])["Registrations"][0][
        "RegistrationStatus"
    ]


def aws_error(exc_info: pytest.ExceptionInfo[ClientError]) -> tuple[str, str | None]:
    """(code, Reason) of a ClientError."""
    response = exc_info.value.response
    return response["Error"]["Code"], response.get("Reason")


def raw_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """POST bytes as they are (no SDK in between): (status, headers, body)."""
    parsed = urlparse(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    try:
        conn.request("POST", "/", body=body, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()
