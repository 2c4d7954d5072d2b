"""The owner is emailed on every user-visible transition; a mail failure never breaks the transition."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.test import override_settings

from senderids.choices import Status
from senderids.models import SenderIdRequest
from senderids.services.requests import sender_id_request_approve, sender_id_request_reject
from senderids.services.submission import sender_id_request_submit
from tests.factories import SenderIdRequestFactory
from tests.senderids import pipeline_support
from tests.senderids.pipeline_support import conflict

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher", "enqueued")]

approver = pipeline_support.approver
enqueued = pipeline_support.enqueued
fake_gateway = pipeline_support.fake_gateway


class BrokenEmailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP is down")


@pytest.fixture
def request_(owner) -> SenderIdRequest:
    return SenderIdRequestFactory(owner=owner, sender_id="ACME")


def test_owner_is_emailed_when_an_admin_approves(request_, approver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sender_id_request_approve(request=request_, actor=approver)
    (message,) = mail.outbox
    assert message.to == ["olivia@acme.example"]
    assert "ACME" in message.subject and "Approved" in message.subject
    assert f"/sender-ids/{request_.pk}/" in message.body


def test_rejection_email_carries_the_reason(request_, approver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sender_id_request_reject(request=request_, actor=approver, reason="Brand not owned.")
    (message,) = mail.outbox
    assert "Rejected" in message.subject and "Brand not owned." in message.body


def test_activation_is_emailed_but_the_workers_claim_is_not(
    request_, fake_gateway, django_capture_on_commit_callbacks
):
    SenderIdRequest.objects.filter(pk=request_.pk).update(status=Status.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        sender_id_request_submit(request_id=request_.pk)
    assert [m.subject for m in mail.outbox] == ["Sender ID ACME (DE): Active"]


def test_failure_email_carries_what_aws_said(request_, fake_gateway, django_capture_on_commit_callbacks):
    SenderIdRequest.objects.filter(pk=request_.pk).update(status=Status.APPROVED)
    fake_gateway.failures = [conflict()]
    with django_capture_on_commit_callbacks(execute=True):
        sender_id_request_submit(request_id=request_.pk)
    (message,) = mail.outbox
    assert "Failed" in message.subject
    assert "ConflictException: The sender ID is already in use." in message.body


def test_no_email_without_commit(request_, approver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        sender_id_request_approve(request=request_, actor=approver)
    assert mail.outbox == []


@override_settings(EMAIL_BACKEND=f"{__name__}.BrokenEmailBackend")
def test_a_mail_failure_is_logged_and_the_transition_stands(
    request_, approver, django_capture_on_commit_callbacks, caplog
):
    with (
        caplog.at_level(logging.ERROR, logger="senderids.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sender_id_request_approve(request=request_, actor=approver)
    assert SenderIdRequest.objects.get(pk=request_.pk).status == Status.APPROVED
    assert "could not email the owner" in caplog.text and "SMTP is down" in caplog.text


def test_owner_without_an_email_address_gets_nothing(owner, approver, django_capture_on_commit_callbacks):
    owner.email = ""
    owner.save()
    request = SenderIdRequestFactory(owner=owner)
    with django_capture_on_commit_callbacks(execute=True):
        sender_id_request_approve(request=request, actor=approver)
    assert mail.outbox == []


def test_email_is_written_in_the_site_language_whatever_the_admins_language(
    request_, approver, django_capture_on_commit_callbacks
):
    from django.utils import translation

    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        sender_id_request_approve(request=request_, actor=approver)
    assert "Hello" in mail.outbox[0].body


def test_the_email_is_a_task_enqueued_on_commit_not_smtp_inside_the_approval(
    request_, approver, sent_tasks, monkeypatch, django_capture_on_commit_callbacks
):
    from senderids import enqueue

    captured: list[tuple[str, tuple]] = []
    monkeypatch.setattr(enqueue, "_send", lambda name, args: captured.append((name, args)))
    with django_capture_on_commit_callbacks(execute=True):
        sender_id_request_approve(request=request_, actor=approver)
    assert mail.outbox == []
    email_events = [args[0] for name, args in captured if name == "senderids.tasks.send_status_email"]
    assert len(email_events) == 1
    # The worker's task sends it.
    from senderids import tasks

    tasks.send_status_email.apply(args=email_events)
    (message,) = mail.outbox
    assert "Approved" in message.subject
