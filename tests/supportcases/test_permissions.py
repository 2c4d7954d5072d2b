"""Who may do what to a support case, action by action (issues 13 and 18): support staff (is_staff without
the permissions) read everything and change nothing; recording a case id, setting states and marking an
answer pasted need `manage_supportcase`; confirming needs `confirm_supportcase`; retrying needs the
approve permission; only the request's team answers AWS. Views, services and the admin action all check."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from senderids.choices import Status
from supportcases import services
from supportcases.models import CaseState, Delivery, SupportCase, SupportCaseCommunication

from .helpers import case_url, open_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher", "assisted_mode")]

CASE_ID = "case-123456789012-muen-2024-1a2b3c4d5e6f7890"


@pytest.fixture
def opened(vn_request, manager):
    """An assisted case staff opened in the Support Center, with an answer from the team to paste."""
    open_case(vn_request)
    services.support_case_record(request=vn_request, actor=manager, reference=CASE_ID)
    case = SupportCase.objects.get(request=vn_request)
    answer = SupportCaseCommunication.objects.create(
        case=case,
        direction="to_aws",
        body="Our answer.",
        time_created=case.created_at,
        delivery=Delivery.QUEUED,
    )
    vn_request.refresh_from_db()
    return vn_request, case, answer


def as_user(client, user):
    client.force_login(user)
    return client


def entries(request) -> int:
    return request.events.count()


@pytest.mark.parametrize("name", ["detail", "case_text"])
def test_support_staff_read_every_page(client, staff_user, opened, name):
    request, _case, _answer = opened
    assert as_user(client, staff_user).get(case_url(request, name)).status_code == 200


def test_the_owner_reads_the_case_but_not_the_staff_copy_page(owner_client, opened):
    request, _case, _answer = opened
    assert owner_client.get(case_url(request)).status_code == 200
    assert owner_client.get(case_url(request, "case_text")).status_code == 404


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("record", {"reference": "case-123456789012-muen-2024-0000000000000000"}),
        ("state", {"state": CaseState.CUSTOMER_ACTION, "note": "AWS asks for the LOA."}),
        ("pasted", {}),
        ("confirm", {}),
        ("retry", {}),
    ],
)
def test_support_staff_get_403_for_every_staff_action_and_nothing_changes(
    client, staff_user, opened, action, data
):
    request, case, answer = opened
    before = (entries(request), SupportCase.objects.filter(pk=case.pk).values().get())
    kwargs = {"answer_pk": answer.pk} if action == "pasted" else {}
    response = as_user(client, staff_user).post(case_url(request, action, **kwargs), data)
    assert response.status_code == 403
    assert (entries(request), SupportCase.objects.filter(pk=case.pk).values().get()) == before
    answer.refresh_from_db()
    assert answer.delivery == Delivery.QUEUED


@pytest.mark.parametrize("action", ["record", "state", "pasted", "confirm", "retry"])
def test_the_owner_and_strangers_get_404_for_staff_actions(client, owner, stranger, opened, action):
    request, _case, answer = opened
    kwargs = {"answer_pk": answer.pk} if action == "pasted" else {}
    for user in (owner, stranger):
        assert as_user(client, user).post(case_url(request, action, **kwargs), {}).status_code == 404


def test_a_confirmer_cannot_manage_and_a_manager_cannot_confirm(client, manager, confirmer, opened):
    request, _case, _answer = opened
    data = {"state": CaseState.RESOLVED, "note": "Done."}
    assert as_user(client, confirmer).post(case_url(request, "state"), data).status_code == 403
    assert as_user(client, manager).post(case_url(request, "state"), data).status_code == 302
    request.refresh_from_db()
    assert request.status == Status.SUPPORT_CASE_RESOLVED
    assert as_user(client, manager).post(case_url(request, "confirm")).status_code == 403
    assert as_user(client, confirmer).post(case_url(request, "confirm")).status_code == 302
    request.refresh_from_db()
    assert request.status == Status.ACTIVE


def test_the_services_check_the_permissions_themselves(staff_user, manager, opened):
    request, _case, answer = opened
    with pytest.raises(PermissionDenied):
        services.support_case_record(request=request, actor=staff_user, reference=CASE_ID)
    with pytest.raises(PermissionDenied):
        services.support_case_set_state(request=request, actor=staff_user, state="refused", note="No.")
    with pytest.raises(PermissionDenied):
        services.support_case_answer_pasted(request=request, actor=staff_user, communication_id=answer.pk)
    with pytest.raises(PermissionDenied):
        services.support_case_confirm(request=request, actor=manager)
    with pytest.raises(PermissionDenied):
        services.support_case_retry(request=request, actor=manager)
    with pytest.raises(PermissionDenied):
        services.support_case_answer(
            request=request, author=manager, body="Staff cannot answer for the team."
        )


def test_the_admin_confirm_action_needs_the_confirm_permission(client, django_user_model, opened, manager):
    request, case, _answer = opened
    services.support_case_set_state(request=request, actor=manager, state=CaseState.RESOLVED, note="Done.")
    viewer = django_user_model.objects.create_user("vic", "vic@portal.example", "x", is_staff=True)
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_supportcase", "change_supportcase"])
    )
    changelist = reverse("admin:supportcases_supportcase_changelist")
    as_user(client, viewer)
    assert "confirm_support_cases" not in client.get(changelist).content.decode()
    client.post(changelist, {"action": "confirm_support_cases", "_selected_action": [case.pk]})
    request.refresh_from_db()
    assert request.status == Status.SUPPORT_CASE_RESOLVED  # nothing confirmed


def test_only_the_team_answers_aws(client, staff_user, stranger, opened):
    request, case, _answer = opened
    count = case.communications.count()
    assert as_user(client, stranger).post(case_url(request, "answer"), {"body": "Hi"}).status_code == 404
    assert as_user(client, staff_user).post(case_url(request, "answer"), {"body": "Hi"}).status_code == 403
    assert as_user(client, stranger).post(case_url(request, "documents"), {}).status_code == 404
    assert as_user(client, staff_user).post(case_url(request, "documents"), {}).status_code == 403
    assert case.communications.count() == count
