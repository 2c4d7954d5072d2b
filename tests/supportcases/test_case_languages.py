"""Case languages: the current Support model's list (en, ja, zh, ko, es, pt, fr, tr); French users get
French by default; a case is written in its contact language where AWS offers it for that path (the
API: all eight; the Support Center's sender-ID form: English or Japanese), English otherwise."""

from __future__ import annotations

import pytest
from django.utils import translation

from senderids.wizard.support_case import CONTACT_LANGUAGES, SupportCaseForm
from supportcases.models import SupportCaseMode
from supportcases.services.casetext import case_language

from .conftest import DETAILS
from .helpers import open_case

pytestmark = pytest.mark.django_db


def test_the_contact_languages_are_the_support_models():
    assert [code for code, _label in CONTACT_LANGUAGES] == ["en", "ja", "zh", "ko", "es", "pt", "fr", "tr"]
    assert [code for code, _label in SupportCaseForm().fields["contact_language"].choices] == [
        code for code, _label in CONTACT_LANGUAGES
    ]


@pytest.mark.parametrize(("active", "default"), [("fr", "fr"), ("fr-ca", "fr"), ("en", "en"), ("de", "en")])
def test_the_default_contact_language_is_the_persons_own_when_aws_speaks_it(active, default):
    with translation.override(active):
        assert SupportCaseForm().fields["contact_language"].initial == default


@pytest.mark.parametrize(
    ("contact", "mode", "language"),
    [
        ("fr", SupportCaseMode.API, "fr"),
        ("tr", SupportCaseMode.API, "tr"),
        ("ja", SupportCaseMode.ASSISTED, "ja"),
        ("fr", SupportCaseMode.ASSISTED, "en"),
        ("de", SupportCaseMode.API, "en"),
        ("", SupportCaseMode.API, "en"),
    ],
)
def test_the_case_is_written_in_the_contact_language_where_aws_offers_it(contact, mode, language):
    assert case_language({"contact_language": contact}, mode) == language


def test_an_api_case_for_a_french_user_is_opened_in_french(moto_support, api_mode, vn_request):
    vn_request.support_case_details = {**DETAILS, "contact_language": "fr"}
    vn_request.save()
    case = open_case(vn_request)
    (aws_case,) = moto_support.client().describe_cases(includeResolvedCases=True)["cases"]
    assert case.language == aws_case["language"] == "fr"
    assert (
        "Langue de contact préférée: Français" in case.body or "Preferred contact language" not in case.body
    )
