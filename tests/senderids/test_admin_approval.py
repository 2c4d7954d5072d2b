"""The approval queue in Django admin: who may decide, what the queue shows, approve / reject with reason."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from senderids.choices import Status
from senderids.models import SenderIdRequest, StatusEvent
from senderids.services.requests import REJECTION_REASON_MAX_LENGTH
from senderids.services.submission import sender_id_request_submit
from tests.factories import CountryFactory, SenderIdRequestFactory, UserFactory
from tests.senderids import pipeline_support

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

approver = pipeline_support.approver
viewer = pipeline_support.viewer
enqueued = pipeline_support.enqueued

CHANGELIST = reverse("admin:senderids_senderidrequest_changelist")


def act(client, action: str, *requests: SenderIdRequest, url: str = CHANGELIST, **data):
    return client.post(
        url, {"action": action, ACTION_CHECKBOX_NAME: [r.pk for r in requests], **data}, follow=True
    )


def offered_actions(response) -> set[str]:
    form = response.context["action_form"]
    return set(dict(form.fields["action"].choices)) if form else set()


def status_of(request: SenderIdRequest) -> str:
    return SenderIdRequest.objects.get(pk=request.pk).status


@pytest.fixture
def approver_client(client, approver):
    client.force_login(approver)
    return client


# --- who gets in ----------------------------------------------------------------------------------
def test_business_user_cannot_reach_admin(client, owner):
    client.force_login(owner)
    for url in ("/admin/", CHANGELIST):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_staff_without_model_permissions_cannot_see_the_queue(client, staff_user):
    client.force_login(staff_user)
    assert client.get(CHANGELIST).status_code == 403


def test_staff_who_may_only_view_is_not_offered_the_decisions(client, viewer):
    client.force_login(viewer)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert not {"approve", "reject_with_reason"} & offered_actions(response)


@pytest.mark.parametrize("action", ["approve", "reject_with_reason"])
def test_staff_without_the_approve_permission_cannot_decide_by_posting(client, viewer, enqueued, action):
    request = SenderIdRequestFactory()
    client.force_login(viewer)
    act(client, action, request, apply="yes", reason="Nope.")
    assert status_of(request) == Status.PENDING_REVIEW
    assert enqueued == []


def test_approver_may_approve_and_reject(approver_client):
    assert {"approve", "reject_with_reason"} <= offered_actions(approver_client.get(CHANGELIST))


def test_superuser_may_approve(client, admin_user_, enqueued, django_capture_on_commit_callbacks):
    request = SenderIdRequestFactory()
    client.force_login(admin_user_)
    with django_capture_on_commit_callbacks(execute=True):
        act(client, "approve", request)
    assert status_of(request) == Status.APPROVED


# --- the queue --------------------------------------------------------------------------------------
def test_queue_shows_pending_review_by_default_oldest_first(approver_client):
    older, newer = SenderIdRequestFactory(sender_id="OLDER"), SenderIdRequestFactory(sender_id="NEWER")
    SenderIdRequestFactory(sender_id="LIVE", status=Status.ACTIVE)
    shown = list(approver_client.get(CHANGELIST).context["cl"].result_list)
    assert shown == [older, newer]


def test_queue_all_option_shows_every_status(approver_client):
    SenderIdRequestFactory(sender_id="WAITING")
    SenderIdRequestFactory(sender_id="LIVE", status=Status.ACTIVE)
    response = approver_client.get(CHANGELIST, {"status": "all"})
    assert {r.sender_id for r in response.context["cl"].result_list} == {"WAITING", "LIVE"}
    assert "All" in response.content.decode()


def test_queue_filters_by_status_and_country(approver_client):
    fr = CountryFactory(iso_code="FR", name="France")
    SenderIdRequestFactory(sender_id="DELIVE", status=Status.ACTIVE)
    SenderIdRequestFactory(sender_id="FRLIVE", status=Status.ACTIVE, country=fr)
    response = approver_client.get(CHANGELIST, {"status": Status.ACTIVE, "country__iso_code__exact": "FR"})
    assert [r.sender_id for r in response.context["cl"].result_list] == ["FRLIVE"]


def test_queue_searches_sender_id_user_and_company(approver_client):
    SenderIdRequestFactory(sender_id="ALPHA", owner=UserFactory(username="ann", email="ann@globex.example"))
    SenderIdRequestFactory(sender_id="BRAVO", support_case_details={"company_name": "Initech SARL"})
    SenderIdRequestFactory(sender_id="CHARLIE")

    def found(q: str) -> set[str]:
        return {r.sender_id for r in approver_client.get(CHANGELIST, {"q": q}).context["cl"].result_list}

    assert found("alpha") == {"ALPHA"}
    assert found("globex") == {"ALPHA"}
    assert found("initech") == {"BRAVO"}


# --- approve ----------------------------------------------------------------------------------------
def test_approve_action_approves_records_the_approver_and_enqueues(
    approver_client, approver, enqueued, django_capture_on_commit_callbacks
):
    first, second = SenderIdRequestFactory(), SenderIdRequestFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = act(approver_client, "approve", first, second)
    assert status_of(first) == status_of(second) == Status.APPROVED
    assert StatusEvent.objects.get(request=first, to_status=Status.APPROVED).actor == approver
    assert sorted(enqueued) == sorted([first.pk, second.pk])
    assert "Approved 2 request(s)" in response.content.decode()


def test_approve_action_skips_requests_past_review_and_says_so(approver_client, enqueued):
    live = SenderIdRequestFactory(sender_id="LIVE", status=Status.ACTIVE)
    response = act(approver_client, "approve", live, url=CHANGELIST + "?status=all")
    assert status_of(live) == Status.ACTIVE
    assert "skipped" in response.content.decode() and "LIVE" in response.content.decode()
    assert enqueued == []


# --- reject with reason -------------------------------------------------------------------------------
def test_reject_action_first_asks_for_the_reason(approver_client):
    request = SenderIdRequestFactory(sender_id="ASKME")
    response = act(approver_client, "reject_with_reason", request)
    assert response.templates[0].name == "admin/senderids/reject_reason.html"
    body = response.content.decode()
    assert "ASKME" in body and 'name="reason"' in body
    assert status_of(request) == Status.PENDING_REVIEW


def test_reject_with_a_reason_rejects_and_keeps_the_reason(approver_client):
    request = SenderIdRequestFactory()
    response = act(approver_client, "reject_with_reason", request, apply="yes", reason="Brand not owned.")
    assert response.redirect_chain and status_of(request) == Status.REJECTED
    assert StatusEvent.objects.get(request=request, to_status=Status.REJECTED).reason == "Brand not owned."
    assert "Rejected 1 request(s)" in response.content.decode()


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("", "This field is required."),
        ("   \n  ", "This field is required."),
        ("x" * (REJECTION_REASON_MAX_LENGTH + 1), "too long"),
    ],
)
def test_reject_with_an_empty_or_oversized_reason_shows_the_error_and_changes_nothing(
    approver_client, reason, error
):
    request = SenderIdRequestFactory(sender_id="KEEPME")
    response = act(approver_client, "reject_with_reason", request, apply="yes", reason=reason)
    assert response.status_code == 200
    assert response.templates[0].name == "admin/senderids/reject_reason.html"
    body = response.content.decode()
    assert error in body and "KEEPME" in body
    assert status_of(request) == Status.PENDING_REVIEW
    assert not StatusEvent.objects.filter(request=request, to_status=Status.REJECTED).exists()


# --- nothing to edit by hand ----------------------------------------------------------------------------
def test_requests_cannot_be_added_or_deleted_in_admin(client, admin_user_):
    client.force_login(admin_user_)
    assert client.get(reverse("admin:senderids_senderidrequest_add")).status_code == 403
    request = SenderIdRequestFactory()
    assert client.get(reverse("admin:senderids_senderidrequest_delete", args=[request.pk])).status_code == 403


def test_change_page_shows_the_timeline_and_edits_nothing(client, admin_user_, enqueued):
    client.force_login(admin_user_)
    request = SenderIdRequestFactory(
        status=Status.ACTIVE, aws_sender_id_arn="arn:aws:sms-voice:xx:sender-id/A"
    )
    StatusEvent.objects.create(
        request=request, from_status="", to_status=Status.PENDING_REVIEW, reason="hello"
    )
    url = reverse("admin:senderids_senderidrequest_change", args=[request.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "hello" in response.content.decode()
    assert not response.context["adminform"].form.fields  # every field is read-only
    client.post(url, {"aws_sender_id_arn": "tampered", "status": Status.RELEASED, "sender_id": "EVIL"})
    request.refresh_from_db()
    assert (request.aws_sender_id_arn, request.status, request.sender_id) == (
        "arn:aws:sms-voice:xx:sender-id/A",
        Status.ACTIVE,
        request.sender_id,
    )
    assert request.sender_id != "EVIL"


def test_status_events_are_read_only_in_admin(client, admin_user_):
    client.force_login(admin_user_)
    event = StatusEvent.objects.create(request=SenderIdRequestFactory(), to_status=Status.PENDING_REVIEW)
    assert client.get(reverse("admin:senderids_statusevent_changelist")).status_code == 200
    assert client.get(reverse("admin:senderids_statusevent_add")).status_code == 403
    client.post(reverse("admin:senderids_statusevent_change", args=[event.pk]), {"reason": "rewritten"})
    event.refresh_from_db()
    assert event.reason == ""


def test_staff_see_the_aws_calls_made_for_a_request_on_its_admin_page(
    approver_client, sms_simulator, countries, owner
):
    request = SenderIdRequestFactory(owner=owner, country=countries["DE"], sender_id="CALLLOG")
    SenderIdRequest.objects.filter(pk=request.pk).update(status=Status.APPROVED)
    sender_id_request_submit(request_id=request.pk)
    assert SenderIdRequest.objects.get(pk=request.pk).status == Status.ACTIVE
    html = approver_client.get(f"{CHANGELIST}{request.pk}/change/").content.decode()
    section = html[html.index("AWS calls for this request") :]
    assert "RequestSenderId" in section
