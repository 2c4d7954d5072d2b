"""The SenderIdRequest admin changelist fits a 1280 px screen, and counts large tables by estimate.

Approvers and support staff work the approval queue on laptops: the changelist must not scroll
sideways at 1280×800 with realistic rows (long team and account names, the longest country names,
11-character sender IDs, both admin sidebars open), in English and in French. On a large table the
paginator reads PostgreSQL's row estimate (senderids.paginators) instead of counting every row.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from countries.models import SenderIdProcess
from senderids.choices import Status
from senderids.models import SenderIdRequest
from senderids.paginators import EstimatedCountPaginator, estimated_row_count
from smsvoice.models import AwsAccount
from teams.models import Team
from tests.factories import CountryFactory, SenderIdRequestFactory, UserFactory

LONG_COUNTRIES = (
    ("VC", "Saint Vincent and the Grenadines"),
    ("GS", "South Georgia and the South Sandwich Islands"),
    ("CD", "Congo (Democratic Republic of the)"),
    ("UM", "United States Minor Outlying Islands"),
)
STATUSES = (Status.PENDING_REVIEW, Status.REGISTRATION_SUBMITTED, Status.SUPPORT_CASE_OPEN, Status.FAILED)


def realistic_requests(n: int = 30) -> None:
    """The queue of a busy day: long names wherever the data allows them."""
    account = AwsAccount.objects.create(
        name="Production – Europe & Asia Pacific messaging",
        account_id="111122223333",
        default_region="ap-southeast-2",
        regions=["ap-southeast-2", "eu-central-1"],
    )
    countries = [
        CountryFactory(iso_code=iso, name=name, sender_id_process=SenderIdProcess.SUPPORTED)
        for iso, name in LONG_COUNTRIES
    ]
    team = Team.objects.create(name="Worldwide Logistics & Customer Notifications GmbH")
    owner = UserFactory(username="firstname.lastname-of-the-requester")
    for i in range(n):
        SenderIdRequestFactory(
            owner=owner,
            team=team,
            aws_account=account,
            aws_region="ap-southeast-2",
            country=countries[i % len(countries)],
            sender_id=f"WWLOGISTIC{i % 10}",
            process=SenderIdProcess.SUPPORT_CASE if i % 2 else SenderIdProcess.REGISTRATION,
            status=Status.PENDING_REVIEW if i < n // 2 else STATUSES[i % len(STATUSES)],
        )


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("query", "locale"), [("", "en-US"), ("?status=all", "en-US"), ("?status=all", "fr-FR")]
)
def test_changelist_fits_1280_pixels(logged_in_page, admin_user_, query, locale):
    realistic_requests()
    page = logged_in_page(admin_user_, locale=locale)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(reverse("admin:senderids_senderidrequest_changelist") + query)
    assert page.locator("#result_list tbody tr").count() >= 10

    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # The admin puts the table in a box that scrolls by itself: the columns must fit that box too.
    table, box = page.evaluate(
        "() => { const t = document.querySelector('#result_list');"
        " return [t.scrollWidth, t.closest('.results').clientWidth]; }"
    )
    assert table <= box, f"the result table is {table} px wide in a {box} px box"


# --- the estimated count -------------------------------------------------------------------------------
def test_the_changelist_uses_the_estimating_paginator_and_no_full_count():
    model_admin = admin.site._registry[SenderIdRequest]
    assert model_admin.paginator is EstimatedCountPaginator
    assert model_admin.show_full_result_count is False


@pytest.mark.django_db
def test_a_small_or_filtered_table_is_counted_exactly():
    SenderIdRequestFactory.create_batch(3)
    assert EstimatedCountPaginator(SenderIdRequest.objects.order_by("pk"), 2).count == 3
    pending = SenderIdRequest.objects.filter(status=Status.PENDING_REVIEW).order_by("pk")
    assert estimated_row_count(pending) is None


@pytest.mark.django_db
def test_a_large_table_on_postgresql_is_counted_by_the_planners_estimate(monkeypatch):
    if connection.vendor != "postgresql":
        assert estimated_row_count(SenderIdRequest.objects.all()) is None  # SQLite: always COUNT(*)
        return
    SenderIdRequestFactory.create_batch(5)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {SenderIdRequest._meta.db_table}")
    monkeypatch.setattr(EstimatedCountPaginator, "estimate_above", 5)
    with CaptureQueriesContext(connection) as queries:
        count = EstimatedCountPaginator(SenderIdRequest.objects.order_by("-created_at"), 2).count
    assert count == 5
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "reltuples" in sql and "COUNT(" not in sql.upper()


@pytest.mark.django_db
def test_below_the_threshold_the_estimate_is_not_trusted(monkeypatch):
    SenderIdRequestFactory.create_batch(2)
    monkeypatch.setattr(EstimatedCountPaginator, "estimate_above", 10**9)
    with CaptureQueriesContext(connection) as queries:
        assert EstimatedCountPaginator(SenderIdRequest.objects.order_by("pk"), 2).count == 2
    assert "COUNT(" in " ".join(q["sql"] for q in queries.captured_queries).upper()
