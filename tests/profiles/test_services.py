"""Writes of the profiles app: who may write, what is stored, the save-back from a registration form's
answers, and the expiry reminders (30 and 7 days before, each once)."""

from __future__ import annotations

import hashlib

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from profiles import services
from profiles.models import CompanyProfile, Document, DocumentKind
from teams.models import Role
from teams.services import membership_set

from .conftest import PDF, days, pdf

pytestmark = pytest.mark.django_db


# --- the profile ---------------------------------------------------------------------------------
def test_a_team_admin_saves_the_profile(owner, team):
    profile = services.profile_save(
        team=team, data={"legal_name": " Acme Ltd ", "city": "Leeds"}, actor=owner
    )
    profile.refresh_from_db()
    assert (profile.legal_name, profile.city, profile.updated_by) == ("Acme Ltd", "Leeds", owner)


def test_saving_some_attributes_keeps_the_others(owner, team):
    services.profile_save(team=team, data={"legal_name": "Acme Ltd", "city": "Leeds"}, actor=owner)
    services.profile_save(team=team, data={"city": "York"}, actor=owner)
    profile = CompanyProfile.objects.get(team=team)
    assert (profile.legal_name, profile.city) == ("Acme Ltd", "York")


def test_a_member_cannot_save_the_profile(teammate, team):
    with pytest.raises(PermissionDenied):
        services.profile_save(team=team, data={"legal_name": "Hijack"}, actor=teammate)
    assert not CompanyProfile.objects.exists()


def test_another_team_cannot_save_the_profile(stranger, rival_team, team):
    with pytest.raises(PermissionDenied):
        services.profile_save(team=team, data={"legal_name": "Hijack"}, actor=stranger)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"legal_name": "x" * 101}, "legal_name"),
        ({"company_id": "1" * 31}, "company_id"),
        ({"website": "a.b"}, "website"),
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"iso_country_code": "GBR"}, "iso_country_code"),
        ({"message_sample1": "x" * 307}, "message_sample1"),
        ({"legal_name": "Acme\x00Ltd"}, "legal_name"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ],
    ids=["long-name", "long-id", "short-website", "email", "country", "long-sample", "nul-byte", "unknown"],
)
def test_values_outside_aws_ranges_are_refused_and_nothing_is_stored(owner, team, data, field):
    with pytest.raises(ValidationError) as exc:
        services.profile_save(team=team, data=data, actor=owner)
    assert field in exc.value.message_dict
    assert not CompanyProfile.objects.exists()


def test_answers_are_saved_back_and_the_changed_attributes_returned(owner, team):
    services.profile_save(team=team, data={"legal_name": "Acme Ltd", "city": "Leeds"}, actor=owner)
    changed = services.profile_update_from_answers(
        team=team,
        answers={
            "companyInfo.companyName": "Acme Ltd",  # unchanged
            "companyAddress.city": "York",
            "companyInfo.areaOfBusiness": ["Technology"],
            "companyAddress.address2": "",  # blank: never erases
            "inSidSpecificInfo.principalEntityId": "120115",  # unknown to the profile
        },
        actor=owner,
    )
    assert sorted(changed) == ["area_of_business", "city"]
    profile = CompanyProfile.objects.get(team=team)
    assert (profile.city, profile.area_of_business, profile.legal_name) == ("York", "Technology", "Acme Ltd")


def test_an_answer_the_profile_cannot_hold_is_left_out(owner, team):
    changed = services.profile_update_from_answers(
        team=team,
        answers={"companyInfo.companyId": "9" * 40, "companyAddress.city": "York"},
        actor=owner,
    )
    assert changed == ["city"]
    assert CompanyProfile.objects.get(team=team).company_id == ""


def test_a_member_cannot_save_answers_back(teammate, team):
    with pytest.raises(PermissionDenied):
        services.profile_update_from_answers(
            team=team, answers={"companyAddress.city": "York"}, actor=teammate
        )
    assert not CompanyProfile.objects.exists()


# --- documents -----------------------------------------------------------------------------------
def test_a_document_is_stored_with_its_digest_and_sniffed_type(owner, team):
    document = services.document_add(
        team=team,
        actor=owner,
        upload=pdf("loa.pdf"),
        kind=DocumentKind.LETTER_OF_AUTHORIZATION,
        country="id",
        expires_on=days(90),
    )
    document.refresh_from_db()
    assert bytes(document.content) == PDF
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (document.content_type, document.size, document.country) == ("application/pdf", len(PDF), "ID")
    assert (document.title, document.file_name, document.uploaded_by) == ("loa.pdf", "loa.pdf", owner)


def test_a_member_cannot_add_or_delete_documents(teammate, team, add_document):
    with pytest.raises(PermissionDenied):
        services.document_add(team=team, actor=teammate, upload=pdf(), kind=DocumentKind.OTHER)
    document = add_document()
    with pytest.raises(PermissionDenied):
        services.document_delete(document=document, actor=teammate)
    assert Document.objects.count() == 1


def test_a_team_admin_deletes_a_document(owner, add_document):
    services.document_delete(document=add_document(), actor=owner)
    assert not Document.objects.exists()


# --- expiry reminders ----------------------------------------------------------------------------
@pytest.fixture
def second_admin(django_user_model, team):
    ada = django_user_model.objects.create_user("ada2", "ada2@acme.example", "x")
    membership_set(team=team, user=ada, role=Role.ADMIN)
    return ada


def run_on(day_offset: int) -> int:
    """The reminder run as it happens `day_offset` days from today (the documents' dates are relative)."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    moment = timezone.make_aware(datetime.combine(days(0) + timedelta(days=day_offset), time(7, 30)))
    return services.document_expiry_reminders_send(now=moment)


def test_team_admins_are_reminded_30_and_7_days_before_expiry_once_each(
    team, add_document, teammate, second_admin
):
    add_document(title="Tax card", expires_on=days(40))
    assert run_on(0) == 0  # 40 days out: nothing yet
    assert run_on(10) == 2  # 30 days before: both team admins (Olivia, Ada), not the member
    assert sorted(m.to[0] for m in mail.outbox) == ["ada2@acme.example", "olivia@acme.example"]
    assert "expires in 30 days" in mail.outbox[0].body and "/profile/" in mail.outbox[0].body
    assert "Tax card" in mail.outbox[0].subject
    assert run_on(10) == 0 and run_on(20) == 0  # sent once; nothing between the reminders
    assert run_on(33) == 2  # 7 days before
    assert "expires in 7 days" in mail.outbox[-1].body
    assert run_on(34) == 0 and run_on(40) == 0 and run_on(41) == 0
    assert len(mail.outbox) == 4


def test_a_run_that_missed_the_30_day_reminder_sends_only_the_latest_due(team, add_document):
    add_document(expires_on=days(5))
    assert run_on(0) == 1
    assert "expires in 5 days" in mail.outbox[0].body
    assert run_on(1) == 0


def test_documents_without_expiry_or_already_expired_get_no_reminder(team, add_document):
    add_document(expires_on=None)
    add_document(expires_on=days(-1))
    assert run_on(0) == 0
    assert mail.outbox == []


def test_the_beat_task_runs_the_reminders(team, add_document):
    from config.celery import app
    from profiles.tasks import document_expiry_reminders

    add_document(expires_on=days(30))
    assert document_expiry_reminders.apply().get() == 1
    entry = app.conf.beat_schedule["document-expiry-reminders"]
    assert entry["task"] == document_expiry_reminders.name == "profiles.tasks.document_expiry_reminders"
