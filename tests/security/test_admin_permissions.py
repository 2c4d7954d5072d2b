"""Every admin write checks a permission, not is_staff: support staff (seed_demo's "Support staff" group,
view permissions only) change nothing and run no action; audit rows are never deleted, by superusers
either. Action by action, from the admin's own registry, so a new action is covered the day it lands."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from countries.models import Country
from senderids.choices import Status
from senderids.models import SenderIdDrift, SenderIdRequest, StatusEvent
from smsvoice.models import AwsCall
from tests.factories import SenderIdRequestFactory

pytestmark = pytest.mark.django_db

AUDIT_MODELS = (StatusEvent, AwsCall, SenderIdRequest, SenderIdDrift)


def _request_as(user) -> object:
    request = RequestFactory().get("/")
    request.user = user
    return request


# Everything any admin could run: the registry asked with a user who has every permission.
_EVERYONE = SimpleNamespace(is_active=True, is_staff=True, is_superuser=True, has_perm=lambda *a: True)
ADMIN_ACTIONS = sorted(
    (model._meta.label, name)
    for model, model_admin in admin.site._registry.items()
    for name in model_admin.get_actions(_request_as(_EVERYONE))
)
MODELS = sorted(model._meta.label for model in admin.site._registry)


def model_admin_for(label: str) -> admin.ModelAdmin:
    return next(ma for model, ma in admin.site._registry.items() if model._meta.label == label)


@pytest.fixture
def support(db):
    call_command("seed_demo", stdout=io.StringIO())
    return get_user_model().objects.get(username="support")


@pytest.fixture
def support_client(client, support):
    client.force_login(support)
    return client


def test_the_registry_has_the_actions_this_suite_is_about():
    assert ("countries.Country", "clear_process_override") in ADMIN_ACTIONS
    assert ("senderids.SenderIdRequest", "approve") in ADMIN_ACTIONS
    assert len(ADMIN_ACTIONS) >= 8


@pytest.mark.parametrize(("model", "action"), ADMIN_ACTIONS)
def test_support_staff_are_offered_no_admin_action(support, model, action):
    model_admin, request = model_admin_for(model), _request_as(support)
    if not model_admin.has_view_or_change_permission(request):
        return  # its changelist answers 403: no action of it can be posted (next test)
    assert action not in model_admin.get_actions(request)


@pytest.mark.parametrize(("model", "action"), ADMIN_ACTIONS)
def test_an_admin_action_posted_by_support_staff_changes_nothing(
    support_client, owner, countries, model, action
):
    SenderIdRequestFactory(owner=owner, country=countries["DE"])
    SenderIdRequestFactory(owner=owner, country=countries["DE"], status=Status.FAILED)
    Country.objects.filter(iso_code="DE").update(process_overridden=True)
    model_class = model_admin_for(model).model
    before = list(model_class._default_manager.order_by("pk").values())
    opts = model_class._meta
    rows = [row["pk"] if "pk" in row else row[opts.pk.attname] for row in before[:250]]
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    response = support_client.post(url, {"action": action, "_selected_action": rows, "post": "yes"})
    assert response.status_code in (200, 302, 403)
    assert list(model_class._default_manager.order_by("pk").values()) == before


@pytest.mark.parametrize("model", MODELS)
def test_support_staff_may_add_change_and_delete_nothing(support, model):
    model_admin, request = model_admin_for(model), _request_as(support)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_support_staff_can_read_the_admin(support_client):
    assert support_client.get(reverse("admin:countries_country_changelist")).status_code == 200
    assert support_client.get(reverse("admin:senderids_senderidrequest_changelist")).status_code == 200


def test_support_staff_cannot_clear_a_process_override(support_client, countries):
    Country.objects.filter(iso_code="DE").update(process_overridden=True)
    support_client.post(
        reverse("admin:countries_country_changelist"),
        {"action": "clear_process_override", "_selected_action": ["DE"]},
    )
    assert Country.objects.get(iso_code="DE").process_overridden


def test_an_admin_can_clear_a_process_override(client, admin_user_, countries):
    Country.objects.filter(iso_code="DE").update(process_overridden=True)
    client.force_login(admin_user_)
    client.post(
        reverse("admin:countries_country_changelist"),
        {"action": "clear_process_override", "_selected_action": ["DE"]},
    )
    assert not Country.objects.get(iso_code="DE").process_overridden


def test_support_staff_cannot_approve(support_client, owner, countries):
    request = SenderIdRequestFactory(owner=owner, country=countries["DE"])
    support_client.post(
        reverse("admin:senderids_senderidrequest_changelist"),
        {"action": "approve", "_selected_action": [request.pk]},
    )
    assert SenderIdRequest.objects.get(pk=request.pk).status == Status.PENDING_REVIEW


def test_support_staff_cannot_edit_a_country(support_client, countries):
    url = reverse("admin:countries_country_change", args=["DE"])
    response = support_client.post(url, {"name": "Hacked", "sender_id_process": "supported"})
    assert response.status_code == 403
    assert Country.objects.get(iso_code="DE").name == "Germany"


@pytest.mark.parametrize("model", AUDIT_MODELS, ids=lambda m: m._meta.label)
def test_not_even_a_superuser_deletes_audit_rows(admin_user_, model):
    model_admin = admin.site._registry[model]
    request = _request_as(admin_user_)
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)


def test_the_delete_page_of_a_timeline_entry_is_forbidden_to_a_superuser(
    client, admin_user_, owner, countries
):
    request = SenderIdRequestFactory(owner=owner, country=countries["DE"])
    event = StatusEvent.objects.create(request=request, from_status="", to_status=Status.PENDING_REVIEW)
    client.force_login(admin_user_)
    url = reverse("admin:senderids_statusevent_delete", args=[event.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert StatusEvent.objects.filter(pk=event.pk).exists()
