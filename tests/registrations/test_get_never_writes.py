"""The process pages never write a row on GET (DESIGN.md): the registration form reads the cached
definition and the stored values; the support-case page reads the case."""

from __future__ import annotations

import pytest

from tests.config.test_get_never_writes import writes_during
from tests.process_factories import SupportCaseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def test_the_registration_form_and_its_status_never_write_on_get(owner_client, make_request, definitions):
    request = make_request("IN", sender_id="ACMEIN")
    for url in (f"/registrations/{request.pk}/", f"/registrations/{request.pk}/status/"):
        assert writes_during(owner_client, url) == [], url


def test_the_support_case_page_never_writes_on_get(owner_client, owner, countries):
    case = SupportCaseFactory(request__owner=owner, request__country=countries["VN"])
    assert writes_during(owner_client, f"/support-cases/{case.request_id}/") == []
