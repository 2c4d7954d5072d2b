"""Retries, the poll command, the admin's view of a registration, and the home-page reminder selector."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from registrations.admin import RegistrationInline, registration_content_html
from registrations.models import Registration
from registrations.services import aws
from senderids import selectors as senderid_selectors
from senderids.choices import Status
from smsvoice.gateway import RetryableAwsError, get_gateway
from tests.process_factories import approve_and_claim

from .conftest import INDIA_VALUES, save

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def test_a_retry_after_throttling_pushes_only_what_is_left(sim, make_request, monkeypatch):
    request = make_request("IN", "EXMPLE")
    save(request, INDIA_VALUES, submit=True)
    approve_and_claim(request)
    gateway = get_gateway()
    real_put = gateway.put_registration_field_value
    calls = {"n": 0}

    def flaky_put(**kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise RetryableAwsError(
                operation="PutRegistrationFieldValue", code="ThrottlingException", message="Rate exceeded"
            )
        return real_put(**kwargs)

    monkeypatch.setattr(gateway, "put_registration_field_value", flaky_put)
    with pytest.raises(RetryableAwsError):
        aws.registration_start(request=request)
    request.refresh_from_db()
    assert request.status == Status.SUBMITTING  # the task retries the whole, idempotent step

    aws.registration_start(request=request)

    request.refresh_from_db()
    assert request.status == Status.REGISTRATION_SUBMITTED
    assert sim.count("CreateRegistration") == 1
    puts = [c["params"]["FieldPath"] for c in sim.calls("PutRegistrationFieldValue") if c["outcome"] == "ok"]
    assert sorted(puts) == sorted({*INDIA_VALUES, "senderIdInfo.senderId"})  # each exactly once
    assert sim.count("SubmitRegistrationVersion") == 1


def test_poll_command_prints_what_changed(sim, make_request, capsys):
    request = make_request("IN", "EXMPLE")
    save(request, INDIA_VALUES, submit=True)
    aws.registration_start(request=approve_and_claim(request))

    call_command("poll_registrations", "--no-support-cases")

    out = capsys.readouterr().out
    registration = Registration.objects.get(request=request)
    assert "registrations: listed" in out
    assert f"{registration.aws_registration_id} SUBMITTED → COMPLETE" in out
    assert "registration_submitted → active" in out


def test_admins_see_the_registration_content_by_section(sim, make_request, admin_user_, client):
    request = make_request("IN", "EXMPLE")
    registration = save(request, INDIA_VALUES, submit=False)

    html = registration_content_html(registration)

    assert "India specific info" in html and "Chain ID: Principal Entity ID (PEID)" in html
    assert "1201159143548210000" in html
    assert "Chain ID: Infobip India Private Limited" in html and "CHAIN005" in html
    client.force_login(admin_user_)
    page = client.get(reverse("admin:registrations_registration_change", args=[registration.pk]))
    assert page.status_code == 200 and "Example Corp India" in page.content.decode()


def test_the_approval_queue_shows_the_registration_content_before_approval(
    sim, make_request, admin_user_, client
):
    request = make_request("IN", "EXMPLE")
    save(request, INDIA_VALUES, submit=False)
    client.force_login(admin_user_)
    page = client.get(reverse("admin:senderids_senderidrequest_change", args=[request.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Chain ID: Principal Entity ID (PEID)" in body and "1201159143548210000" in body
    assert "Chain ID: Karix Mobile Pvt Ltd" in body and "CHAIN002" in body


def test_the_registration_inline_is_read_only():
    inline = RegistrationInline
    assert inline.has_add_permission(None, None, None) is False
    assert inline.can_delete is False
    assert set(inline.fields) == set(inline.readonly_fields)


def test_reminder_lists_registrations_waiting_for_the_owner(sim, make_request, owner):
    later = make_request("IN", "LATER", registration_choice="later")
    submitted = make_request("IN", "READY")
    save(submitted, INDIA_VALUES, submit=True)
    waiting = set(senderid_selectors.sender_id_requests_registering_later(user=owner))
    assert later in waiting and submitted not in waiting


def test_reminder_stops_once_a_register_later_form_is_submitted(sim, make_request, owner):
    later = make_request("IN", "LATER", registration_choice="later")
    save(later, INDIA_VALUES, submit=False)
    assert later in senderid_selectors.sender_id_requests_registering_later(user=owner)
    save(later, INDIA_VALUES, submit=True)
    assert later not in senderid_selectors.sender_id_requests_registering_later(user=owner)


def test_a_value_aws_refuses_is_shown_on_its_field_and_the_request_waits_for_the_owner(
    sim, definitions, make_request, owner_client
):
    request = make_request("IN", "EXMPLE")
    save(request, INDIA_VALUES, submit=True)
    sim.handle._request(
        "POST",
        "/_faults",
        {"operation": "PutRegistrationFieldValue", "code": "ValidationException", "count": 1,
         "message": "The address was refused."},
    )  # fmt: skip

    aws.registration_start(request=approve_and_claim(request))

    request.refresh_from_db()
    assert request.status == Status.REGISTRATION_DRAFT  # not failed: the owner can fix it
    assert sim.count("SubmitRegistrationVersion") == 0
    registration = Registration.objects.get(request=request)
    assert not registration.submit_requested
    refused = registration.field_values.exclude(push_error="").get()
    assert refused.push_error == "The address was refused."
    page = owner_client.get(reverse("registrations:detail", kwargs={"pk": request.pk})).content.decode()
    assert "AWS refused this value:" in page and "The address was refused." in page


def test_a_created_registration_whose_answer_was_lost_is_not_created_twice(sim, make_request):
    request = make_request("IN", "EXMPLE")
    approve_and_claim(request)
    sim.handle._request(
        "POST",
        "/_faults",
        {"operation": "CreateRegistration", "code": "InternalServerException", "after": True},
    )
    with pytest.raises(RetryableAwsError):
        aws.registration_start(request=request)

    aws.registration_start(request=request)

    assert len(sim.registrations()) == 1
    request.refresh_from_db()
    assert request.status == Status.REGISTRATION_DRAFT
