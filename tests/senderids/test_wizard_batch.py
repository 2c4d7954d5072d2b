"""Several countries in one wizard run: the country step takes a list (unsupported ones refused there,
with the reason), the use case and the sender ID are asked once, each country's rules are applied to
its own sender ID (a variant where a rule demands it), the review shows one row per country, and the
last step creates one batch with one request per country, all in one transaction.

Requests wait for approval (the default), so no AWS call is made here.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from countries.models import SenderIdProcess
from profiles.services import profile_save
from registrations.definitions import REQUIRED, TEXT, FieldDef, FormDefinition, SectionDef
from registrations.models import RegistrationDefinition
from senderids.choices import Status
from senderids.models import RequestBatch, SenderIdRequest
from senderids.services.batches import BatchChild, batch_approve, batch_create
from senderids.services.requests import sender_id_request_create
from tests.catalogue import ensure_batch_countries, ensure_country, team_in_ireland_and_mumbai

from . import pipeline_support
from .wizard_support import ANSWERS, hidden_fields, step_url

approver = pipeline_support.approver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

SIX = ["DE", "FR", "IN", "SG", "OM", "BR"]
FIVE = ["DE", "FR", "IN", "SG", "OM"]


@pytest.fixture
def team(owner, settings, countries):
    """The team sends from Ireland, and from Mumbai for India (the routing table's pick)."""
    settings.AWS_REGION = "eu-west-1"
    ensure_batch_countries()
    return team_in_ireland_and_mumbai(owner)


def post_countries(wizard, isos: list[str], **extra):
    fields = hidden_fields(wizard.page("country").content.decode())
    fields.pop("country-country", None)
    return wizard.client.post(step_url("country"), {**fields, "country-country": isos, **extra})


def errors(response) -> str:
    return " | ".join(
        re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    )


def walk_to_review(wizard, isos=FIVE, sender=None):
    assert post_countries(wizard, isos).status_code == 302
    wizard.walk("use-case")
    response = wizard.submit(
        "sender", {**ANSWERS["sender"], "sender-sender_id": "ACME-PAY", **(sender or {})}
    )
    return response


@pytest.mark.usefixtures("team")
def test_brazil_is_refused_at_the_country_step_with_the_reason_and_nothing_is_lost(wizard):
    response = post_countries(wizard, SIX)

    assert response.status_code == 200
    assert "Sender IDs are not supported in Brazil" in errors(response)
    assert "Remove it to continue with the other countries." in errors(response)
    html = response.content.decode()
    for iso in SIX:  # every chosen country is still on the page, as a chip
        assert f'<input type="hidden" name="country-country" value="{iso}">' in html


@pytest.mark.usefixtures("team")
def test_removing_brazil_without_javascript_keeps_the_other_five(wizard):
    post_countries(wizard, SIX)

    response = post_countries(wizard, SIX, wizard_remove_country="BR")

    assert response.status_code == 302
    html = wizard.page("country").content.decode()
    chips = re.findall(r'<li class="chip" data-iso="([A-Z]{2})"', html)
    assert chips == FIVE


@pytest.mark.usefixtures("team")
def test_india_needs_its_own_variant_and_the_sender_step_says_so(wizard):
    response = walk_to_review(wizard)

    assert response.status_code == 200  # ACME-PAY: letters only, 3–6, in India
    assert "India does not accept ACME-PAY" in errors(response)

    response = wizard.submit(
        "sender", {**ANSWERS["sender"], "sender-sender_id": "ACMEPAY", "sender-variant_IN": "ACMEIN"}
    )
    assert response.status_code == 302, errors(response)


@pytest.fixture
def profile_and_forms(owner, team):
    """The team's company profile, and India's and Singapore's registration forms in the cache."""
    profile_save(team=team, data={"legal_name": "Acme Ltd"}, actor=owner)
    for registration_type in ("IN_SENDER_ID_REGISTRATION", "SG_SENDER_ID_REGISTRATION"):
        form = FormDefinition(
            registration_type=registration_type,
            title=registration_type,
            sections=[SectionDef("companyInfo", "Company")],
            fields=[FieldDef("companyInfo", "companyInfo.companyName", TEXT, REQUIRED, "Company name")],
        )
        RegistrationDefinition.objects.update_or_create(
            registration_type=registration_type,
            defaults={"definition": form.to_json(), "fetched_at": timezone.now()},
        )


@pytest.mark.usefixtures("team", "profile_and_forms")
def test_five_countries_make_one_batch_of_five_requests_with_their_processes(wizard, owner):
    walk_to_review(wizard, sender={"sender-sender_id": "ACMEPAY", "sender-variant_IN": "acmein"})
    review = wizard.page("review").content.decode()
    rows = re.findall(r'<tr data-iso="([A-Z]{2})">', review)
    assert rows == FIVE  # one row per country, in the order chosen
    assert "ap-south-1" in review  # India goes to Mumbai

    wizard.walk("review")
    wizard.walk("registration", answers={"registration": {"registration-registration_choice": "later"}})
    response = wizard.walk(
        "support-case", answers={"support-case": {"support-case-destination_countries": "Oman"}}
    )

    batch = RequestBatch.objects.get()
    assert response["Location"] == f"/sender-ids/batches/{batch.pk}/"
    children = {r.country_id: r for r in batch.requests.all()}
    assert {iso: r.process for iso, r in children.items()} == {
        "DE": SenderIdProcess.SUPPORTED,
        "FR": SenderIdProcess.SUPPORTED,
        "IN": SenderIdProcess.REGISTRATION,
        "SG": SenderIdProcess.REGISTRATION,
        "OM": SenderIdProcess.SUPPORT_CASE,
    }
    assert children["IN"].sender_id == "ACMEIN" and children["IN"].aws_region == "ap-south-1"
    assert {children[iso].sender_id for iso in ("DE", "FR", "SG", "OM")} == {"ACMEPAY"}
    assert children["SG"].registration_form_name == "ACMEPAY – Singapore"
    assert children["OM"].support_case_details["destination_countries"] == "Oman"
    assert all(r.status == Status.PENDING_REVIEW and r.owner == owner for r in children.values())

    # Each registration form opens pre-filled from the team's company profile.
    for iso in ("IN", "SG"):
        form = wizard.client.get(f"/registrations/{children[iso].pk}/").content.decode()
        (typed,) = re.findall(r'<textarea name="companyInfo.companyName"[^>]*>\s*([^<]*)</textarea>', form)
        assert typed == "Acme Ltd", iso

    page = wizard.client.get(f"/sender-ids/batches/{batch.pk}/").content.decode()
    assert re.findall(r'<tr data-request="\d+" data-iso="([A-Z]{2})">', page) == sorted(
        FIVE, key=lambda iso: children[iso].country.name
    )


@pytest.mark.usefixtures("team")
def test_a_duplicate_in_one_country_saves_nothing(wizard, owner):
    walk_to_review(wizard, sender={"sender-sender_id": "ACMEPAY", "sender-variant_IN": "ACMEIN"})
    wizard.walk("review")
    wizard.walk("registration", answers={"registration": {"registration-registration_choice": "later"}})
    fields = hidden_fields(wizard.page("support-case").content.decode())
    # A teammate's request for the same sender ID in Germany lands while the last page is open.
    sender_id_request_create(
        owner=owner, country=ensure_country("DE"), sender_id="ACMEPAY", message_type="TRANSACTIONAL"
    )

    response = wizard.client.post(step_url("support-case"), {**fields, **ANSWERS["support-case"]})

    assert response.status_code == 302
    assert response["Location"] == step_url("sender")  # where the sender ID can be changed
    assert RequestBatch.objects.count() == 0
    assert SenderIdRequest.objects.count() == 1  # only the teammate's


def test_one_country_stays_a_single_request_without_a_batch(wizard, owner):
    wizard.walk("country", "use-case", "sender", "review")

    request = SenderIdRequest.objects.get()
    assert request.batch is None and request.country_id == "DE"


@pytest.mark.usefixtures("team")
def test_an_approver_approves_the_whole_batch_or_some_children(owner, approver):
    batch = batch_create(
        owner=owner,
        children=[BatchChild(country=ensure_country(iso), sender_id="ACME") for iso in ("DE", "FR", "SG")],
        message_type="TRANSACTIONAL",
    )
    first = batch.requests.get(country_id="FR")

    approved, skipped = batch_approve(batch=batch, actor=approver, request_ids=[first.pk])
    assert [r.pk for r in approved] == [first.pk] and skipped == []

    approved, skipped = batch_approve(batch=batch, actor=approver)
    assert sorted(r.country_id for r in approved) == ["DE", "SG"]
    assert [r.country_id for r in skipped] == ["FR"]  # already approved: named, not silently dropped
    assert set(batch.requests.values_list("status", flat=True)) == {Status.APPROVED}


@pytest.fixture
def clock(monkeypatch):
    """Pins "today" for the rule engine and the checks (they read django.utils.timezone.now)."""
    import datetime as dt

    from django.utils import timezone

    def pin(day: str) -> None:
        moment = dt.datetime.fromisoformat(f"{day}T10:00:00+00:00")
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return pin


@pytest.mark.usefixtures("team")
def test_a_hyphen_in_france_is_refused_from_1_march_2026(wizard, clock):
    clock("2026-03-01")
    post_countries(wizard, ["FR"])
    wizard.walk("use-case")

    response = wizard.submit("sender", {**ANSWERS["sender"], "sender-sender_id": "ACME-FR"})

    assert response.status_code == 200
    assert "This country does not allow these characters in sender IDs: -" in errors(response)


@pytest.mark.usefixtures("team")
def test_a_hyphen_in_france_is_allowed_before_1_march_2026_with_a_warning(wizard, clock):
    clock("2026-02-20")
    post_countries(wizard, ["FR"])
    wizard.walk("use-case")
    wizard.walk("sender", answers={"sender": {"sender-sender_id": "ACME-FR"}})

    review = wizard.page("review").content.decode()
    assert "From 1 March 2026" in review  # the calendar says what is coming
    wizard.walk("review")
    assert SenderIdRequest.objects.get().sender_id == "ACME-FR"


@pytest.mark.usefixtures("team")
def test_the_countries_where_the_team_has_sender_ids_are_one_click_away(wizard, owner):
    for iso in ("SG", "DE", "DE"):
        sender_id_request_create(
            owner=owner, country=ensure_country(iso), sender_id=f"HELD{iso}", message_type="TRANSACTIONAL"
        )
    SenderIdRequest.objects.update(status=Status.ACTIVE)

    html = wizard.page("country").content.decode()
    assert "Add the 2 countries where my team has sender IDs" in html

    response = post_countries(wizard, ["FR"], wizard_team_countries="1")

    assert response.status_code == 302
    chips = re.findall(r'<li class="chip" data-iso="([A-Z]{2})"', wizard.page("country").content.decode())
    assert chips == ["FR", "DE", "SG"]  # what was chosen, then the team's countries by name
