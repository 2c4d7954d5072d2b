"""/sender-ids/<id>/release/: owner only, billing explained, the word "release" typed exactly (checked on
the server, with or without JavaScript), only active sender IDs, deletion protection turned off first."""

from __future__ import annotations

import pytest

from senderids.choices import Status
from senderids.models import SenderIdRequest, StatusEvent
from senderids.views import next_month_start
from tests.senderids import release_support
from tests.senderids.release_support import (
    RELEASE_WORD,
    active_request,
    calls,
    leased_request,
    protection_url,
    release_button_disabled,
    release_url,
    status_of,
)

releases_enqueued = release_support.releases_enqueued

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def post_word(client, request: SenderIdRequest, word: str, action: str = "release"):
    return client.post(release_url(request), {"confirmation": word, "action": action})


# --- who may see the page -----------------------------------------------------------------------------
def test_anonymous_user_is_sent_to_login(client, owner):
    request = active_request(owner)
    for response in (client.get(release_url(request)), post_word(client, request, RELEASE_WORD)):
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert status_of(request) == Status.ACTIVE


def test_another_users_sender_id_answers_404(client, owner, stranger, releases_enqueued):
    request = active_request(owner)
    client.force_login(stranger)
    assert client.get(release_url(request)).status_code == 404
    assert post_word(client, request, RELEASE_WORD).status_code == 404
    assert client.get(protection_url(request)).status_code == 404
    assert client.post(protection_url(request), {"confirm": "off"}).status_code == 404
    assert status_of(request) == Status.ACTIVE and releases_enqueued == []


def test_staff_release_from_admin_not_from_the_owners_page(client, owner, staff_user):
    request = active_request(owner)
    client.force_login(staff_user)
    assert client.get(release_url(request)).status_code == 404


def test_unknown_request_answers_404(owner_client):
    assert owner_client.get("/sender-ids/999999/release/").status_code == 404


# --- what the page says ---------------------------------------------------------------------------------
def test_page_explains_billing_and_starts_with_the_button_disabled(owner_client, owner):
    from django.utils import timezone
    from django.utils.formats import date_format

    request = active_request(owner, monthly_leasing_price="3.00")
    response = owner_client.get(release_url(request))
    html = response.content.decode()
    assert response.status_code == 200
    assert "charges stop from the next calendar month" in html
    assert date_format(next_month_start(timezone.localdate())) in html
    assert "USD 3.00 per month" in html
    assert release_button_disabled(html)
    assert 'id="check-button"' in html  # the way to enable it without JavaScript
    assert "js/release.js" in html


def test_detail_page_links_to_release_for_the_owner_of_an_active_sender_id(owner_client, owner):
    request = active_request(owner)
    html = owner_client.get(f"/sender-ids/{request.pk}/").content.decode()
    assert release_url(request) in html


@pytest.mark.parametrize(
    "today, expected",
    [("2026-01-31", "2026-02-01"), ("2026-02-01", "2026-03-01"), ("2026-12-15", "2027-01-01")],
)
def test_charges_stop_on_the_first_day_of_the_next_calendar_month(today, expected):
    from datetime import date

    assert next_month_start(date.fromisoformat(today)) == date.fromisoformat(expected)


# --- the confirmation word -----------------------------------------------------------------------------
WRONG_WORDS = [
    pytest.param("Release", id="capitalised"),
    pytest.param("RELEASE", id="upper-case"),
    pytest.param("releasex", id="suffix"),
    pytest.param("releas", id="prefix"),
    pytest.param("rel ease", id="inner-space"),
    pytest.param("", id="empty"),
    pytest.param("   ", id="only-spaces"),
    pytest.param("r\u0435lease", id="cyrillic-e"),
    pytest.param("\uff52\uff45\uff4c\uff45\uff41\uff53\uff45", id="fullwidth"),
    pytest.param("re\u200blease", id="zero-width-space"),
    pytest.param("release\u200b", id="trailing-zero-width-space"),
    # "release\x00": refused with 400 before the view (tests/security/test_hostile_input.py).
    pytest.param("release" + " " * 200, id="oversized-padding"),
    pytest.param("x" * 10_000, id="oversized"),
    pytest.param("delete", id="other-word"),
]


@pytest.mark.parametrize("word", WRONG_WORDS)
@pytest.mark.parametrize("action", ["release", "check"])
def test_release_requires_typing_release_exactly(owner_client, owner, releases_enqueued, word, action):
    request = active_request(owner)
    response = post_word(owner_client, request, word, action)
    html = response.content.decode()
    assert response.status_code == 200
    assert release_button_disabled(html)
    assert 'id="confirmation-errors"' in html
    assert status_of(request) == Status.ACTIVE
    assert releases_enqueued == []
    assert len(html) < 20_000  # an oversized answer is not echoed back


def test_missing_confirmation_field_releases_nothing(owner_client, owner, releases_enqueued):
    request = active_request(owner)
    response = owner_client.post(release_url(request), {"action": "release"})
    assert response.status_code == 200 and release_button_disabled(response.content.decode())
    assert status_of(request) == Status.ACTIVE and releases_enqueued == []


@pytest.mark.parametrize("word", ["release", " release ", "\trelease\n", "\u00a0release\u3000"])
def test_the_word_is_trimmed_before_it_is_compared(
    owner_client, owner, releases_enqueued, django_capture_on_commit_callbacks, word
):
    request = active_request(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_word(owner_client, request, word)
    assert response.status_code == 302 and response["Location"] == f"/sender-ids/{request.pk}/"
    assert status_of(request) == Status.RELEASING
    assert releases_enqueued == [request.pk]


def test_check_without_javascript_enables_the_button_and_releases_nothing(
    owner_client, owner, releases_enqueued
):
    request = active_request(owner)
    response = post_word(owner_client, request, " release ", action="check")
    html = response.content.decode()
    assert response.status_code == 200
    assert not release_button_disabled(html)
    assert 'value=" release "' in html  # what was typed stays in the box
    assert status_of(request) == Status.ACTIVE and releases_enqueued == []


def test_release_records_the_owner_on_the_timeline_and_says_when_charges_stop(
    owner_client, owner, releases_enqueued, django_capture_on_commit_callbacks
):
    request = active_request(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_word(owner_client, request, RELEASE_WORD)
    event = StatusEvent.objects.get(request=request, to_status=Status.RELEASING)
    assert (event.from_status, event.actor, event.reason) == (
        Status.ACTIVE,
        owner,
        "Release requested by the owner.",
    )
    page = owner_client.get(response["Location"]).content.decode()
    assert "is being released. Lease charges stop from" in page


def test_double_submit_enqueues_one_release(
    owner_client, owner, releases_enqueued, django_capture_on_commit_callbacks
):
    request = active_request(owner)
    with django_capture_on_commit_callbacks(execute=True):
        first = post_word(owner_client, request, RELEASE_WORD)
        second = post_word(owner_client, request, RELEASE_WORD)
    assert first.status_code == second.status_code == 302
    assert releases_enqueued == [request.pk]
    assert StatusEvent.objects.filter(request=request, to_status=Status.RELEASING).count() == 1
    page = owner_client.get(second["Location"]).content.decode()
    assert "is already being released" in page


# --- only active sender IDs ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "status, message",
    [
        (Status.RELEASING, "is already being released"),
        (Status.RELEASED, "was already released"),
        (Status.PENDING_REVIEW, "Only an active sender ID can be released"),
        (Status.FAILED, "Only an active sender ID can be released"),
    ],
)
def test_only_active_sender_ids_can_be_released(owner_client, owner, releases_enqueued, status, message):
    request = active_request(owner, status=status)
    page = owner_client.get(release_url(request))
    assert page.status_code == 200 and message in page.content.decode()
    assert 'id="release-form"' not in page.content.decode()
    response = post_word(owner_client, request, RELEASE_WORD)
    assert response.status_code == 302
    assert status_of(request) == status and releases_enqueued == []


# --- deletion protection ----------------------------------------------------------------------------------
def test_protected_sender_id_offers_to_turn_protection_off_instead_of_releasing(owner_client, owner):
    request = active_request(owner, deletion_protection=True)
    html = owner_client.get(release_url(request)).content.decode()
    assert "Deletion protection is on" in html
    assert protection_url(request) in html
    assert 'id="release-form"' not in html


def test_protected_sender_id_is_not_released_even_by_a_forged_post(owner_client, owner, releases_enqueued):
    request = active_request(owner, deletion_protection=True)
    response = post_word(owner_client, request, RELEASE_WORD)
    assert response.status_code == 302 and response["Location"] == release_url(request)
    assert status_of(request) == Status.ACTIVE and releases_enqueued == []


def test_turning_protection_off_is_a_separate_confirmed_step(owner_client, owner, sms_simulator):
    request = leased_request(sms_simulator, owner, "SAFEBANK", deletion_protection=True)

    confirm_page = owner_client.get(protection_url(request))
    assert confirm_page.status_code == 200
    assert 'id="confirm-protection-off"' in confirm_page.content.decode()
    owner_client.post(protection_url(request), {})  # not confirmed: nothing happens
    assert calls(sms_simulator, "UpdateSenderId") == []

    response = owner_client.post(protection_url(request), {"confirm": "off"})
    assert response.status_code == 302 and response["Location"] == release_url(request)
    (call,) = calls(sms_simulator, "UpdateSenderId", "ok")
    assert call["params"] == {
        "SenderId": "SAFEBANK",
        "IsoCountryCode": "DE",
        "DeletionProtectionEnabled": False,
    }
    request.refresh_from_db()
    assert request.deletion_protection is False and request.status == Status.ACTIVE
    note = request.events.get()
    assert (note.actor, note.reason) == (owner, "Deletion protection turned off at AWS.")

    page = owner_client.get(release_url(request)).content.decode()
    assert "Deletion protection is off for SAFEBANK" in page
    assert 'id="release-form"' in page


def test_aws_refusing_to_turn_protection_off_is_shown_and_nothing_changes(owner_client, owner, sms_simulator):
    request = leased_request(sms_simulator, owner, "SAFEBANK", deletion_protection=True)
    sms_simulator.fail_next("UpdateSenderId", "AccessDeniedException", message="Not allowed by policy")
    response = owner_client.post(protection_url(request), {"confirm": "off"}, follow=True)
    assert "AWS did not turn off deletion protection: Not allowed by policy" in response.content.decode()
    request.refresh_from_db()
    assert request.deletion_protection is True and not request.events.exists()


def test_aws_busy_while_turning_protection_off_asks_to_try_again(owner_client, owner, sms_simulator):
    request = leased_request(sms_simulator, owner, "SAFEBANK", deletion_protection=True)
    sms_simulator.fail_next("UpdateSenderId", "ThrottlingException")
    response = owner_client.post(protection_url(request), {"confirm": "off"}, follow=True)
    assert "AWS is busy right now" in response.content.decode()
    assert SenderIdRequest.objects.get(pk=request.pk).deletion_protection is True


def test_protection_page_of_an_unprotected_sender_id_goes_to_the_release_page(owner_client, owner):
    request = active_request(owner)
    response = owner_client.post(protection_url(request), {"confirm": "off"})
    assert response.status_code == 302 and response["Location"] == release_url(request)
