"""api mode refuses to start without the confirmation check_aws stores: a system check error that says
what to check; a database that cannot answer yet (before migrate) only warns, so migrate can run."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection

from supportcases.apps import CHECK_TAG
from supportcases.checks import support_case_mode_check
from supportcases.models import SupportApiCheck

from .conftest import confirm_support_api

pytestmark = pytest.mark.django_db


def test_assisted_mode_needs_nothing(settings):
    settings.SUPPORT_CASE_MODE = "assisted"
    assert support_case_mode_check() == []


def test_api_mode_without_confirmation_is_an_error_that_says_what_to_check(settings, api_codes):
    settings.SUPPORT_CASE_MODE = "api"
    (error,) = support_case_mode_check()
    assert error.id == "supportcases.E001" and error.is_serious()
    assert "manage.py check_aws" in error.hint
    assert "SUPPORT_CASE_SERVICE_CODE=service-limit-increase" in error.hint
    assert "SUPPORT_CASE_CATEGORY_CODE=service-code-pinpoint-sms" in error.hint
    assert "SUPPORT_CASE_MODE=assisted" in error.hint


def test_the_portal_refuses_to_start_in_api_mode_without_confirmation(settings, api_codes):
    settings.SUPPORT_CASE_MODE = "api"
    with pytest.raises(SystemCheckError, match=r"supportcases\.E001"):
        call_command("check", tags=[CHECK_TAG])


def test_a_confirmation_for_the_configured_codes_lets_it_start(settings, api_codes):
    settings.SUPPORT_CASE_MODE = "api"
    confirm_support_api()
    assert support_case_mode_check() == []
    call_command("check", tags=[CHECK_TAG])


def test_a_check_that_found_the_codes_missing_does_not_count(settings, api_codes):
    settings.SUPPORT_CASE_MODE = "api"
    confirm_support_api(confirmed=False)
    assert [m.id for m in support_case_mode_check()] == ["supportcases.E001"]


def test_a_missing_table_only_warns_so_migrate_can_run(settings, api_codes):
    settings.SUPPORT_CASE_MODE = "api"
    with connection.schema_editor() as editor:  # undone with the test's transaction
        editor.delete_model(SupportApiCheck)
    (warning,) = support_case_mode_check()
    assert warning.id == "supportcases.W001" and not warning.is_serious()
