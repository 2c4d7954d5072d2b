"""Admin: staff release on behalf of the owner (confirm page, release permission, their name on the
timeline, deletion protection turned off on request), and "Retry failed requests"."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from senderids.choices import Status
from senderids.models import SenderIdRequest
from tests.senderids import pipeline_support, release_support
from tests.senderids.release_support import active_request, calls, leased_request, status_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

releases_enqueued = release_support.releases_enqueued
approver = pipeline_support.approver
viewer = pipeline_support.viewer
enqueued = pipeline_support.enqueued

# The changelist opens on the approval queue; actions apply to what the filter shows.
CHANGELIST = reverse("admin:senderids_senderidrequest_changelist") + "?status=all"


@pytest.fixture
def releaser(django_user_model):
    """Support staff who may see requests and release them for their owners."""
    user = django_user_model.objects.create_user(
        "releaser",
        "releaser@example.com",
        "releaser-pass-1",
        is_staff=True,
        first_name="Rita",
        last_name="Lease",
    )
    return pipeline_support.grant(user, "view_senderidrequest", "release_senderidrequest")


def act(client, action: str, *requests: SenderIdRequest, **data):
    return client.post(CHANGELIST, {"action": action, ACTION_CHECKBOX_NAME: [r.pk for r in requests], **data})


def offered_actions(client) -> set[str]:
    form = client.get(CHANGELIST).context["action_form"]
    return set(dict(form.fields["action"].choices)) if form else set()


def test_release_action_is_offered_only_with_the_release_permission(client, releaser, viewer, approver):
    client.force_login(releaser)
    assert "release_on_behalf" in offered_actions(client)
    client.force_login(viewer)
    assert "release_on_behalf" not in offered_actions(client)
    assert "retry_failed" not in offered_actions(client)
    client.force_login(approver)
    assert "retry_failed" in offered_actions(client)


def test_release_action_asks_for_confirmation_first(client, releaser, owner, releases_enqueued):
    request = active_request(owner)
    client.force_login(releaser)
    response = act(client, "release_on_behalf", request)
    assert response.status_code == 200
    assert response.templates[0].name == "admin/senderids/release_confirm.html"
    assert "Releasing cannot be undone" in response.content.decode()
    assert status_of(request) == Status.ACTIVE and releases_enqueued == []


def test_staff_release_is_recorded_with_their_name(
    client, releaser, owner, releases_enqueued, django_capture_on_commit_callbacks
):
    request = active_request(owner)
    client.force_login(releaser)
    with django_capture_on_commit_callbacks(execute=True):
        response = act(client, "release_on_behalf", request, apply="yes", note="Ticket 42.")
    assert response.status_code == 302
    assert releases_enqueued == [request.pk]
    event = request.events.get(to_status=Status.RELEASING)
    assert (event.actor, event.actor_label) == (releaser, "releaser")
    assert event.reason == "Released by staff member Rita Lease (releaser) on behalf of the owner. Ticket 42."


def test_staff_without_the_permission_cannot_release_by_posting(client, viewer, owner, releases_enqueued):
    request = active_request(owner)
    client.force_login(viewer)
    act(client, "release_on_behalf", request, apply="yes")
    assert status_of(request) == Status.ACTIVE and releases_enqueued == []


def test_release_action_skips_requests_that_are_not_active(client, releaser, owner, releases_enqueued):
    request = active_request(owner, status=Status.PENDING_REVIEW)
    client.force_login(releaser)
    response = client.post(
        CHANGELIST,
        {"action": "release_on_behalf", ACTION_CHECKBOX_NAME: [request.pk], "apply": "yes"},
        follow=True,
    )
    assert "skipped" in response.content.decode()
    assert status_of(request) == Status.PENDING_REVIEW and releases_enqueued == []


def test_protected_sender_id_is_skipped_unless_staff_turn_protection_off(
    client, releaser, owner, sms_simulator, releases_enqueued, django_capture_on_commit_callbacks
):
    request = leased_request(sms_simulator, owner, "SAFEBANK", deletion_protection=True)
    client.force_login(releaser)

    response = client.post(
        CHANGELIST,
        {"action": "release_on_behalf", ACTION_CHECKBOX_NAME: [request.pk], "apply": "yes"},
        follow=True,
    )
    assert "deletion protection on: not released" in response.content.decode()
    assert status_of(request) == Status.ACTIVE and calls(sms_simulator, "UpdateSenderId") == []

    with django_capture_on_commit_callbacks(execute=True):
        act(client, "release_on_behalf", request, apply="yes", turn_off_protection="on")
    assert len(calls(sms_simulator, "UpdateSenderId", "ok")) == 1
    assert status_of(request) == Status.RELEASING and releases_enqueued == [request.pk]
    note = request.events.get(to_status=Status.ACTIVE)
    assert "By staff member Rita Lease (releaser)" in note.reason


def test_retry_failed_request_resubmits_with_a_fresh_client_token(
    client, approver, owner, enqueued, django_capture_on_commit_callbacks
):
    request = active_request(owner, status=Status.FAILED)
    client.force_login(approver)
    with django_capture_on_commit_callbacks(execute=True):
        act(client, "retry_failed", request)
    fresh = SenderIdRequest.objects.get(pk=request.pk)
    assert fresh.status == Status.APPROVED and fresh.client_token != request.client_token
    assert enqueued == [request.pk]
    assert "Retried by April Approver (april)" in fresh.events.get().reason


def test_drift_admin_lists_open_drift(client, admin_user_):
    from django.utils import timezone

    from senderids.choices import DriftKind
    from senderids.models import SenderIdDrift

    now = timezone.now()
    SenderIdDrift.objects.create(
        kind=DriftKind.UNKNOWN_HERE,
        sender_id="HANDMADE",
        iso_country_code="DE",
        first_seen_at=now,
        last_seen_at=now,
    )
    client.force_login(admin_user_)
    response = client.get(reverse("admin:senderids_senderiddrift_changelist"), {"state": "open"})
    assert response.status_code == 200 and "HANDMADE" in response.content.decode()
