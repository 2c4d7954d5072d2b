"""Where the wizard's request goes: the (AWS account, Region) picked on the country step, or the routing
table's pick when left blank (India → ap-south-1 where the account has it, else the account's default
Region). The choice changes the process (India outside ap-south-1/2 is a support case), is shown on the
review, is stored on the request, and only the team's own accounts and their enabled Regions are
accepted, by the form and by the service behind it.

No AWS call is made: requests wait for approval (the default), so nothing is submitted.
"""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from senderids.choices import Status
from senderids.models import SenderIdRequest
from senderids.services.requests import (
    request_placement,
    sender_id_request_create,
    sender_id_request_create_unique,
)
from smsvoice.models import AwsAccount, CredentialSource
from teams.models import Team
from teams.services import membership_set, team_ensure_for

from .wizard_support import ANSWERS, hidden_fields, step_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

PLACEMENT_ERROR = "Choose one of the AWS accounts and Regions listed."
SESSION_KEY = "wizard_sender_id_request_wizard"
REGION_REASON = (
    "India&#x27;s registration form is only available in ap-south-1 and ap-south-2, the AWS Regions "
    "with local routes to India. This portal sends from eu-west-1"
)
INDIA = {"country-country": "IN"}
INDIA_SENDER = {"sender-sender_id": "ACMEIN"}
INDIA_CASE = {
    **ANSWERS["support-case"],
    "support-case-destination_countries": "India",
    "support-case-source_region": "eu-west-1",
    "support-case-region": "eu-west-1",
}


def account(name: str, regions: list[str], **fields) -> AwsAccount:
    made = AwsAccount(name=name, regions=regions, default_region=regions[0], **fields)
    made.full_clean()
    made.save()
    return made


@pytest.fixture
def production() -> AwsAccount:
    """The environment's credentials, Ireland first, and Mumbai for India."""
    return account("Production", ["eu-west-1", "ap-south-1"])


@pytest.fixture
def staging() -> AwsAccount:
    return account(
        "Staging",
        ["us-east-1"],
        credential_source=CredentialSource.ASSUME_ROLE,
        role_arn="arn:aws:iam::210987654321:role/portal",
        external_id="staging-portal",
    )


@pytest.fixture
def rival_account(stranger) -> AwsAccount:
    """Another team's account."""
    rival = account("Rival", ["us-west-2"])
    team_ensure_for(stranger).aws_accounts.set([rival])
    return rival


@pytest.fixture
def team(owner, production, staging, settings) -> Team:
    settings.AWS_REGION = "ca-central-1"  # the portal's default account: not one this team uses
    team = team_ensure_for(owner)
    team.aws_accounts.set([production, staging])
    return team


def key(account: AwsAccount, region: str) -> str:
    return f"{account.pk}:{region}"


def review_rows(html: str) -> dict[str, str]:
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html))


def stepper_steps(html: str) -> list[str]:
    return re.findall(r'<li class="[^"]*" data-step="([^"]+)"', html)


def placement_options_on_page(html: str) -> list[tuple[str, str]]:
    select = re.search(r'<select id="id_country-placement"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def placement_group(html: str) -> str:
    """The opening tag of the placement field's group."""
    return re.search(r'(<div class="field-group"[^>]*>)\s*<label for="id_country-placement">', html).group(1)


# --- the choices offered --------------------------------------------------------------------------------
def test_the_country_step_offers_the_routing_table_and_each_of_the_teams_accounts_and_regions(
    wizard, team, production, staging
):
    html = wizard.page("country").content.decode()

    assert placement_group(html) == '<div class="field-group">'  # shown: there is a choice to make
    assert placement_options_on_page(html) == [
        ("", "Recommended for the country"),
        (key(production, "eu-west-1"), "Production · eu-west-1"),
        (key(production, "ap-south-1"), "Production · ap-south-1"),
        (key(staging, "us-east-1"), "Staging · us-east-1"),
    ]


def test_a_team_with_a_single_account_and_region_is_not_asked(wizard, owner):
    team_ensure_for(owner).aws_accounts.set([account("Solo", ["eu-west-1"])])

    html = wizard.page("country").content.decode()

    assert placement_group(html) == '<div class="field-group" hidden>'


# --- blank: the routing table decides -------------------------------------------------------------------
@pytest.mark.usefixtures("team")
def test_india_left_to_the_routing_table_goes_to_mumbai_in_the_first_account_and_is_registered(
    wizard, production
):
    answers = {"country": {**INDIA, "country-placement": ""}, "sender": INDIA_SENDER}
    wizard.walk("country", "use-case", "sender", answers=answers)
    html = wizard.page("review").content.decode()
    assert review_rows(html)["AWS account and Region"] == "Production · ap-south-1"
    assert stepper_steps(html)[-1] == "registration"

    wizard.walk("review", "registration", answers=answers)

    request = SenderIdRequest.objects.get()
    assert (request.aws_account, request.aws_region, request.process) == (
        production,
        "ap-south-1",
        "registration",
    )


@pytest.mark.usefixtures("team")
def test_germany_left_to_the_routing_table_goes_to_the_first_accounts_default_region(wizard, production):
    wizard.walk("country", "use-case", "sender", answers={"country": {"country-placement": ""}})
    assert review_rows(wizard.page("review").content.decode())["AWS account and Region"] == (
        "Production · eu-west-1"
    )

    wizard.walk("review")

    request = SenderIdRequest.objects.get()
    assert (request.aws_account, request.aws_region, request.process) == (
        production,
        "eu-west-1",
        "supported",
    )


# --- chosen ---------------------------------------------------------------------------------------------
@pytest.mark.usefixtures("team")
def test_germany_placed_in_staging_is_stored_there_and_the_review_says_so(wizard, staging):
    answers = {"country": {"country-country": "DE", "country-placement": key(staging, "us-east-1")}}
    wizard.walk("country", "use-case", "sender", answers=answers)
    html = wizard.page("review").content.decode()
    assert review_rows(html)["AWS account and Region"] == "Staging · us-east-1"
    # Back on the country step, the choice is still selected.
    country_html = wizard.page("country").content.decode()
    assert (
        f'<option value="{key(staging, "us-east-1")}" selected>Staging · us-east-1</option>' in country_html
    )

    wizard.walk("review")

    request = SenderIdRequest.objects.get()
    assert (request.aws_account, request.aws_region) == (staging, "us-east-1")
    assert (request.sender_id, request.status) == ("ACME", Status.PENDING_REVIEW)


@pytest.mark.usefixtures("team")
def test_india_placed_in_ireland_becomes_a_support_case_and_every_page_from_the_review_says_why(
    wizard, production
):
    answers = {
        "country": {**INDIA, "country-placement": key(production, "eu-west-1")},
        "sender": INDIA_SENDER,
        "support-case": INDIA_CASE,
    }
    wizard.walk("country", "use-case", "sender", answers=answers)

    html = wizard.page("review").content.decode()
    rows = review_rows(html)
    assert rows["AWS account and Region"] == "Production · eu-west-1"
    assert rows["Sender ID support"] == "Support case required"
    assert stepper_steps(html) == ["country", "use-case", "sender", "review", "support-case"]
    assert REGION_REASON in html
    assert "One more step follows for this country" in html
    assert wizard.submit("review")["Location"] == step_url("support-case")
    case_page = wizard.page("support-case").content.decode()
    assert REGION_REASON in case_page
    assert re.search(r'<option value="eu-west-1" selected', case_page)  # the case's source Region

    wizard.walk("support-case", answers=answers)

    request = SenderIdRequest.objects.get()
    assert (request.aws_account, request.aws_region, request.process) == (
        production,
        "eu-west-1",
        "support_case",
    )
    assert request.registration_form_name == ""


# --- refused placements ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "placement",
    [
        "rival",  # another team's account
        "default",  # the portal's default account: the team has accounts of its own
        "disabled",  # the team's account, disabled by an administrator
        "region",  # a Region the account has not enabled
        "x",
        "1:",
        ":eu-west-1",
        "production:",
        "production:eu-west-1:extra",
        "production:EU-WEST-1",
        "production:eu-west-1' OR '1'='1",
        "<script>alert(1)</script>",
        "x" * 10_240,
    ],
)
def test_a_placement_not_offered_is_refused_on_the_country_step_and_nothing_is_stored(
    wizard, team, production, rival_account, placement
):
    disabled = account("Dormant", ["eu-north-1"], enabled=False)
    team.aws_accounts.add(disabled)
    default = AwsAccount.objects.get(is_default=True)
    posted = {
        "rival": key(rival_account, "us-west-2"),
        "default": key(default, default.default_region),
        "disabled": key(disabled, "eu-north-1"),
        "region": key(production, "us-east-1"),
    }.get(placement, placement.replace("production", str(production.pk)))

    response = wizard.submit("country", {"country-country": "DE", "country-placement": posted})

    assert response.status_code == 200
    html = response.content.decode()
    assert PLACEMENT_ERROR in html
    assert "<script>alert(1)" not in html
    # The step was not accepted: the next one is not reachable, and no request exists.
    assert wizard.client.get(step_url("use-case"))["Location"] == step_url("country")
    assert not SenderIdRequest.objects.exists()


@pytest.mark.usefixtures("team")
@pytest.mark.parametrize("posted", ["\x00", "1\x00:eu-west-1", "\x1b[2J"])
def test_a_placement_with_a_control_character_is_refused_with_the_reason(wizard, posted):
    response = wizard.submit("country", {"country-country": "DE", "country-placement": posted})

    assert response.status_code == 400
    assert "The request contains a control character" in response.content.decode()
    assert "“country-placement”" in response.content.decode()
    assert not SenderIdRequest.objects.exists()


def test_a_stored_placement_altered_in_the_session_is_refused_when_the_request_is_sent(
    wizard, owner_client, team, rival_account
):
    wizard.walk("country", "use-case", "sender")
    review_page = wizard.page("review").content.decode()
    session = owner_client.session
    session[SESSION_KEY]["step_data"]["country"]["country-placement"] = [key(rival_account, "us-west-2")]
    session.save()

    response = owner_client.post(step_url("review"), hidden_fields(review_page))

    assert response.status_code == 302 and response["Location"] == step_url("country")
    assert not SenderIdRequest.objects.exists()
    assert owner_client.get(step_url("review"))["Location"] == step_url("country")
    assert PLACEMENT_ERROR in owner_client.get(step_url("country")).content.decode()


def test_an_account_taken_from_the_team_during_the_wizard_is_not_used(wizard, owner_client, team, staging):
    answers = {"country": {"country-country": "DE", "country-placement": key(staging, "us-east-1")}}
    wizard.walk("country", "use-case", "sender", answers=answers)
    review_page = wizard.page("review").content.decode()
    team.aws_accounts.remove(staging)  # an administrator takes the account away meanwhile

    response = owner_client.post(step_url("review"), hidden_fields(review_page))

    assert response.status_code == 302 and response["Location"] == step_url("country")
    assert not SenderIdRequest.objects.exists()  # not silently moved to another account either
    assert PLACEMENT_ERROR in owner_client.get(step_url("country")).content.decode()


# --- the service checks it too, whoever calls it ----------------------------------------------------------
def test_request_placement_refuses_an_account_the_team_may_not_use(owner, countries, team, rival_account):
    default = AwsAccount.objects.get(is_default=True)
    for forbidden in (rival_account, default):
        with pytest.raises(PermissionDenied):
            request_placement(owner=owner, country=countries["DE"], team=team, aws_account=forbidden)
        with pytest.raises(PermissionDenied):
            sender_id_request_create_unique(
                owner=owner,
                country=countries["DE"],
                sender_id="ACME",
                message_type="TRANSACTIONAL",
                aws_account=forbidden,
            )
    with pytest.raises(PermissionDenied):
        sender_id_request_create(
            owner=owner,
            country=countries["DE"],
            sender_id="ACME",
            message_type="TRANSACTIONAL",
            aws_account=rival_account,
            aws_region="us-west-2",
        )
    assert not SenderIdRequest.objects.exists()


@pytest.mark.parametrize("region", ["us-east-1", "ap-south-2", "eu-west-1 ", "EU-WEST-1", "x" * 1000])
def test_request_placement_refuses_a_region_the_account_has_not_enabled(
    owner, countries, team, production, region
):
    with pytest.raises(ValidationError) as refused:
        request_placement(
            owner=owner, country=countries["DE"], team=team, aws_account=production, aws_region=region
        )
    assert refused.value.messages == [f"{region} is not enabled in the AWS account Production."]
    with pytest.raises(ValidationError):
        sender_id_request_create_unique(
            owner=owner,
            country=countries["IN"],
            sender_id="ACMEIN",
            message_type="TRANSACTIONAL",
            aws_account=production,
            aws_region=region,
        )
    assert not SenderIdRequest.objects.exists()


def test_request_placement_refuses_a_team_the_owner_is_not_in(owner, stranger, countries, team):
    with pytest.raises(PermissionDenied):
        request_placement(owner=stranger, country=countries["DE"], team=team)
    membership_set(team=team, user=stranger)
    assert request_placement(owner=stranger, country=countries["DE"], team=team)[0] == team


def test_request_placement_fills_in_the_routing_tables_pick(owner, countries, team, production, staging):
    assert request_placement(owner=owner, country=countries["IN"]) == (team, production, "ap-south-1")
    assert request_placement(owner=owner, country=countries["DE"]) == (team, production, "eu-west-1")
    assert request_placement(owner=owner, country=countries["IN"], aws_account=staging) == (
        team,
        staging,
        "us-east-1",  # Staging has no Mumbai: its default Region
    )


def test_a_team_with_no_usable_account_is_told_so_instead_of_an_error(wizard, owner_client, owner):
    team_ensure_for(owner)
    AwsAccount.objects.update(enabled=False)  # an administrator disabled every account

    response = wizard.submit("country")  # told at the first step, not after filling in the rest

    assert response.status_code == 200
    assert "No AWS account is configured for your team. Ask an administrator." in response.content.decode()
    assert not SenderIdRequest.objects.exists()
