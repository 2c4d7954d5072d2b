"""Adaptive polling: each registration's next poll follows its state and age, and with AWS's events
flowing the poll is only a rare backstop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from registrations.services.schedule import EVENTS_FACTOR, MAX_DELAY, next_poll_delay

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def base(settings):
    settings.REGISTRATION_POLL_SECONDS = 300


def delay(aws_status, *, changed_ago, submitted_ago=None, eta_days=None, flowing=False):
    return next_poll_delay(
        aws_status=aws_status,
        changed_at=NOW - changed_ago,
        submitted_at=NOW - submitted_ago if submitted_ago is not None else None,
        now=NOW,
        eta_days=eta_days,
        events_flowing=flowing,
    )


def test_a_registration_just_submitted_is_polled_at_the_base_pace():
    assert delay("SUBMITTED", changed_ago=timedelta(minutes=5)) == timedelta(minutes=5)


@pytest.mark.parametrize(
    ("age", "expected"),
    [(timedelta(hours=3), timedelta(minutes=15)), (timedelta(days=3), timedelta(hours=1)),
     (timedelta(days=20), timedelta(hours=3))],
)  # fmt: skip
def test_a_long_review_is_polled_less_and_less(age, expected):
    assert delay("REVIEWING", changed_ago=age, submitted_ago=age) == expected


def test_past_the_published_estimate_it_is_polled_sooner_again():
    long = delay("REVIEWING", changed_ago=timedelta(days=25), submitted_ago=timedelta(days=25))
    past = delay("REVIEWING", changed_ago=timedelta(days=25), submitted_ago=timedelta(days=25), eta_days=21)
    assert past < long and past == timedelta(minutes=30)


def test_provisioning_is_minutes_away():
    assert delay("PROVISIONING", changed_ago=timedelta(days=2)) == timedelta(minutes=5)


def test_with_events_flowing_the_poll_is_a_rare_backstop():
    quiet = delay("REVIEWING", changed_ago=timedelta(days=3), submitted_ago=timedelta(days=3))
    backstop = delay(
        "REVIEWING", changed_ago=timedelta(days=3), submitted_ago=timedelta(days=3), flowing=True
    )
    assert backstop == min(quiet * EVENTS_FACTOR, MAX_DELAY) and backstop >= 10 * quiet


def test_an_unknown_future_status_gets_a_moderate_pace():
    assert delay("SOMETHING_NEW", changed_ago=timedelta(days=2)) == timedelta(minutes=30)
