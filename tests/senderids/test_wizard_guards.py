"""A stale, tampered, raced or hostile wizard restarts or redirects with a message: never a 500,
never a request created from answers that no longer hold, never unbounded data in the session."""

import json

import pytest
from django.contrib.messages import get_messages

from senderids.choices import Status
from senderids.models import SenderIdRequest, StatusEvent
from senderids.services.requests import DuplicateSenderIdRequest, sender_id_request_create_unique
from senderids.wizard.steps import FORM_LIST
from tests.catalogue import ensure_country
from tests.factories import SenderIdRequestFactory

from .wizard_support import ANSWERS, MANAGEMENT_FIELD, WIZARD_URL, hidden_fields, step_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

SESSION_KEY = "wizard_sender_id_request_wizard"
TO_REVIEW = ("country", "use-case", "sender")


@pytest.fixture(autouse=True)
def india_has_its_registration_form(settings):
    """These tests use India as the registration country: its form exists only in ap-south-1/2."""
    settings.AWS_REGION = "ap-south-1"


def messages_of(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def page_fields(wizard, step: str) -> dict[str, str]:
    return hidden_fields(wizard.page(step).content.decode())


# --- stale ----------------------------------------------------------------------------------
def test_expired_wizard_restarts_with_a_message(wizard, owner_client, monkeypatch):
    wizard.walk(*TO_REVIEW)
    fields = page_fields(wizard, "review")
    import senderids.views

    later = senderids.wizard.guards._now() + senderids.wizard.guards.WIZARD_IDLE_SECONDS + 1
    monkeypatch.setattr(senderids.wizard.guards, "_now", lambda: later)
    response = owner_client.post(step_url("review"), fields)
    assert response["Location"] == step_url("country")
    assert "expired" in messages_of(response)
    assert SenderIdRequest.objects.count() == 0
    assert wizard.page("country")  # a fresh wizard, usable at once


def test_post_without_any_wizard_in_the_session_restarts(owner_client, countries):
    fields = {MANAGEMENT_FIELD: "review", "wizard_run": "made-up", "wizard_country": "DE"}
    response = owner_client.post(step_url("review"), fields)
    assert response["Location"] == step_url("country")
    assert "expired or was already submitted" in messages_of(response)
    assert SenderIdRequest.objects.count() == 0


def test_double_submit_creates_one_request(wizard, owner_client):
    wizard.walk(*TO_REVIEW)
    fields = page_fields(wizard, "review")
    first = owner_client.post(step_url("review"), fields)
    second = owner_client.post(step_url("review"), fields)
    assert first["Location"].startswith("/sender-ids/")
    assert second["Location"] == step_url("country")
    assert SenderIdRequest.objects.count() == 1


def test_get_of_a_done_url_never_creates_a_request(wizard, owner_client):
    wizard.walk(*TO_REVIEW)
    response = owner_client.get(step_url("done"))
    assert response["Location"] == step_url("review")
    assert SenderIdRequest.objects.count() == 0


# --- tampered -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "management",
    [None, "", "bogus", "done", "registration", "<script>", "x" * 100_000],
)
def test_bad_management_form_restarts_cleanly(wizard, owner_client, management):
    wizard.walk("country")
    fields = page_fields(wizard, "use-case")
    if management is None:
        del fields[MANAGEMENT_FIELD]
    else:
        fields[MANAGEMENT_FIELD] = management
    response = owner_client.post(step_url("use-case"), {**fields, **ANSWERS["use-case"]})
    assert response["Location"] == step_url("country")
    assert "could not be read" in messages_of(response)


def test_step_posted_out_of_order_goes_to_the_first_missing_step(wizard, owner_client):
    wizard.walk("country")
    fields = {**page_fields(wizard, "use-case"), MANAGEMENT_FIELD: "review"}
    response = owner_client.post(step_url("review"), fields)
    assert response["Location"] == step_url("use-case")
    assert "Please complete the step “Use case” first." in messages_of(response)
    assert SenderIdRequest.objects.count() == 0


def test_later_step_url_redirects_to_the_first_missing_step(wizard, owner_client):
    wizard.walk("country")
    response = owner_client.get(step_url("review"))
    assert response["Location"] == step_url("use-case")


@pytest.mark.parametrize("step", ["bogus", "..", "registration", "%3Cscript%3E"])
def test_unknown_or_inapplicable_step_url_redirects(wizard, owner_client, step):
    wizard.walk("country")
    response = owner_client.get(step_url(step))
    assert response.status_code == 302
    assert response["Location"] in (step_url("country"), step_url("use-case"))


@pytest.mark.parametrize("goto", ["bogus", "registration", "done", ""])
def test_previous_to_a_step_that_does_not_exist_stays_put(wizard, owner_client, goto):
    wizard.walk("country")
    response = wizard.submit("use-case", wizard_goto_step=goto)
    assert response.status_code == 302
    assert response["Location"] in (step_url("use-case"), step_url("sender"))


def test_current_step_the_country_no_longer_has_is_repaired(wizard, owner_client):
    answers = {"country": {"country-country": "IN"}, "sender": {"sender-sender_id": "ACMEIN"}}
    wizard.walk(*TO_REVIEW, "review", answers=answers)
    assert owner_client.get(WIZARD_URL)["Location"] == step_url("registration")
    session = owner_client.session
    session[SESSION_KEY]["step_data"]["country"] = {"country-country": ["DE"]}
    session.save()
    # Germany has no registration step: back to the review, every earlier answer still holds.
    assert owner_client.get(WIZARD_URL)["Location"] == step_url("review")
    response = owner_client.get(step_url("registration"))
    assert response["Location"] == step_url("review")
    assert "does not apply" in messages_of(response)


# --- two tabs -------------------------------------------------------------------------------
def test_country_changed_in_another_tab_is_announced(wizard, owner_client):
    wizard.walk("country", "use-case")
    tab_a = page_fields(wizard, "sender")  # drawn for Germany
    wizard.submit("country", {"country-country": "IN"})  # tab B
    response = owner_client.post(step_url("sender"), {**tab_a, **ANSWERS["sender"]})
    assert response["Location"] == step_url("sender")
    assert "changed in another tab or window" in messages_of(response)
    assert "Rules in India" in wizard.page("sender").content.decode()


def test_wizard_restarted_in_another_tab_is_announced(wizard, owner_client):
    wizard.walk("country")
    tab_a = page_fields(wizard, "use-case")
    wizard.submit("country", wizard_reset="1")  # tab B: "Start over"
    response = owner_client.post(step_url("use-case"), {**tab_a, **ANSWERS["use-case"]})
    assert "restarted in another tab or window" in messages_of(response)
    assert response["Location"] == step_url("country")


def test_wizard_finished_in_another_tab_restarts_the_first_tab(wizard, owner_client):
    wizard.walk(*TO_REVIEW)
    tab_a = page_fields(wizard, "review")
    wizard.submit("review")  # tab B finishes
    response = owner_client.post(step_url("review"), tab_a)
    assert "already submitted" in messages_of(response)
    assert SenderIdRequest.objects.count() == 1


# --- answers that stopped being valid -----------------------------------------------------------
def test_country_rules_changed_before_request_send_back_to_sender(wizard, owner_client):
    wizard.walk(*TO_REVIEW)
    fields = page_fields(wizard, "review")
    ensure_country("DE", sender_id_rules={"min_length": 5})
    response = owner_client.post(step_url("review"), fields)
    assert response["Location"] == step_url("sender")
    assert "no longer valid" in messages_of(response)
    assert SenderIdRequest.objects.count() == 0


def test_country_no_longer_supporting_sender_ids_blocks_the_request(wizard, owner_client):
    wizard.walk(*TO_REVIEW)
    fields = page_fields(wizard, "review")
    ensure_country("DE", sender_id_process="not_supported")
    response = owner_client.post(step_url("review"), fields)
    assert response["Location"] == step_url("country")  # where another country can be chosen
    assert SenderIdRequest.objects.count() == 0


def test_duplicate_requested_meanwhile_blocks_the_request(wizard, owner_client, owner, countries):
    wizard.walk(*TO_REVIEW)
    fields = page_fields(wizard, "review")
    SenderIdRequestFactory(owner=owner, country=countries["DE"], sender_id="ACME")
    response = owner_client.post(step_url("review"), fields)
    assert response["Location"] == step_url("sender")
    assert SenderIdRequest.objects.count() == 1


def test_duplicate_slipping_past_validation_is_caught_in_the_transaction(
    wizard, owner_client, owner, countries, monkeypatch
):
    """Two submissions racing both pass form validation; the locked re-check in done() stops one."""
    wizard.walk(*TO_REVIEW)
    fields = page_fields(wizard, "review")
    existing = SenderIdRequestFactory(owner=owner, country=countries["DE"], sender_id="ACME")
    monkeypatch.setattr("senderids.wizard.steps.sender_id_request_open_duplicates", lambda **kw: {})
    response = owner_client.post(step_url("review"), fields)
    assert response["Location"] == f"/sender-ids/{existing.pk}/"
    assert "You already requested ACME in Germany" in messages_of(response)
    assert SenderIdRequest.objects.count() == 1


def test_create_unique_refuses_an_open_duplicate(owner, countries):
    kwargs = {
        "owner": owner,
        "country": countries["DE"],
        "sender_id": "ACME",
        "message_type": "TRANSACTIONAL",
    }
    first = sender_id_request_create_unique(**kwargs)
    with pytest.raises(DuplicateSenderIdRequest) as exc:
        sender_id_request_create_unique(**kwargs)
    assert exc.value.existing == first
    SenderIdRequest.objects.filter(pk=first.pk).update(status=Status.REJECTED)
    assert sender_id_request_create_unique(**kwargs).pk != first.pk


def test_request_and_first_event_are_one_transaction(owner, countries, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(StatusEvent.objects, "create", broken)
    with pytest.raises(RuntimeError):
        sender_id_request_create_unique(
            owner=owner, country=countries["DE"], sender_id="ACME", message_type="TRANSACTIONAL"
        )
    assert SenderIdRequest.objects.count() == 0


# --- hostile input on every step ----------------------------------------------------------------
HOSTILE_VALUES = [
    "<script>alert(1)</script>",
    "A" * 100_000,
    "\x00\x01\x02",
    "\u202eDIMEA",  # right-to-left override
    "' OR 1=1 --",
    "{{ 7*7 }}{% debug %}",
    "😀" * 1000,
]
STEPS_AND_COUNTRY = [
    ("country", "DE"),
    ("use-case", "DE"),
    ("sender", "DE"),
    ("review", "DE"),
    ("registration", "IN"),
    ("support-case", "VN"),
]


def reach(wizard, step: str, iso: str) -> None:
    order = [name for name, _ in FORM_LIST]
    answers = {"country": {"country-country": iso}}
    if iso == "IN":
        answers["sender"] = {"sender-sender_id": "ACMEIN"}
    before = [s for s in order[: order.index(step)] if s not in ("registration", "support-case")]
    wizard.walk(*before, answers=answers)


def session_size(client) -> int:
    return len(json.dumps(client.session.get(SESSION_KEY, {})))


@pytest.mark.parametrize(("step", "iso"), STEPS_AND_COUNTRY)
@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=range(len(HOSTILE_VALUES)))
def test_hostile_input_is_refused_or_escaped_never_a_500(wizard, owner_client, step, iso, value):
    reach(wizard, step, iso)
    fields = list(ANSWERS[step]) or [f"{step}-anything"]
    response = wizard.submit(step, dict.fromkeys(fields, value))
    # Control characters are refused before the wizard reads them (config.middleware): a 400.
    assert response.status_code in ({400} if "\x00" in value else {200, 302})
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert session_size(owner_client) < 20_000
    # The review step has no fields: unknown ones are ignored and the request is made.
    assert SenderIdRequest.objects.count() == (1 if step == "review" and "\x00" not in value else 0)


@pytest.mark.parametrize(("step", "iso"), STEPS_AND_COUNTRY[1:])
def test_hostile_input_kept_by_previous_is_bounded(wizard, owner_client, step, iso):
    reach(wizard, step, iso)
    prev = {"use-case": "country", "sender": "use-case", "review": "sender"}.get(step, "review")
    fields = list(ANSWERS[step]) or [f"{step}-anything"]
    data = {key: ["B" * 10_000] * 12 for key in fields}  # 12 values: more than are kept
    data.update({f"{step}-extra{n}": "C" * 10_000 for n in range(20)})  # fields the form lacks
    response = wizard.submit(step, data, wizard_goto_step=prev)
    assert response["Location"] == step_url(prev)
    assert session_size(owner_client) < 150_000
    assert owner_client.get(step_url(step)).status_code == 200


def test_many_repeated_values_are_stored_once(wizard, owner_client):
    wizard.walk("country")
    wizard.submit("use-case", {**ANSWERS["use-case"], "use-case-capabilities": ["SMS"] * 400})
    stored = owner_client.session[SESSION_KEY]["step_data"]["use-case"]
    assert stored["use-case-capabilities"] == ["SMS"]
    wizard.walk("sender", "review")
    assert SenderIdRequest.objects.get().sms is True


def test_request_body_over_the_limit_is_a_400_not_a_500(wizard, owner_client):
    wizard.walk("country")
    response = wizard.submit("use-case", {**ANSWERS["use-case"], "use-case-message_type": "X" * 3_000_000})
    assert response.status_code == 400
