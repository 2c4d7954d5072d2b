"""Registrations as AWS really runs them (issue 12): a registration CREATED again after submission, a
version discarded, REQUIRES_AUTHENTICATION, values cleared or no longer allowed, new versions that may
or may not carry the old values, the registrations quota, release of a registered sender ID."""

from __future__ import annotations

import dataclasses

import pytest

from registrations.models import Registration
from registrations.services import aws
from senderids.choices import Status
from smsvoice import gateway as gateway_module
from tests.process_factories import approve_and_claim

from .conftest import INDIA_VALUES, poll, save

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

REVIEW = 100.0


def reload(request):
    request.refresh_from_db()
    return request


def submitted_india_request(sim, make_request, sender_id: str = "EXMPLE"):
    sim.configure(review_delay=REVIEW)
    request = make_request("IN", sender_id)
    save(request, INDIA_VALUES, submit=True)
    aws.registration_start(request=approve_and_claim(request))
    assert reload(request).status == Status.REGISTRATION_SUBMITTED
    return request


def answer_created(monkeypatch, *, version_status: str) -> None:
    """AWS answers CREATED for every registration, and `version_status` for its versions."""
    real_describe = gateway_module.SmsVoiceGateway.describe_registrations
    real_versions = gateway_module.SmsVoiceGateway.describe_registration_versions

    def describe(self, **kwargs):
        for info in real_describe(self, **kwargs):
            yield dataclasses.replace(info, status="CREATED")

    def versions(self, **kwargs):
        return [dataclasses.replace(v, status=version_status) for v in real_versions(self, **kwargs)]

    monkeypatch.setattr(gateway_module.SmsVoiceGateway, "describe_registrations", describe)
    monkeypatch.setattr(gateway_module.SmsVoiceGateway, "describe_registration_versions", versions)


def test_a_submitted_registration_that_aws_reports_created_and_discarded_goes_back_to_draft(
    sim, make_request, monkeypatch
):
    request = submitted_india_request(sim, make_request)
    answer_created(monkeypatch, version_status="DISCARDED")

    report = poll()

    assert report.errors == []
    assert reload(request).status == Status.REGISTRATION_DRAFT
    event = request.events.last()
    assert (event.kind, event.from_status, event.to_status) == (
        "registration_back_to_draft",
        Status.REGISTRATION_SUBMITTED,
        Status.REGISTRATION_DRAFT,
    )
    assert "DISCARDED" in event.reason
    registration = Registration.objects.get(request=request)
    assert registration.submitted_version_number is None  # the owner can submit again
    # The next cycle has nothing left to complain about.
    assert poll().errors == []


def test_created_while_the_submitted_version_is_still_in_review_is_a_lag_not_a_draft(
    sim, make_request, monkeypatch
):
    request = submitted_india_request(sim, make_request)
    answer_created(monkeypatch, version_status="SUBMITTED")

    for _ in range(3):
        assert poll().errors == []
        assert reload(request).status == Status.REGISTRATION_SUBMITTED
    monkeypatch.undo()
    sim.advance(REVIEW * 2)
    poll()
    assert reload(request).status == Status.ACTIVE
