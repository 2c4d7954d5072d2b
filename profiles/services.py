"""Writes of company profiles and their document vault, and the expiry reminders.

Team admins write (the profile, documents); every function checks it, so a view, an admin action or a
task cannot skip the rule. Reminders go to the team admins 30 and 7 days before a document expires, each
once: a document's reminder day is claimed with a conditional UPDATE before its email is sent.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from teams.models import Membership, Role, Team
from teams.selectors import is_team_admin

from .errors import DocumentUnusable
from .mapping import answers_to_profile
from .models import PROFILE_FIELDS, CompanyProfile, Document, DocumentKind
from .uploads import human_date, validate_attachment, validate_document_dates

__all__ = [
    "REMINDER_DAYS",
    "DocumentUnusable",
    "document_add",
    "document_delete",
    "document_expiry_reminders_send",
    "profile_save",
    "profile_update_from_answers",
]

logger = logging.getLogger(__name__)

# Days before expiry on which the team admins are reminded (largest first).
REMINDER_DAYS = (30, 7)


def _require_team_admin(team: Team, actor: AbstractBaseUser) -> None:
    if not is_team_admin(actor, team.pk):
        raise PermissionDenied("changing the company profile takes the team admin role")


# --- the profile ---------------------------------------------------------------------------------
def _profile_for_update(team: Team) -> CompanyProfile:
    """The team's profile, locked (two admins saving at once), or a new one."""
    return CompanyProfile.objects.select_for_update().filter(team=team).first() or CompanyProfile(team=team)


@transaction.atomic
def profile_save(*, team: Team, data: Mapping[str, Any], actor: AbstractBaseUser) -> CompanyProfile:
    """Write the profile's attributes in `data` (others are kept). ValidationError ({attribute: messages})
    when a value does not fit AWS's ranges; nothing is stored then."""
    _require_team_admin(team, actor)
    unknown = sorted(set(data) - set(PROFILE_FIELDS))
    if unknown:
        raise ValidationError({name: _("Not an attribute of the company profile.") for name in unknown})
    nul = sorted(name for name, value in data.items() if "\x00" in str(value or ""))
    if nul:
        # PostgreSQL cannot store NUL; the forms refuse it too, this covers every other caller.
        raise ValidationError({name: _("Null characters are not allowed.") for name in nul})
    profile = _profile_for_update(team)
    for name in PROFILE_FIELDS:
        if name in data:
            setattr(profile, name, str(data[name] or "").strip())
    profile.updated_by = actor
    profile.full_clean(exclude=["team", "updated_by"], validate_unique=False)
    profile.save()
    return profile


@transaction.atomic
def profile_update_from_answers(
    *, team: Team, answers: Mapping[str, str | list[str]], actor: AbstractBaseUser
) -> list[str]:
    """Save back to the profile what a registration form's answers say and the mapping knows; returns
    the attributes that changed. An answer the profile cannot hold (too long for its field) is left out,
    never an error: the registration itself was saved already."""
    _require_team_admin(team, actor)
    profile = _profile_for_update(team)
    changed = []
    for attribute, value in answers_to_profile(answers).items():
        field = CompanyProfile._meta.get_field(attribute)
        try:
            if "\x00" in value:
                raise ValidationError("NUL")
            field.clean(value, profile)
        except ValidationError:
            logger.info("profile %s: answer for %s does not fit, not saved back", team.pk, attribute)
            continue
        if getattr(profile, attribute) != value:
            setattr(profile, attribute, value)
            changed.append(attribute)
    if changed:
        profile.updated_by = actor
        profile.save()
    return changed


# --- documents -----------------------------------------------------------------------------------
@transaction.atomic
def document_add(
    *,
    team: Team,
    actor: AbstractBaseUser,
    upload: UploadedFile,
    kind: str,
    title: str = "",
    country: str = "",
    issued_on: datetime.date | None = None,
    expires_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Document:
    """Add a file to the team's vault. ValidationError ({field: messages}) for a file AWS would refuse
    (size, type by content, empty) or dates a current document cannot have (expired, expiring before it
    was issued)."""
    _require_team_admin(team, actor)
    errors: dict[str, list[ValidationError]] = {}
    try:
        content_type = validate_attachment(upload)
    except ValidationError as exc:
        errors["upload"] = exc.error_list
        content_type = ""
    try:
        today = today or timezone.localdate()
        validate_document_dates(issued_on=issued_on, expires_on=expires_on, today=today)
    except ValidationError as exc:
        for name, messages in exc.error_dict.items():
            errors.setdefault(name, []).extend(messages)
    if kind not in DocumentKind.values:
        errors["kind"] = [ValidationError(_("Choose the kind of document."), code="kind")]
    if errors:
        raise ValidationError(errors)
    upload.seek(0)
    content = upload.read()
    file_name = (upload.name or "document").rsplit("/", 1)[-1][:255]
    document = Document(
        team=team,
        kind=kind,
        country=country.strip().upper(),
        title=(title.strip() or file_name)[:100],
        file_name=file_name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        issued_on=issued_on,
        expires_on=expires_on,
        uploaded_by=actor,
    )
    document.full_clean(exclude=["team", "uploaded_by", "content"])
    document.save()
    return document


@transaction.atomic
def document_delete(*, document: Document, actor: AbstractBaseUser) -> None:
    """Remove a document from the vault. Registrations that used it keep their own copy of the file."""
    _require_team_admin(document.team, actor)
    Document.objects.filter(pk=document.pk).delete()


# --- expiry reminders ----------------------------------------------------------------------------
def _reminder_day(expires_on: datetime.date, today: datetime.date) -> datetime.date | None:
    """The latest reminder day (expiry minus 30 or 7 days) reached by `today`, while not expired yet."""
    if expires_on < today:
        return None
    due = [expires_on - datetime.timedelta(days=d) for d in REMINDER_DAYS]
    reached = [day for day in due if day <= today]
    return max(reached) if reached else None


def _admin_emails(team_id: int) -> list[str]:
    return sorted(
        {
            email
            for email in Membership.objects.filter(
                team_id=team_id, role=Role.ADMIN, user__is_active=True
            ).values_list("user__email", flat=True)
            if email
        }
    )


def _reminder_email(document: Document, today: datetime.date) -> tuple[str, str]:
    days = (document.expires_on - today).days if document.expires_on else 0
    subject = _("“%(title)s” expires on %(date)s") % {
        "title": document.title,
        "date": human_date(document.expires_on) if document.expires_on else "",
    }
    body = "\n\n".join(
        [
            ngettext(
                "The document “%(title)s” (%(kind)s) of your company profile expires in %(days)d day, "
                "on %(date)s.",
                "The document “%(title)s” (%(kind)s) of your company profile expires in %(days)d days, "
                "on %(date)s.",
                days,
            )
            % {
                "title": document.title,
                "kind": DocumentKind(document.kind).label.lower(),
                "days": days,
                "date": human_date(document.expires_on) if document.expires_on else "",
            },
            _("Registration forms cannot use it once it has expired. Upload a current one here: %(url)s")
            % {"url": f"{settings.PORTAL_BASE_URL}{reverse('profiles:profile')}"},
        ]
    )
    return subject, body


def document_expiry_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Email the team admins of every document 30 and 7 days before it expires, each reminder once (a
    run that missed a day sends the latest reminder due, not every one). Returns the emails sent.

    Sent in the site's language (settings.LANGUAGE_CODE): the user model holds no language, and the
    notification preferences that do are senderids', which this app may not import.
    """
    today = timezone.localdate(now or timezone.now())
    horizon = today + datetime.timedelta(days=max(REMINDER_DAYS))
    candidates = (
        Document.objects.filter(expires_on__gte=today, expires_on__lte=horizon)
        .defer("content")
        .order_by("pk")
    )
    sent = 0
    for document in candidates:
        day = _reminder_day(document.expires_on, today)
        if day is None:
            continue
        recipients = _admin_emails(document.team_id)
        if not recipients:
            continue
        with transaction.atomic():
            # The claim: only one run (or worker) sends this reminder; a failed send rolls it back.
            claimed = (
                Document.objects.filter(pk=document.pk)
                .filter(Q(expiry_reminder_sent_for__isnull=True) | Q(expiry_reminder_sent_for__lt=day))
                .update(expiry_reminder_sent_for=day)
            )
            if not claimed:
                continue
            with translation.override(settings.LANGUAGE_CODE):
                subject, body = _reminder_email(document, today)
            for email in recipients:
                send_mail(subject, body, None, [email])
                sent += 1
    return sent
