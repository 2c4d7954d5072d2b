"""The request wizard end to end through Django's test client: steps per country process,
"Previous", edit-from-review, and what done() stores (on PostgreSQL under `make test`)."""

import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.utils import translation

from senderids.choices import RegistrationChoice, Status
from senderids.models import SenderIdRequest, StatusEvent

from .wizard_support import ANSWERS, MANAGEMENT_FIELD, WIZARD_URL, hidden_fields, step_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

BASE_STEPS = ["country", "use-case", "sender", "review"]


def stepper_steps(html: str) -> list[str]:
    return re.findall(r'<li class="[^"]*" data-step="([^"]+)"', html)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def mumbai(settings):
    """India's registration form exists only in ap-south-1/ap-south-2 (elsewhere: a support case)."""
    settings.AWS_REGION = "ap-south-1"


def test_anonymous_user_is_sent_to_login(client, countries):
    for url in (WIZARD_URL, step_url("country"), step_url("review")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_wizard_url_resumes_at_the_current_step(wizard, owner_client):
    assert owner_client.get(WIZARD_URL)["Location"] == step_url("country")
    wizard.walk("country")
    assert owner_client.get(WIZARD_URL)["Location"] == step_url("use-case")


def test_every_page_renders_the_management_form_and_run_fields(wizard):
    fields = hidden_fields(wizard.page("country").content.decode())
    assert fields[MANAGEMENT_FIELD] == "country"
    assert fields["wizard_run"]
    assert "wizard_country" in fields


@pytest.mark.parametrize(
    ("iso", "steps"),
    [
        ("DE", [*BASE_STEPS]),
        ("IN", [*BASE_STEPS, "registration"]),
        ("VN", [*BASE_STEPS, "support-case"]),
    ],
)
@pytest.mark.usefixtures("mumbai")
def test_steps_follow_the_countrys_process(wizard, iso, steps):
    wizard.walk("country", answers={"country": {"country-country": iso}})
    assert stepper_steps(wizard.page("use-case").content.decode()) == steps


@pytest.mark.usefixtures("mumbai")
def test_country_step_shows_the_process_before_going_on(wizard, owner_client):
    html = wizard.page("country").content.decode()
    option = r'value="IN"[^>]*data-process="registration"[^>]*>India \(IN\) — Registration required<'
    assert re.search(option, html)
    response = wizard.submit("country", {"country-country": "VN"}, wizard_preview="1")
    assert response["Location"] == step_url("country")
    html = owner_client.get(step_url("country")).content.decode()
    details = html[html.index('id="country-details"') :]
    assert "Support case required" in details and "AWS Support case" in details
    assert 'value="VN" data-name="Vietnam"' in html and "selected>Vietnam" in html


def test_country_search_works_without_javascript(wizard, owner_client):
    html = owner_client.get(step_url("country"), {"q": "indi"}).content.decode()
    options = re.findall(r'<option value="([A-Z]{2})"', html)
    assert "IN" in options and "DE" not in options


@pytest.mark.parametrize("value", ["", "ZZ", "india", "<script>", "D" * 10000])
def test_country_step_refuses_what_is_not_in_the_catalogue(wizard, value):
    response = wizard.submit("country", {"country-country": value})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_use_case_needs_at_least_one_capability(wizard):
    wizard.walk("country")
    response = wizard.submit("use-case", {**ANSWERS["use-case"], "use-case-capabilities": []})
    assert "Select at least one capability" in response.content.decode()


def test_an_unsupported_country_stops_at_the_country_step_with_the_reason(wizard):
    response = wizard.submit("country", {"country-country": "US"})

    assert response.status_code == 200  # not on to the use case: nothing else is asked first
    html = response.content.decode()
    assert "Sender IDs are not supported in United States" in html
    assert "Choose another country." in html
    assert wizard.client.get(step_url("use-case"))["Location"] == step_url("country")


def test_sender_step_lists_other_originator_types_as_not_offered(wizard):
    wizard.walk("country", "use-case")
    html = wizard.page("sender").content.decode()
    for label in ("Long code", "Toll-free number", "Short code", "10DLC"):
        assert label in html
    assert html.count("Not offered here") == 4


def test_previous_keeps_what_was_typed(wizard):
    """formtools #284: "Previous" used to drop the current step's input."""
    wizard.walk("country", "use-case")
    response = wizard.submit("sender", {"sender-sender_id": "TYPED1"}, wizard_goto_step="use-case")
    assert response["Location"] == step_url("use-case")
    assert 'value="TYPED1"' in wizard.page("sender").content.decode()


def test_previous_on_an_untouched_step_stores_nothing(wizard, owner_client):
    wizard.walk("country")
    untouched = {"use-case-capabilities": ["SMS"], "use-case-monthly_volume": ""}  # what the page shows
    wizard.submit("use-case", untouched, wizard_goto_step="country")
    html = wizard.page("use-case").content.decode()
    assert "errorlist" not in html


def test_completed_steps_are_links_in_the_stepper(wizard):
    wizard.walk("country", "use-case")
    html = wizard.page("sender").content.decode()
    assert f'<a href="{step_url("country")}">1. Country</a>' in html
    assert f'<a href="{step_url("use-case")}">2. Use case</a>' in html
    assert 'href="/sender-ids/request/review/"' not in html


def test_review_shows_every_answer_with_edit_links(wizard):
    wizard.walk("country", "use-case", "sender")
    html = wizard.page("review").content.decode()
    for text in ("Germany (DE)", "SMS", "10,001 – 100,000", "International", "Transactional", "ACME"):
        assert text in html
    for step in ("country", "use-case", "sender"):
        assert f'href="{step_url(step)}?edit=1"' in html
    assert ">Request sender ID</button>" in html


def test_edit_from_review_returns_to_review(wizard, owner_client):
    wizard.walk("country", "use-case", "sender")
    assert owner_client.get(step_url("use-case") + "?edit=1").status_code == 200
    response = wizard.submit("use-case", {**ANSWERS["use-case"], "use-case-message_type": "PROMOTIONAL"})
    assert response["Location"] == step_url("review")
    assert "Promotional" in wizard.page("review").content.decode()


def test_edit_country_from_review_sends_to_the_step_the_change_broke(wizard, owner_client):
    wizard.walk("country", "use-case", "sender", answers={"sender": {"sender-sender_id": "ACME-1"}})
    owner_client.get(step_url("country") + "?edit=1")
    response = wizard.submit("country", {"country-country": "IN"})
    assert response["Location"] == step_url("sender")
    assert any("needs another look" in m for m in messages_of(response))
    html = wizard.page("sender").content.decode()
    assert "only letters" in html
    response = wizard.submit("sender", {**ANSWERS["sender"], "sender-sender_id": "ACMEIN"})
    assert response["Location"] == step_url("review")


def test_without_edit_the_wizard_goes_forward_as_usual(wizard, owner_client):
    wizard.walk("country", "use-case", "sender")
    owner_client.get(step_url("use-case"))
    assert wizard.submit("use-case")["Location"] == step_url("sender")


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="make test runs PostgreSQL"
)
def test_suite_runs_the_wizard_on_postgresql():
    assert connection.vendor == "postgresql"


def test_done_creates_the_request_and_its_first_event(wizard, owner_client, owner):
    response = wizard.walk("country", "use-case", "sender", "review")
    created = SenderIdRequest.objects.get()
    assert response["Location"] == f"/sender-ids/{created.pk}/"
    assert (created.owner, created.country_id, created.sender_id) == (owner, "DE", "ACME")
    assert (created.process, created.status) == ("supported", Status.PENDING_REVIEW)
    assert (created.sms, created.voice, created.message_type) == (True, False, "TRANSACTIONAL")
    assert (created.monthly_volume, created.company_hq) == ("10001-100000", "international")
    assert (created.registration_choice, created.support_case_details) == ("", {})
    event = StatusEvent.objects.get(request=created)
    assert (event.from_status, event.to_status, event.actor) == ("", Status.PENDING_REVIEW, owner)
    assert "was received" in " ".join(messages_of(response))


def test_after_done_the_wizard_starts_afresh(wizard, owner_client):
    wizard.walk("country", "use-case", "sender", "review")
    assert owner_client.get(WIZARD_URL)["Location"] == step_url("country")
    html = wizard.page("country").content.decode()
    assert "selected>" not in html.split('id="id_country-country"')[1][:200]


@pytest.mark.usefixtures("mumbai")
def test_registration_country_stores_the_registration_choice(wizard):
    answers = {"country": {"country-country": "IN"}, "sender": {"sender-sender_id": "ACMEIN"}}
    response = wizard.walk("country", "use-case", "sender", "review", "registration", answers=answers)
    created = SenderIdRequest.objects.get()
    assert (created.process, created.registration_choice) == ("registration", RegistrationChoice.LATER)
    assert created.registration_form_name == "ACME India"
    assert response["Location"] == f"/sender-ids/{created.pk}/"


@pytest.mark.usefixtures("mumbai")
def test_complete_registration_goes_to_the_registration_page_when_it_exists(wizard):
    answers = {
        "country": {"country-country": "IN"},
        "sender": {"sender-sender_id": "ACMEIN"},
        "registration": {**ANSWERS["registration"], "registration-registration_choice": "now"},
    }
    response = wizard.walk("country", "use-case", "sender", "review", "registration", answers=answers)
    created = SenderIdRequest.objects.get()
    assert created.registration_choice == RegistrationChoice.COMPLETE_NOW
    assert response["Location"] == f"/registrations/{created.pk}/"


@pytest.mark.usefixtures("mumbai")
def test_registration_step_warns_about_lease_fees_and_suggests_a_name(wizard):
    answers = {"country": {"country-country": "IN"}, "sender": {"sender-sender_id": "acmein"}}
    wizard.walk("country", "use-case", "sender", "review", answers=answers)
    html = wizard.page("registration").content.decode()
    assert "Monthly lease fees for the sender ID are charged whatever the registration status" in html
    assert 'value="ACMEIN – India"' in html


def test_support_case_country_stores_every_support_case_field(wizard):
    answers = {"country": {"country-country": "VN"}}
    wizard.walk("country", "use-case", "sender", "review", "support-case", answers=answers)
    created = SenderIdRequest.objects.get()
    assert created.process == "support_case"
    details = created.support_case_details
    assert set(details) == {key.removeprefix("support-case-") for key in ANSWERS["support-case"]}
    assert details["region"] == "ap-southeast-1"
    assert details["new_quota_value"] == 1
    assert details["company_phone"] == "+33123456789"
    assert details["resource_type"] == "Sender ID Registration"


def test_support_case_step_prefills_from_earlier_answers(wizard):
    wizard.walk("country", "use-case", "sender", "review", answers={"country": {"country-country": "VN"}})
    html = wizard.page("support-case").content.decode()
    assert 'name="support-case-destination_countries" value="Vietnam"' in html
    assert 'name="support-case-message_type" value="transactional"' in html.replace(" checked", "")
    assert f'<option value="{settings.AWS_REGION}" selected>' in html
    assert 'name="support-case-new_quota_value" value="1"' in html


@pytest.mark.parametrize(
    "field",
    [
        "site_url",
        "message_type",
        "source_region",
        "destination_countries",
        "opt_in_process",
        "message_template",
        "region",
        "use_case_description",
        "messages_per_recipient",
        "company_name",
        "company_address",
        "company_country",
        "company_phone",
        "company_website",
    ],
)
def test_support_case_fields_are_required(wizard, field):
    wizard.walk("country", "use-case", "sender", "review", answers={"country": {"country-country": "VN"}})
    answers = {**ANSWERS["support-case"], f"support-case-{field}": ""}
    response = wizard.submit("support-case", answers)
    assert response.status_code == 200
    assert SenderIdRequest.objects.count() == 0


def test_every_support_case_field_has_help_text():
    from senderids.wizard.support_case import SupportCaseForm

    assert all(field.help_text for field in SupportCaseForm.base_fields.values())


def test_without_approval_done_enqueues_the_submission_on_commit(
    wizard, settings, django_capture_on_commit_callbacks
):
    settings.SENDERIDS_REQUIRE_APPROVAL = False
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        wizard.walk("country", "use-case", "sender", "review")
    created = SenderIdRequest.objects.get()
    assert created.status == Status.APPROVED
    assert list(created.events.values_list("to_status", flat=True)) == [
        Status.PENDING_REVIEW,
        Status.APPROVED,
    ]
    assert callbacks, "the AWS submission is queued only once the transaction commits"


@pytest.fixture
def english_afterwards():
    """The test client leaves the last request's language active in this thread: restore English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.mark.usefixtures("english_afterwards")
def test_wizard_pages_render_in_french(wizard, owner_client):
    owner_client.cookies["django_language"] = "fr"
    answers = {"country": {"country-country": "VN"}}
    wizard.walk("country", "use-case", "sender", "review", answers=answers)
    for step in ("country", "use-case", "sender", "review", "support-case"):
        response = wizard.page(step)
        assert response.headers["Content-Language"] == "fr"
