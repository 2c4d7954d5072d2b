"""When to ask AWS about a registration again: adaptive polling, the backstop behind AWS's events.

A fixed period wastes calls on registrations AWS will not touch for days and reacts slowly to those it
is about to decide. So each registration gets its next poll from its state and age, in multiples of
REGISTRATION_POLL_SECONDS (so `make run`'s 10-second demo pace scales the same way):

| state                                    | next poll                 |
|------------------------------------------|---------------------------|
| just submitted (changed < 1 h ago)       | 1 × base                  |
| SUBMITTED / CREATED, older               | 6 × base                  |
| AWS_REVIEWING / REVIEWING, < 1 day       | 3 × base                  |
| reviewing 1–7 days                       | 12 × base                 |
| reviewing > 7 days                       | 36 × base                 |
| past AWS's published estimate            | 6 × base (sooner again)   |
| REQUIRES_AUTHENTICATION                  | 3 × base (the owner acts) |
| PROVISIONING                             | 1 × base (minutes away)   |

With AWS's events flowing for the account (a Registration Status Change arrives as it happens), the
poll is only the backstop for a lost event: every delay is multiplied by EVENTS_FACTOR, capped at
MAX_DELAY.

Deterministic (no jitter): rows polled together in the same state come due together again, so the
poller writes them in one UPDATE and asks for them in one call.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from ..lifecycle import AwsRegistrationStatus as Aws

EVENTS_FACTOR = 12
MAX_DELAY = timedelta(hours=12)
JUST_CHANGED = timedelta(hours=1)
REVIEW_STEPS = ((timedelta(days=1), 3), (timedelta(days=7), 12))
REVIEW_LONG = 36
PAST_ESTIMATE = 6


def base() -> timedelta:
    return timedelta(seconds=settings.REGISTRATION_POLL_SECONDS)


def _multiple(
    aws_status: str, *, changed_age: timedelta, review_age: timedelta, past_estimate: bool
) -> float:
    if aws_status == Aws.PROVISIONING or changed_age < JUST_CHANGED:
        return 1
    if aws_status == Aws.REQUIRES_AUTHENTICATION:
        return 3
    if aws_status in (Aws.AWS_REVIEWING, Aws.REVIEWING):
        if past_estimate:
            return PAST_ESTIMATE
        for limit, multiple in REVIEW_STEPS:
            if review_age < limit:
                return multiple
        return REVIEW_LONG
    return 6  # SUBMITTED, CREATED, and statuses AWS adds later: a moderate pace


def next_poll_delay(
    *,
    aws_status: str,
    changed_at: datetime | None,
    submitted_at: datetime | None,
    now: datetime,
    eta_days: int | None = None,
    events_flowing: bool = False,
) -> timedelta:
    """How long until the registration is due again (see the module's table)."""
    changed_age = now - changed_at if changed_at else timedelta(0)
    review_age = now - submitted_at if submitted_at else changed_age
    past_estimate = eta_days is not None and review_age > timedelta(days=eta_days)
    delay = base() * _multiple(
        aws_status, changed_age=changed_age, review_age=review_age, past_estimate=past_estimate
    )
    if events_flowing:
        delay = min(delay * EVENTS_FACTOR, MAX_DELAY)
    return delay
