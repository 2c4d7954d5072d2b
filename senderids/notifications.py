"""Who hears about a status change, how and when: emails to the request's team by each member's
preference and in their language, the daily digests (a member's, support staff's), and the webhooks'
fan-out. Everything is sent by a worker, never inline.

`enqueue_status_email` is the lifecycle listener (SenderidsConfig.ready): on commit of every user-visible
transition it enqueues one `send_status_email(event, user)` task per team member whose preference asks
for it (every change; only when the team must act) and the team's webhook deliveries
(senderids.webhooks). A daily-digest member gets the change in their digest; "none" gets nothing.

At most one email per real change of meaning, per person:
* a task never sends the same StatusEvent to the same person twice (a NotificationSent row, claimed
  before sending);
* in a worker the task waits until the change is SETTLE old, then stays silent if a later change
  followed within SETTLE (the later email tells the outcome), or if the burst of changes it ends leaves
  the request meaning what it meant before (back and forth within a minute);
* nobody is told the same status of the same request twice within REPEAT_WINDOW.
Statuses that read the same to a team (`SAME_MEANING`) count as one. A notification never breaks or
undoes the transition it reports: failures are logged, never raised.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from . import webhooks
from .choices import Status
from .clocks import attention_q, row_flags, with_submitted_at
from .enqueue import enqueue_on_commit
from .events import actor_display
from .lifecycle import is_user_visible
from .models import (
    EmailPreference,
    NotificationPreference,
    NotificationSent,
    SenderIdRequest,
    StatusEvent,
)
from .reasons import reason_text
from .selectors import language_of, preference_of, team_members_reachable
from .status_texts import what_next

logger = logging.getLogger(__name__)

SEND_TASK = "senderids.tasks.send_status_email"
DIGEST_TASK = "senderids.tasks.send_digest"
# The Django group of support staff (created by seed_demo; DESIGN: Business users, Support staff, Approvers).
SUPPORT_GROUP = "Support staff"

# A change younger than this may still be followed by another one that makes it moot.
SETTLE = timedelta(seconds=60)
# The same status of the same request is not told twice to one person within this window.
REPEAT_WINDOW = timedelta(minutes=15)
DIGEST_PERIOD = timedelta(hours=24)
# A second digest run the same day (two beats, a retry) sends nothing.
DIGEST_MIN_GAP = timedelta(hours=20)

# Where the team has something to do: "only when I must act" hears about these.
MUST_ACT_STATUSES = frozenset(
    {Status.REGISTRATION_DRAFT, Status.REQUIRES_UPDATES, Status.ACTION_REQUIRED, Status.FAILED}
)
# Statuses that mean the same to the team, mapped onto one: "on its way to AWS".
SAME_MEANING = {Status.SUBMITTING: Status.APPROVED}

# What each user-visible status means for the team (the email's first paragraph).
STATUS_MESSAGES = {
    Status.APPROVED: _("Your request was approved. We are now submitting it to AWS."),
    Status.REJECTED: _("Your request was rejected."),
    Status.REGISTRATION_DRAFT: _(
        "Your registration was created at AWS. Complete and submit the registration form to continue."
    ),
    Status.REGISTRATION_SUBMITTED: _("Your registration was submitted to AWS for review."),
    Status.REQUIRES_UPDATES: _("AWS asks for changes to your registration before it can be approved."),
    Status.ACTION_REQUIRED: _(
        "AWS needs you to act before it can continue reviewing your registration: follow the instructions "
        "on the request's page (for example confirm the email address AWS wrote to)."
    ),
    Status.SUPPORT_CASE_OPEN: _(
        "An AWS Support case for your sender ID is prepared; the request's page shows when AWS answers."
    ),
    Status.SUPPORT_CASE_RESOLVED: _("The AWS support case for your sender ID was resolved."),
    Status.ACTIVE: _("Your sender ID is active: you can send messages with it."),
    Status.RELEASED: _("Your sender ID was released."),
    Status.FAILED: _("AWS could not complete your request."),
}


def meaning(status: str) -> str:
    return SAME_MEANING.get(status, status)


def _same_meaning(status: str) -> list[str]:
    return [s for s in Status.values if meaning(s) == meaning(status)]


def status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


def portal_url(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


def detail_url(request: SenderIdRequest) -> str:
    return portal_url(reverse("senderids:detail", args=[request.pk]))


def _render(name: str, context: dict[str, Any]) -> tuple[str, str]:
    """Subject (one line) and body of templates/senderids/email/<name>_{subject,body}.txt."""
    subject = " ".join(render_to_string(f"senderids/email/{name}_subject.txt", context).split())
    return subject, render_to_string(f"senderids/email/{name}_body.txt", context)


# --- Preferences ------------------------------------------------------------------------------------
def notification_preference_save(
    *, user: AbstractBaseUser, email: str, language: str
) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email": email, "language": language}
    )
    return preference


def wants_email_now(preference: NotificationPreference, to_status: str) -> bool:
    """Whether this preference asks for an email of its own about a change into `to_status`."""
    if preference.email == EmailPreference.EVERY_CHANGE:
        return True
    return preference.email == EmailPreference.MUST_ACT and to_status in MUST_ACT_STATUSES


# --- The listener ------------------------------------------------------------------------------------
def enqueue_status_email(request: SenderIdRequest, event: StatusEvent) -> None:
    """Lifecycle listener, on commit of every transition: for a user-visible one, one email task per
    member who wants it, and the team's webhook deliveries."""
    if not is_user_visible(event.from_status, event.to_status):
        return
    # Runs after the commit, among the transition's other on-commit work: it logs, never raises into it.
    try:
        for user in team_members_reachable(request.team_id):
            if wants_email_now(preference_of(user), event.to_status):
                enqueue_on_commit(SEND_TASK, event.pk, user.pk)
    except Exception:
        logger.exception("could not enqueue the emails of event %s", event.pk)
    try:
        webhooks.deliveries_enqueue(request=request, event=event)
    except Exception:
        logger.exception("could not enqueue the webhook deliveries of event %s", event.pk)


# --- One email ---------------------------------------------------------------------------------------
def status_email_settle_seconds(*, event_id: int, now: datetime | None = None) -> float:
    """How long the email of this event should still wait for a change that would make it moot."""
    created = StatusEvent.objects.filter(pk=event_id).values_list("created_at", flat=True).first()
    if created is None:
        return 0.0
    return max((created + SETTLE - (now or timezone.now())).total_seconds(), 0.0)


def _visible_transitions(request_id: int) -> list[StatusEvent]:
    rows = (
        StatusEvent.objects.filter(request_id=request_id)
        .exclude(from_status="")
        .exclude(from_status=F("to_status"))
        .order_by("created_at", "pk")
        .only("pk", "from_status", "to_status", "created_at")
    )
    return [e for e in rows if is_user_visible(e.from_status, e.to_status)]


def is_news(event: StatusEvent) -> bool:
    """False if a later change followed within SETTLE, or if the burst of changes (each within SETTLE of
    the one before) that this event ends leaves the request meaning what it meant before the burst."""
    transitions = _visible_transitions(event.request_id)
    index = next((i for i, e in enumerate(transitions) if e.pk == event.pk), None)
    if index is None:
        return False
    if index + 1 < len(transitions) and transitions[index + 1].created_at - event.created_at < SETTLE:
        return False
    start = index
    while start > 0 and transitions[start].created_at - transitions[start - 1].created_at < SETTLE:
        start -= 1
    return meaning(transitions[start].from_status) != meaning(event.to_status)


def _told_lately(user: AbstractBaseUser, event: StatusEvent, now: datetime) -> bool:
    return NotificationSent.objects.filter(
        user=user,
        event__request_id=event.request_id,
        event__to_status__in=_same_meaning(event.to_status),
        created_at__gte=now - REPEAT_WINDOW,
    ).exists()


def status_email_send(*, event_id: int, user_id: int | None = None, now: datetime | None = None) -> bool:
    """Email one team member (or, without `user_id`, every member who wants it) about one StatusEvent.
    True if an email went out. Never raises for a mail failure: it is logged."""
    event = (
        StatusEvent.objects.select_related("request__country", "request__owner").filter(pk=event_id).first()
    )
    if event is None or not is_user_visible(event.from_status, event.to_status):
        return False
    now = now or timezone.now()
    if not is_news(event):
        return False
    sent = False
    for user in team_members_reachable(event.request.team_id, user_id=user_id):
        sent = _send_one(event, user, now=now) or sent
    return sent


def _send_one(event: StatusEvent, user: AbstractBaseUser, *, now: datetime) -> bool:
    preference = preference_of(user)
    if not wants_email_now(preference, event.to_status) or _told_lately(user, event, now):
        return False
    try:
        with transaction.atomic():
            claim = NotificationSent.objects.create(user=user, event=event)
    except IntegrityError:
        return False  # already sent (a redelivered or duplicate task)
    request = event.request
    try:
        with translation.override(language_of(preference)):
            context = {
                "request": request,
                "event": event,
                "recipient": user,
                "owner": request.owner,
                "status_label": status_label(event.to_status),
                "status_message": STATUS_MESSAGES.get(event.to_status, ""),
                # The reason and the actor in the reader's language (AWS's own words stay as written).
                "reason": reason_text(event),
                "actor": actor_display(event, staff=False),
                "what_next": what_next(event.to_status, staff=False),
                "detail_url": detail_url(request),
                "preferences_url": portal_url(reverse("senderids:notifications")),
            }
            subject, body = _render("status_changed", context)
        send_mail(subject, body, None, [user.email], fail_silently=False)
    except Exception:
        logger.exception(
            "could not email the owner or team member %s of request %s about %s", user.pk, request.pk, event
        )
        claim.delete()  # not sent: a redelivery may try again
        return False
    return True


# --- The team members' daily digest ----------------------------------------------------------------
def daily_digests_enqueue() -> int:
    """Beat, daily: one digest task per user who chose the daily digest."""
    user_ids = list(
        NotificationPreference.objects.filter(email=EmailPreference.DAILY_DIGEST, user__is_active=True)
        .exclude(user__email="")
        .values_list("user_id", flat=True)
    )
    for user_id in user_ids:
        enqueue_on_commit(DIGEST_TASK, user_id)
    return len(user_ids)


def _claim_digest(
    preference: NotificationPreference, field: str, now: datetime
) -> tuple[bool, datetime | None]:
    """Take today's digest of this kind for one user (a compare-and-set on `field`): (taken, when the
    previous one went out). Not taken when another run sent it less than DIGEST_MIN_GAP ago."""
    previous = getattr(preference, field)
    if previous is not None and now - previous < DIGEST_MIN_GAP:
        return False, previous
    taken = NotificationPreference.objects.filter(pk=preference.pk, **{field: previous}).update(
        **{field: now}
    )
    return bool(taken), previous


def _release_digest(preference: NotificationPreference, field: str, now: datetime, previous: Any) -> None:
    NotificationPreference.objects.filter(pk=preference.pk, **{field: now}).update(**{field: previous})


def digest_changes(user: AbstractBaseUser, *, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """The user-visible changes of the user's teams' requests in (since, until], by request."""
    events = (
        StatusEvent.objects.filter(
            request__team__memberships__user=user, created_at__gt=since, created_at__lte=until
        )
        .exclude(from_status="")
        .exclude(from_status=F("to_status"))
        .select_related("request__country")
        .order_by("created_at", "pk")
    )
    by_request: dict[int, dict[str, Any]] = {}
    for event in events:
        if not is_user_visible(event.from_status, event.to_status):
            continue
        entry = by_request.setdefault(
            event.request_id, {"request": event.request, "url": detail_url(event.request), "changes": []}
        )
        entry["changes"].append(event)
    return list(by_request.values())


def digest_send(*, user_id: int, now: datetime | None = None) -> bool:
    """One user's digest of the last 24 h (since their last digest, if later); nothing when nothing
    changed, or when they no longer want it. True if an email went out."""
    now = now or timezone.now()
    preference = NotificationPreference.objects.select_related("user").filter(user_id=user_id).first()
    if preference is None or preference.email != EmailPreference.DAILY_DIGEST:
        return False
    user = preference.user
    if not (user.is_active and user.email):
        return False
    taken, previous = _claim_digest(preference, "digest_sent_at", now)
    if not taken:
        return False
    since = max(previous, now - DIGEST_PERIOD) if previous else now - DIGEST_PERIOD
    entries = digest_changes(user, since=since, until=now)
    if not entries:
        return False
    try:
        with translation.override(language_of(preference)):
            for entry in entries:
                entry["lines"] = [
                    (e.created_at, status_label(meaning(e.from_status)), status_label(e.to_status))
                    for e in entry["changes"]
                ]
                entry["status_label"] = status_label(entry["request"].status)
            context = {
                "recipient": user,
                "entries": entries,
                "since": since,
                "preferences_url": portal_url(reverse("senderids:notifications")),
            }
            subject, body = _render("digest", context)
        send_mail(subject, body, None, [user.email], fail_silently=False)
    except Exception:
        logger.exception("could not send the daily digest to user %s", user.pk)
        _release_digest(preference, "digest_sent_at", now, previous)
        return False
    return True


# --- Support staff ------------------------------------------------------------------------------------
def _support_staff() -> list[Any]:
    return list(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=SUPPORT_GROUP))
        .exclude(email="")
        .select_related("notification_preference")
        .distinct()
        .order_by("pk")
    )


def attention_requests(*, now: datetime) -> list[SenderIdRequest]:
    """The requests support staff should look at (clocks.attention_q), in one query, oldest change first."""
    return list(
        with_submitted_at(SenderIdRequest.objects.select_related("country", "team"))
        .filter(attention_q(now=now))
        .order_by("status_changed_at", "pk")
    )


def staff_digest_send(*, now: datetime | None = None) -> int:
    """Beat, daily: email each support staff member (and superuser) the requests that need attention,
    in their language; nothing when none do. Returns how many were emailed."""
    now = now or timezone.now()
    requests = attention_requests(now=now)
    if not requests:
        return 0
    sent = 0
    for user in _support_staff():
        preference = preference_of(user)
        if preference.pk is None:
            preference, _created = NotificationPreference.objects.get_or_create(user=user)
        taken, previous = _claim_digest(preference, "staff_digest_sent_at", now)
        if not taken:
            continue
        try:
            with translation.override(language_of(preference)):
                rows = [
                    {
                        "request": r,
                        "url": detail_url(r),
                        "status_label": status_label(r.status),
                        "days_in_status": (now - r.status_changed_at).days,
                        "flags": [flag.text for flag in row_flags(r, now=now)],
                    }
                    for r in requests
                ]
                context = {
                    "recipient": user,
                    "rows": rows,
                    "tracking_url": portal_url(reverse("senderids:tracking")),
                }
                subject, body = _render("staff_digest", context)
            send_mail(subject, body, None, [user.email], fail_silently=False)
        except Exception:
            logger.exception("could not send the support staff digest to user %s", user.pk)
            _release_digest(preference, "staff_digest_sent_at", now, previous)
            continue
        sent += 1
    return sent


def staff_alert_send(*, event_id: int) -> int:
    """Email support staff (the Support staff group, and superusers) about a timeline entry only they can
    sort out. Returns how many were emailed; failures are logged, never raised."""
    event = (
        StatusEvent.objects.select_related("request__owner", "request__country").filter(pk=event_id).first()
    )
    if event is None:
        return 0
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=SUPPORT_GROUP))
    )
    recipients = sorted({u.email for u in users if u.email})
    if not recipients:
        return 0
    request = event.request
    try:
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "request": request,
                "event": event,
                "reason": reason_text(event),
                "actor": actor_display(event, staff=True),
                "detail_url": detail_url(request),
            }
            subject, body = _render("staff_alert", context)
        send_mail(subject, body, None, recipients, fail_silently=False)
    except Exception:
        logger.exception("could not alert staff about event %s", event_id)
        return 0
    return len(recipients)
