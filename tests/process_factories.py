"""factory-boy factories for the processes' own rows (registrations, support cases), and the one way
tests bring a request to where a process starts (approved, then claimed by the worker).

The shared request/user/country factories are tests/factories.py's; this file builds on them.
"""

from __future__ import annotations

import factory

from countries.models import SenderIdProcess
from registrations.models import Registration
from senderids import events, lifecycle
from senderids.choices import Status
from senderids.events import Event
from senderids.models import SenderIdRequest
from supportcases.models import SupportCase
from tests.catalogue import ensure_country
from tests.factories import SenderIdRequestFactory


class RegistrationRequestFactory(SenderIdRequestFactory):
    """A request in India (API registration), as the wizard saves it."""

    country = factory.LazyFunction(lambda: ensure_country("IN"))
    sender_id = factory.Sequence(lambda n: "EX" + "".join(chr(65 + int(d)) for d in f"{n:04d}"))
    process = SenderIdProcess.REGISTRATION
    registration_form_name = factory.LazyAttribute(lambda r: f"{r.sender_id} registration")


class SupportCaseRequestFactory(SenderIdRequestFactory):
    """A request in Vietnam (AWS Support case)."""

    country = factory.LazyFunction(lambda: ensure_country("VN"))
    process = SenderIdProcess.SUPPORT_CASE


class RegistrationFactory(factory.django.DjangoModelFactory):
    """The Registration row a registration request gets when it is created (its process's on_create)."""

    class Meta:
        model = Registration
        django_get_or_create = ("request",)

    request = factory.SubFactory(RegistrationRequestFactory)
    registration_type = factory.LazyAttribute(lambda r: r.request.country.registration_type)
    form_name = factory.LazyAttribute(lambda r: r.request.registration_form_name)


class SupportCaseFactory(factory.django.DjangoModelFactory):
    """A support case as `support_case_open` leaves it: opened at AWS, waiting for AWS Support."""

    class Meta:
        model = SupportCase
        django_get_or_create = ("request",)

    request = factory.SubFactory(SupportCaseRequestFactory, status=Status.SUPPORT_CASE_OPEN)
    case_id = factory.Sequence(lambda n: f"case-12345678910-2026-{n:08d}")
    status = "opened"
    subject = factory.LazyAttribute(lambda c: f"Sender ID Registration: {c.request.sender_id}")


def approve_and_claim(request: SenderIdRequest) -> SenderIdRequest:
    """pending_review → approved → submitting, as an approver and the pipeline's claim do."""
    lifecycle.transition(request, Status.APPROVED, event=Event("approved", "test-approver"))
    lifecycle.transition(request, Status.SUBMITTING, event=events.submission_claimed())
    return request
