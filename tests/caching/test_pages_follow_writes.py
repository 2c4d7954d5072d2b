"""Pages served from the read cache show every change at once: committed writes from elsewhere (a
worker moving a status, a teammate's new request, a membership removed) reach the next view. With
committed transactions, so the cache is really used (inside a test's transaction it is bypassed)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from senderids.choices import Status
from senderids.models import SenderIdRequest
from teams.models import Membership
from tests.factories import CountryFactory, SenderIdRequestFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fast_password_hasher")]


@pytest.fixture
def request_(owner):
    return SenderIdRequestFactory(owner=owner, sender_id="FOLLOWME", country=CountryFactory(iso_code="DE"))


def test_detail_shows_a_status_a_worker_wrote(owner_client, request_):
    url = reverse("senderids:detail", args=[request_.pk])
    assert 'data-status="pending_review"' in owner_client.get(url).content.decode()
    owner_client.get(url)  # from the cache now
    SenderIdRequest.objects.filter(pk=request_.pk).update(status=Status.ACTIVE)  # as the worker does
    assert 'data-status="active"' in owner_client.get(url).content.decode()


def test_home_lists_a_teammates_new_request(owner_client, owner, request_):
    assert "FOLLOWME" in owner_client.get("/").content.decode()
    SenderIdRequestFactory(owner=owner, team=request_.team, sender_id="SECONDONE")
    assert "SECONDONE" in owner_client.get("/").content.decode()


def test_a_removed_member_loses_the_detail_page_at_once(owner_client, owner, request_):
    url = reverse("senderids:detail", args=[request_.pk])
    assert owner_client.get(url).status_code == 200
    Membership.objects.filter(user=owner).delete()
    assert owner_client.get(url).status_code == 404


def test_the_approval_queue_follows_writes_and_its_action_form_works(client, admin_user_, owner, request_):
    from django.test import Client

    from senderids.models import SenderIdRequest as Model

    admin = Client(enforce_csrf_checks=True)
    admin.force_login(admin_user_)
    url = reverse("admin:senderids_senderidrequest_changelist")
    assert "FOLLOWME" in admin.get(url).content.decode()
    SenderIdRequestFactory(owner=owner, team=request_.team, sender_id="QUEUEDTOO")
    page = admin.get(url).content.decode()
    assert "QUEUEDTOO" in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', admin.get(url).content.decode())[1]
    response = admin.post(url, {"csrfmiddlewaretoken": token, "action": "approve",
                                "_selected_action": [request_.pk], "index": "0"})  # fmt: skip
    assert response.status_code == 302  # the cached page's token was accepted (403 otherwise)
    assert Model.objects.get(pk=request_.pk).status != Status.PENDING_REVIEW
    assert "approved" in admin.get(response["Location"]).content.decode().lower()  # its message shows
