"""The wizard follows the process a request will take, not just the catalogue row: India's
registration form exists only in ap-south-1/ap-south-2 and is for transactional sender IDs;
elsewhere, or for promotional sender IDs, India goes through an AWS Support case, and each page
from the use-case step on says why. The request stores that same process.

Source: https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations-sms-senderid-india-support.html
"""

import re

import pytest

from senderids.choices import Status
from senderids.models import SenderIdRequest
from senderids.services.requests import sender_id_request_create

from .wizard_support import ANSWERS, step_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

BASE_STEPS = ["country", "use-case", "sender", "review"]
REGION_REASON = "India&#x27;s registration form is only available in ap-south-1 and ap-south-2"
PROMOTIONAL_REASON = "promotional India sender IDs are registered through an AWS Support case"
SUPPORT_CASE_BADGE = '<span class="badge support_case">Support case required</span>'
INDIA = {"country": {"country-country": "IN"}, "sender": {"sender-sender_id": "ACMEIN"}}
INDIA_CASE = {
    **ANSWERS["support-case"],
    "support-case-destination_countries": "India",
    "support-case-message_type": "promotional",
    "support-case-region": "ap-south-1",
}


def india(message_type: str) -> dict:
    return {**INDIA, "use-case": {**ANSWERS["use-case"], "use-case-message_type": message_type}}


def stepper_steps(html: str) -> list[str]:
    return re.findall(r'<li class="[^"]*" data-step="([^"]+)"', html)


@pytest.fixture
def mumbai(settings):
    settings.AWS_REGION = "ap-south-1"


@pytest.fixture
def ireland(settings):
    settings.AWS_REGION = "eu-west-1"


# --- ap-south-1: the message type decides -------------------------------------------------------
@pytest.mark.usefixtures("mumbai")
def test_india_transactional_in_mumbai_takes_the_registration_step(wizard):
    wizard.walk("country", "use-case", answers=india("TRANSACTIONAL"))
    html = wizard.page("sender").content.decode()
    assert stepper_steps(html) == [*BASE_STEPS, "registration"]
    assert '<span class="badge registration">Registration required</span>' in html
    assert 'id="process-reason"' not in html
    wizard.walk("sender", "review", "registration", answers=INDIA)
    created = SenderIdRequest.objects.get()
    assert (created.process, created.message_type) == ("registration", "TRANSACTIONAL")


@pytest.mark.usefixtures("mumbai")
def test_india_promotional_takes_the_support_case_step_with_the_reason_on_every_page(wizard):
    wizard.walk("country", "use-case", answers=india("PROMOTIONAL"))
    for step in ("sender", "review"):
        if step == "review":
            wizard.walk("sender", answers=INDIA)
        html = wizard.page(step).content.decode()
        assert stepper_steps(html) == [*BASE_STEPS, "support-case"], step
        assert PROMOTIONAL_REASON in html, step
        assert SUPPORT_CASE_BADGE in html, step
    assert "<dt>Sender ID support</dt><dd>Support case required</dd>" in html
    assert wizard.submit("review")["Location"] == step_url("support-case")
    html = wizard.page("support-case").content.decode()
    assert PROMOTIONAL_REASON in html
    assert 'name="support-case-destination_countries" value="India"' in html
    assert re.search(r'name="support-case-message_type" value="promotional"[^>]*checked', html)


@pytest.mark.usefixtures("mumbai")
def test_india_promotional_request_is_created_with_the_support_case_process(wizard):
    answers = {**india("PROMOTIONAL"), "support-case": INDIA_CASE}
    wizard.walk("country", "use-case", "sender", "review", "support-case", answers=answers)
    created = SenderIdRequest.objects.get()
    assert (created.process, created.message_type, created.status) == (
        "support_case",
        "PROMOTIONAL",
        Status.PENDING_REVIEW,
    )
    assert created.support_case_details["destination_countries"] == "India"
    assert created.registration_form_name == ""


@pytest.mark.usefixtures("mumbai")
def test_the_registration_step_is_not_offered_to_a_promotional_india_request(wizard, owner_client):
    wizard.walk("country", "use-case", "sender", "review", answers=india("PROMOTIONAL"))
    response = owner_client.get(step_url("registration"))
    assert response["Location"] == step_url("support-case")


@pytest.mark.usefixtures("mumbai")
def test_changing_the_message_type_from_the_review_switches_the_process(wizard, owner_client):
    wizard.walk("country", "use-case", "sender", answers=india("TRANSACTIONAL"))
    assert "registration" in stepper_steps(wizard.page("review").content.decode())
    owner_client.get(step_url("use-case") + "?edit=1")
    response = wizard.submit("use-case", india("PROMOTIONAL")["use-case"])
    assert response["Location"] == step_url("review")
    html = wizard.page("review").content.decode()
    assert stepper_steps(html) == [*BASE_STEPS, "support-case"]
    assert PROMOTIONAL_REASON in html


@pytest.mark.usefixtures("mumbai")
def test_the_country_step_says_what_a_promotional_india_request_takes(wizard, owner_client):
    html = wizard.page("country").content.decode()
    option = re.search(r'<option value="IN"[^>]*>', html).group(0)
    assert 'data-process="registration"' in option
    assert PROMOTIONAL_REASON in option  # the script shows data-notes when India is picked
    wizard.submit("country", {"country-country": "IN"}, wizard_preview="1")
    html = owner_client.get(step_url("country")).content.decode()
    details = html[html.index('id="country-details"') :]
    assert "Registration required" in details and PROMOTIONAL_REASON in details
    assert "IN_SENDER_ID_REGISTRATION" in details


# --- outside ap-south-1/2: the Region decides -----------------------------------------------------
@pytest.mark.usefixtures("ireland")
def test_india_outside_ap_south_is_a_support_case_with_the_region_reason(wizard, owner_client):
    html = wizard.page("country").content.decode()
    option = re.search(r'<option value="IN"[^>]*>[^<]*<', html).group(0)
    assert 'data-process="support_case"' in option and "India (IN) — Support case required<" in option
    assert REGION_REASON in option
    assert 'data-registration-type=""' in option  # the form's type is no use where it is not offered
    wizard.submit("country", {"country-country": "IN"}, wizard_preview="1")
    details = owner_client.get(step_url("country")).content.decode().split('id="country-details"')[1]
    assert "IN_SENDER_ID_REGISTRATION" not in details
    assert SUPPORT_CASE_BADGE.replace('class="badge', 'data-role="badge" class="badge') in details
    assert REGION_REASON in details and "This portal sends from eu-west-1" in details
    wizard.walk("country", answers=INDIA)
    html = wizard.page("use-case").content.decode()
    assert stepper_steps(html) == [*BASE_STEPS, "support-case"]
    assert REGION_REASON in html and SUPPORT_CASE_BADGE in html


@pytest.mark.usefixtures("ireland")
def test_india_transactional_outside_ap_south_creates_a_support_case_request(wizard):
    answers = {**india("TRANSACTIONAL"), "support-case": INDIA_CASE}
    wizard.walk("country", "use-case", "sender", "review", answers=answers)
    assert REGION_REASON in wizard.page("support-case").content.decode()
    wizard.walk("support-case", answers=answers)
    assert SenderIdRequest.objects.get().process == "support_case"


# --- the request keeps the process it was created with ---------------------------------------------
def test_a_request_in_flight_keeps_its_process_when_the_region_changes(wizard, settings):
    settings.AWS_REGION = "ap-south-1"
    wizard.walk("country", "use-case", "sender", "review", "registration", answers=india("TRANSACTIONAL"))
    settings.AWS_REGION = "eu-west-1"
    request = SenderIdRequest.objects.get()
    request.refresh_from_db()
    assert request.process == "registration"


@pytest.mark.parametrize(
    ("region", "message_type", "process"),
    [
        ("ap-south-1", "TRANSACTIONAL", "registration"),
        ("ap-south-2", "PROMOTIONAL", "support_case"),
        ("eu-west-1", "TRANSACTIONAL", "support_case"),
    ],
)
def test_request_creation_stores_the_process_the_wizard_showed(
    owner, countries, settings, region, message_type, process
):
    settings.AWS_REGION = region
    request = sender_id_request_create(
        owner=owner, country=countries["IN"], sender_id="ACMEIN", message_type=message_type
    )
    assert request.process == process


# --- conditions read the stored answers, whatever they are -----------------------------------------
SESSION_KEY = "wizard_sender_id_request_wizard"


@pytest.mark.usefixtures("mumbai")
@pytest.mark.parametrize("stored", ["promotional", "PROMOTIONAL\x00", "<script>", "P" * 5000, ""])
def test_an_altered_stored_message_type_never_breaks_the_wizard(wizard, owner_client, stored):
    wizard.walk("country", "use-case", "sender", answers=india("TRANSACTIONAL"))
    session = owner_client.session
    session[SESSION_KEY]["step_data"]["use-case"]["use-case-message_type"] = [stored]
    session.save()
    response = owner_client.get(step_url("review"))
    assert response["Location"] == step_url("use-case")  # the stored answer no longer validates
    assert owner_client.get(step_url("use-case")).status_code == 200


@pytest.mark.usefixtures("mumbai")
def test_a_repeated_message_type_is_judged_and_followed_as_the_same_value(wizard, owner_client):
    """The form and the step conditions both read the last value of a repeated key."""
    wizard.walk("country", answers=INDIA)
    use_case = {**ANSWERS["use-case"], "use-case-message_type": ["TRANSACTIONAL", "PROMOTIONAL"]}
    assert wizard.submit("use-case", use_case)["Location"] == step_url("sender")
    wizard.walk("sender", answers=INDIA)
    html = wizard.page("review").content.decode()
    assert "<dt>Message type</dt><dd>Promotional</dd>" in html
    assert stepper_steps(html) == [*BASE_STEPS, "support-case"]
