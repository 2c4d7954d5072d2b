"""Bad input on the steps AWS's rules govern, refused with its reason and nothing sent to AWS:
a sender ID ending with a hyphen (sender step), Voice without SMS (use-case step), and
malformed or hostile posts (oversized, repeated keys, NUL bytes): a clear message, never a 500."""

import pytest

from senderids.models import SenderIdRequest
from smsvoice.models import AwsCall

from .wizard_support import ANSWERS, step_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

TRAILING_HYPHEN = "A sender ID cannot end with a hyphen."
VOICE_ONLY = "A sender ID can only send SMS, so choose SMS. Voice calls need a phone number"
VOICE_NOTE = "Voice is not part of a sender ID: this sender ID will send SMS only."


@pytest.fixture
def without_approval(settings):
    """Approval off: a request that got through would be submitted to AWS on commit."""
    settings.SENDERIDS_REQUIRE_APPROVAL = False


@pytest.mark.usefixtures("without_approval")
def test_abc_hyphen_is_refused_at_the_sender_step_with_its_reason(
    wizard, owner_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        wizard.walk("country", "use-case")
        response = wizard.submit("sender", {**ANSWERS["sender"], "sender-sender_id": "ABC-"})
        assert response.status_code == 200
        assert TRAILING_HYPHEN in response.content.decode()
        assert owner_client.get(step_url("review"))["Location"] == step_url("sender")
    assert SenderIdRequest.objects.count() == 0
    assert AwsCall.objects.count() == 0
    assert callbacks == []


@pytest.mark.usefixtures("without_approval")
def test_voice_only_is_refused_at_the_use_case_step_with_its_reason(
    wizard, owner_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        wizard.walk("country")
        response = wizard.submit("use-case", {**ANSWERS["use-case"], "use-case-capabilities": ["VOICE"]})
        assert response.status_code == 200
        assert VOICE_ONLY in response.content.decode()
        assert owner_client.get(step_url("sender"))["Location"] == step_url("use-case")
    assert SenderIdRequest.objects.count() == 0
    assert AwsCall.objects.count() == 0
    assert callbacks == []


def test_the_use_case_page_says_sms_is_required_before_anything_is_chosen(wizard):
    wizard.walk("country")
    html = wizard.page("use-case").content.decode()
    assert "A sender ID sends SMS only, so SMS is required" in html


def test_sms_and_voice_is_accepted_and_the_review_says_voice_is_not_part_of_a_sender_id(wizard):
    wizard.walk("country", "use-case", answers={"use-case": {"use-case-capabilities": ["SMS", "VOICE"]}})
    wizard.walk("sender")
    html = wizard.page("review").content.decode()
    section = html[html.index('data-section="use-case"') :]
    assert "<dd>SMS, Voice</dd>" in section and VOICE_NOTE in section[: section.index("</section>")]
    wizard.walk("review")
    created = SenderIdRequest.objects.get()
    assert (created.sms, created.voice) == (True, True)


def test_sms_alone_has_no_voice_note(wizard):
    wizard.walk("country", "use-case", "sender")
    assert VOICE_NOTE not in wizard.page("review").content.decode()


# --- malformed and hostile posts ------------------------------------------------------------------
# A control character anywhere is refused with 400 before the wizard reads it (config.middleware).
CONTROL_CHARACTER = "control character"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"use-case-capabilities": ["VOICE"] * 400}, VOICE_ONLY),
        ({"use-case-capabilities": ["VOICE", "VOICE", "FAX"]}, "Select a valid choice. FAX is not one"),
        ({"use-case-capabilities": ["SMS\x00"]}, CONTROL_CHARACTER),
        ({"use-case-capabilities": "S" * 50_000}, "Select a valid choice."),
        ({"use-case-message_type": "PROMOTIONAL\x00"}, CONTROL_CHARACTER),
        ({"use-case-message_type": "P" * 50_000}, "Select a valid choice."),
        ({"use-case-message_type": ["TRANSACTIONAL", "\x00"]}, CONTROL_CHARACTER),
        ({"use-case-monthly_volume": "\x00" * 1000}, CONTROL_CHARACTER),
    ],
)
def test_malformed_use_case_posts_get_a_clear_message(wizard, changes, message):
    wizard.walk("country")
    response = wizard.submit("use-case", {**ANSWERS["use-case"], **changes})
    assert response.status_code == (400 if message == CONTROL_CHARACTER else 200)
    assert message in response.content.decode()
    assert SenderIdRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("sender_id", "message"),
    [
        (["ACME", "ABC-"], TRAILING_HYPHEN),  # repeated key: the last value is the one judged
        ("ABC-" * 25_000, "this one has 100000"),
        ("\u202eABC-", "not allowed"),
    ],
)
def test_malformed_sender_posts_get_a_clear_message(wizard, sender_id, message):
    wizard.walk("country", "use-case")
    response = wizard.submit("sender", {**ANSWERS["sender"], "sender-sender_id": sender_id})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert SenderIdRequest.objects.count() == 0


@pytest.mark.parametrize("sender_id", ["AB\x00C", "ABC-\x00"])
def test_a_nul_byte_in_the_sender_id_is_refused_before_the_wizard_reads_it(wizard, sender_id):
    # config.middleware.HostileInputMiddleware: a control character anywhere is a 400 with its reason.
    wizard.walk("country", "use-case")
    response = wizard.submit("sender", {**ANSWERS["sender"], "sender-sender_id": sender_id})
    assert response.status_code == 400
    assert CONTROL_CHARACTER in response.content.decode()
    assert SenderIdRequest.objects.count() == 0


def test_a_repeated_sender_id_is_stored_as_the_value_that_was_judged(wizard):
    wizard.walk("country", "use-case")
    response = wizard.submit("sender", {**ANSWERS["sender"], "sender-sender_id": ["ABC-", "ACME"]})
    assert response["Location"] == step_url("review")
    wizard.walk("review")
    assert SenderIdRequest.objects.get().sender_id == "ACME"
