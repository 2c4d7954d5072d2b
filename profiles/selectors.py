"""Reads of company profiles and their documents: the profile page, the registration form (prefill,
the vault documents a form may use) and the names a sender ID may reasonably stand for."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from teams.models import Team

from .errors import DocumentUnusable
from .models import CompanyProfile, Document, DocumentKind
from .uploads import human_date

# A document this close to its expiry is shown as expiring (and its team admins get a reminder).
EXPIRING_WITHIN_DAYS = 30

# Second-level labels under which registrable names sit in many country domains (acme.co.uk, acme.com.au).
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "ac", "edu", "ltd", "plc", "or", "ne", "go"})


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def profile_for_team(team: Team | None) -> CompanyProfile | None:
    if team is None:
        return None
    return CompanyProfile.objects.filter(team=team).first()


def website_label(website: str) -> str:
    """The website's main domain label: https://www.acme-corp.co.uk → "acme-corp"."""
    website = website.strip()
    if not website:
        return ""
    host = urlsplit(website if "//" in website else f"//{website}").hostname or ""
    labels = [label for label in host.split(".") if label]
    if labels and labels[0] == "www":
        labels = labels[1:]
    if len(labels) < 2:
        return labels[0] if labels else ""
    labels = labels[:-1]  # the top-level domain
    if len(labels) >= 2 and labels[-1] in _SECOND_LEVEL:
        labels = labels[:-1]
    return labels[-1]


def brand_names(team: Team | None) -> list[str]:
    """The names the team's company goes by: legal name, trading name, the website's main label
    (without duplicates, in that order); empty without a profile."""
    profile = profile_for_team(team)
    if profile is None:
        return []
    names: list[str] = []
    for name in (profile.legal_name, profile.trading_name, website_label(profile.website)):
        name = name.strip()
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return names


def documents_of_team(team: Team) -> QuerySet[Document]:
    """The team's vault, without the files' content (the page lists; downloads read one)."""
    return Document.objects.filter(team=team).defer("content").select_related("uploaded_by")


def document_for_team(*, team: Team | None, pk: int) -> Document | None:
    """One of the team's documents; None for another team's (the views answer 404)."""
    if team is None:
        return None
    return Document.objects.filter(team=team, pk=pk).first()


def usable_documents(
    *, team: Team, country_iso: str, kind: str | None = None, today: datetime.date | None = None
) -> QuerySet[Document]:
    """The team's documents a form for `country_iso` may use today: not expired, for that country or any."""
    documents = (
        documents_of_team(team)
        .filter(Q(country="") | Q(country=country_iso.upper()))
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=_today(today)))
    )
    if kind is not None:
        documents = documents.filter(kind=kind)
    return documents


def document_unusable_message(document: Document) -> str:
    return _(
        "The %(kind)s “%(title)s” expired on %(date)s: upload a current one on your company profile."
    ) % {
        "kind": DocumentKind(document.kind).label.lower() if document.kind in DocumentKind.values else "",
        "title": document.title,
        "date": human_date(document.expires_on) if document.expires_on else "",
    }


def document_for_use(
    *,
    team: Team,
    pk: int,
    today: datetime.date | None = None,
    country_iso: str | None = None,
    kind: str | None = None,
) -> Document:
    """The team's document `pk`, if a form may use it now; else DocumentUnusable with the reason for the
    user (expired; gone or another team's; for another country; of another kind)."""
    document = document_for_team(team=team, pk=pk)
    if document is None:
        raise DocumentUnusable(
            _("The chosen document is no longer on your company profile: choose another or upload a file.")
        )
    if document.is_expired(_today(today)):
        raise DocumentUnusable(document_unusable_message(document))
    if country_iso is not None and document.country and document.country != country_iso.upper():
        raise DocumentUnusable(
            _("The document “%(title)s” is for another country (%(country)s).")
            % {"title": document.title, "country": document.country}
        )
    if kind is not None and document.kind != kind:
        raise DocumentUnusable(
            _("The document “%(title)s” is not a %(kind)s.")
            % {"title": document.title, "kind": DocumentKind(kind).label.lower()}
        )
    return document


@dataclass(frozen=True)
class Expiry:
    """A document's validity as the page says it (in words, never by colour alone)."""

    state: str  # "valid", "expiring", "expired", "no_expiry"
    text: str
    days: int | None = None


def document_expiry(document: Document, today: datetime.date | None = None) -> Expiry:
    today = _today(today)
    if document.expires_on is None:
        return Expiry("no_expiry", _("Valid (no expiry date)"))
    days = (document.expires_on - today).days
    date = human_date(document.expires_on)
    if days < 0:
        return Expiry("expired", _("Expired on %(date)s") % {"date": date}, days)
    if days == 0:
        return Expiry("expiring", _("Expires today (%(date)s)") % {"date": date}, days)
    if days <= EXPIRING_WITHIN_DAYS:
        text = ngettext("Expires in %(days)d day (%(date)s)", "Expires in %(days)d days (%(date)s)", days) % {
            "days": days,
            "date": date,
        }
        return Expiry("expiring", text, days)
    return Expiry("valid", _("Valid until %(date)s") % {"date": date}, days)
