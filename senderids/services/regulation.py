"""The regulation calendar's daily notice: tell the teams of active sender IDs what starts soon.

``rule_notices_send`` (beat, daily: senderids.tasks.rule_notices) takes every enabled country rule
(countries.CountryRule) that takes effect today or within the next NOTICE_DAYS, finds the ACTIVE
requests in its country (and message type), and tells each request's team once: a timeline entry on
every request (events.rule_notice, kind ``rule_notice:<code>``: the next run finds it and stays
silent) and one email per team member, in their language, listing the team's sender IDs concerned,
what starts when and what to do.

A team whose every email failed keeps no entries (the transaction is rolled back), so the next run
tries again; members who asked for no email are not written to, but the team still counts as told.

Who is a reachable member and in which language they read follow senderids.notifications' rules; this
module cannot import it (the layers contract keeps services and notifications independent), so it
reads the same models: ``_recipients`` is the one place that mirrors them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from countries.calendar import NOTICE_DAYS, date_in_words
from countries.models import CountryRule

from .. import events, lifecycle
from ..choices import Status
from ..models import EmailPreference, SenderIdRequest, StatusEvent
from ..selectors import language_of, preference_of, team_members_reachable

logger = logging.getLogger(__name__)


class _NobodyReached(Exception):
    """Every email of a team failed: roll its entries back so that tomorrow's run tries again."""


def rules_starting_soon(*, today: dt.date) -> list[CountryRule]:
    """Enabled rules taking effect from today to NOTICE_DAYS ahead, with their country (one query)."""
    return list(
        CountryRule.objects.filter(
            enabled=True,
            effective_from__gte=today,
            effective_from__lte=today + dt.timedelta(days=NOTICE_DAYS),
        )
        .select_related("country")
        .order_by("effective_from", "country_id", "code")
    )


def _untold_requests(rule: CountryRule) -> list[SenderIdRequest]:
    """The rule's country's active requests (of its message type) without this rule's notice yet."""
    requests = SenderIdRequest.objects.filter(status=Status.ACTIVE, country_id=rule.country_id)
    if rule.message_types:
        requests = requests.filter(message_type=rule.message_types)
    told = StatusEvent.objects.filter(kind=events.rule_notice(rule.code, "").kind).values("request_id")
    return list(requests.exclude(pk__in=told).select_related("country").order_by("team_id", "pk"))


def rule_notices_send(*, today: dt.date | None = None) -> int:
    """Tell the teams of active sender IDs about the rules starting soon; returns the emails sent."""
    today = today or timezone.localdate()
    sent = 0
    for rule in rules_starting_soon(today=today):
        by_team: dict[int, list[SenderIdRequest]] = defaultdict(list)
        for request in _untold_requests(rule):
            by_team[request.team_id].append(request)
        for team_id, requests in by_team.items():
            try:
                with transaction.atomic():
                    sent += _tell_team(rule, team_id, requests, today=today)
            except _NobodyReached:
                logger.warning(
                    "rule %s: no member of team %s could be emailed; retried tomorrow", rule, team_id
                )
    return sent


def _tell_team(rule: CountryRule, team_id: int, requests: list[SenderIdRequest], *, today: dt.date) -> int:
    # The timeline entry is written in the site's language (what support staff read); each email in
    # its reader's.
    for request in requests:
        lifecycle.note(request, event=events.rule_notice(rule.code, _summary(rule, today)))
    members = _recipients(team_id)
    sent = 0
    for user, language in members:
        try:
            with translation.override(language):
                subject, body = _render(rule, requests, user=user, today=today)
            send_mail(subject, body, None, [user.email], fail_silently=False)
        except Exception:
            logger.exception("could not email user %s about rule %s", user.pk, rule)
            continue
        sent += 1
    if members and not sent:
        raise _NobodyReached
    return sent


def _recipients(team_id: int) -> list[tuple[Any, str]]:
    """(member, language) of the team's active members with an email address who want email (one query).

    As senderids.notifications: no preference row = every change, in the site's language; a language
    the site no longer offers falls back to the site's. A rule notice is news once, not a status
    change, so digest readers get it by email too; only members who want no email are left out.
    """
    found = []
    for user in team_members_reachable(team_id):
        preference = preference_of(user)
        if preference.email == EmailPreference.NONE:
            continue
        found.append((user, language_of(preference)))
    return found


def _portal_url(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


def _summary(rule: CountryRule, today: dt.date) -> str:
    """One line for the timeline: "From 1 October 2026: <the rule>"."""
    when = rule.when(today)
    return f"{when[:1].upper()}{when[1:]}: {rule.message}" if when else rule.message


def _render(
    rule: CountryRule, requests: list[SenderIdRequest], *, user: Any, today: dt.date
) -> tuple[str, str]:
    context = {
        "recipient": user,
        "rule": rule,
        "country": rule.country.label,
        "starts": date_in_words(rule.effective_from) if rule.effective_from else "",
        "today": rule.effective_from == today,
        "message": rule.message,
        "what_to_do": rule.advice,
        "requests": [
            {"sender_id": r.sender_id, "url": _portal_url(reverse("senderids:detail", args=[r.pk]))}
            for r in requests
        ],
        "preferences_url": _portal_url(reverse("senderids:notifications")),
    }
    subject = " ".join(render_to_string("countries/email/rule_notice_subject.txt", context).split())
    return subject, render_to_string("countries/email/rule_notice_body.txt", context)
