"""The registration process as senderids' process registry sees it: what creating a request makes,
its page, its admin inline, My sender IDs' column, the reminder."""

from __future__ import annotations

import pytest
from django.urls import reverse

from countries.models import SenderIdProcess
from registrations.admin import RegistrationInline
from registrations.models import Registration
from senderids import registry
from senderids.choices import MessageType, Status
from senderids.services.requests import sender_id_request_create
from tests.process_factories import RegistrationFactory

from .conftest import REFRESH_TASK, REGION

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def create(owner, country, sender_id: str = "EXMPLE"):
    return sender_id_request_create(
        owner=owner,
        country=country,
        sender_id=sender_id,
        message_type=MessageType.TRANSACTIONAL,
        registration_form_name=f"{sender_id} form",
    )


def test_creating_a_registration_request_makes_its_registration_row(
    owner, countries, sent_tasks, django_capture_on_commit_callbacks, settings
):
    settings.AWS_REGION = REGION  # India's registration form exists only in ap-south-1 / ap-south-2
    with django_capture_on_commit_callbacks(execute=True):
        request = create(owner, countries["IN"])

    registration = Registration.objects.get(request=request)
    assert registration.registration_type == "IN_SENDER_ID_REGISTRATION"
    assert registration.form_name == "EXMPLE form"
    assert not registration.aws_registration_id  # nothing at AWS before approval
    # The form's definition is not cached yet: a worker fetches it.
    assert sent_tasks[REFRESH_TASK] == ["IN_SENDER_ID_REGISTRATION"]


def test_a_cached_definition_is_not_fetched_again(
    owner, countries, definitions, sent_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        create(owner, countries["SG"], "EXAMPLESG")
    assert sent_tasks[REFRESH_TASK] == []


def test_other_processes_get_no_registration_row(owner, countries):
    for iso in ("DE", "VN"):
        request = create(owner, countries[iso], f"ACME{iso}")
        assert not Registration.objects.filter(request=request).exists()


def test_india_outside_its_form_regions_is_a_support_case_without_a_registration_row(
    owner, countries, settings
):
    settings.AWS_REGION = "eu-west-1"
    request = create(owner, countries["IN"])
    assert request.process == SenderIdProcess.SUPPORT_CASE
    assert not Registration.objects.filter(request=request).exists()


def test_the_process_points_to_the_form_page_and_its_admin_inline(countries):
    registration = RegistrationFactory(request__country=countries["IN"])
    process = registry.get(SenderIdProcess.REGISTRATION)
    assert registry.detail_url(registration.request) == reverse(
        "registrations:detail", kwargs={"pk": registration.request.pk}
    )
    assert process.admin_inlines == (RegistrationInline,)
    assert RegistrationInline in registry.admin_inlines()


def test_my_sender_ids_shows_the_registration_status_in_one_query(countries, django_assert_num_queries):
    complete = RegistrationFactory(
        request__country=countries["IN"], request__status=Status.ACTIVE, aws_status="COMPLETE"
    )
    not_started = RegistrationFactory(request__country=countries["IN"], request__status=Status.ACTIVE)
    requests = [complete.request, not_started.request]

    with django_assert_num_queries(1):
        labels = registry.sender_id_labels(requests)

    assert labels == {complete.request.pk: "COMPLETE", not_started.request.pk: "Not started"}
