"""Each role lands on its work, and a step edited from the review says it goes back there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from . import pipeline_support
from .wizard_support import step_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

approver = pipeline_support.approver


def test_an_approver_without_a_team_starts_at_the_approval_queue(client, approver):
    client.force_login(approver)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:senderids_senderidrequest_changelist")


def test_a_step_opened_from_the_review_offers_save_and_return(wizard, owner_client):
    wizard.walk("country", "use-case", "sender")

    html = owner_client.get(step_url("use-case") + "?edit=1").content.decode()

    assert ">Save and return to review</button>" in html and ">Next</button>" not in html


def test_a_step_walked_in_order_says_next(wizard):
    wizard.walk("country")

    html = wizard.page("use-case").content.decode()

    assert ">Next</button>" in html and "Save and return to review" not in html


def test_the_review_names_the_step_that_follows(wizard):
    wizard.walk("country", "use-case", "sender", answers={"country": {"country-country": "VN"}})

    html = wizard.page("review").content.decode()

    assert "Next: the support case" in html
