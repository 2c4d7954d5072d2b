"""Approving a batch in Django admin: every waiting child at once, or one child from its own page;
the approver's page of a request shows the checks the requester saw."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from senderids.choices import Status
from senderids.services.batches import BatchChild, batch_create

from . import pipeline_support

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

approver = pipeline_support.approver
viewer = pipeline_support.viewer
BATCHES = reverse("admin:senderids_requestbatch_changelist")


@pytest.fixture
def batch(owner, countries):
    return batch_create(
        owner=owner,
        children=[BatchChild(country=countries[iso], sender_id="INFO") for iso in ("DE", "AT", "SG")],
        message_type="TRANSACTIONAL",
    )


def approve_batches(client, *batches):
    return client.post(
        BATCHES, {"action": "approve_waiting", ACTION_CHECKBOX_NAME: [b.pk for b in batches]}, follow=True
    )


def test_an_approver_approves_every_waiting_child_of_a_batch(client, approver, batch):
    client.force_login(approver)
    first = batch.requests.get(country_id="DE")
    first.status = Status.REJECTED
    first.save(update_fields=["status"])

    response = approve_batches(client, batch)

    assert "Approved 2 requests; submitting to AWS." in response.content.decode()
    statuses = dict(batch.requests.values_list("country_id", "status"))
    assert statuses == {"DE": Status.REJECTED, "AT": Status.APPROVED, "SG": Status.APPROVED}


def test_staff_without_the_approve_permission_are_not_offered_the_action(client, viewer, batch):
    client.force_login(viewer)

    response = approve_batches(client, batch)

    assert set(batch.requests.values_list("status", flat=True)) == {Status.PENDING_REVIEW}
    assert response.status_code in (200, 403)


def test_the_batch_page_in_admin_lists_its_children(client, approver, batch):
    client.force_login(approver)

    html = client.get(reverse("admin:senderids_requestbatch_change", args=[batch.pk])).content.decode()

    for child in batch.requests.all():
        assert reverse("admin:senderids_senderidrequest_change", args=[child.pk]) in html


def test_the_approver_sees_the_checks_of_a_generic_sender_id(client, approver, batch):
    client.force_login(approver)
    child = batch.requests.get(country_id="DE")

    html = client.get(reverse("admin:senderids_senderidrequest_change", args=[child.pk])).content.decode()

    assert 'class="light warn"' in html  # INFO: carriers block or replace generic sender IDs
    assert "INFO" in html and reverse("admin:senderids_requestbatch_change", args=[batch.pk]) in html
