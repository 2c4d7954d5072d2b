"""Timeline reasons are message ids with parameters: stored once (with the English text for search and
old readers), rendered in each reader's language; every constructor takes its code from the one
catalogue (senderids/reasons.py).

Personas: Olivia owns the request, Tom is her French-speaking teammate.
"""

from __future__ import annotations

import inspect
import itertools
import types
import typing

import pytest
from django.core import mail
from django.utils import translation

import registrations.events
import supportcases.events
from senderids import events, lifecycle
from senderids.choices import Status
from senderids.models import EmailPreference, NotificationPreference, StatusEvent
from senderids.reasons import NOTE, REASONS, english, reason_text
from teams.services import membership_set, team_ensure_for
from tests.factories import SenderIdRequestFactory

CONSTRUCTOR_MODULES = (events, registrations.events, supportcases.events)
# Constructors whose reason is nobody's sentence (no reason), or someone's own words (an approver's
# rejection, a process's refusal, a rule notice written by the rule calendar): no catalogue code.
WITHOUT_CODE = {
    "requested",
    "approved",
    "rejected",
    "submission_claimed",
    "sender_id_created",
    "process_refused",
    "rule_notice",
    "registration_status_mirrored",
}


class _Person:
    """Enough of a user for a constructor (they only name people)."""

    pk = 1

    def get_username(self) -> str:
        return "sam"

    def get_full_name(self) -> str:
        return "Sam Support"


def _constructors() -> list[tuple[str, typing.Callable[..., events.Event]]]:
    found = []
    for module in CONSTRUCTOR_MODULES:
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            mine = fn.__module__ == module.__name__ and fn is not events.with_reason
            if mine and typing.get_type_hints(fn).get("return") is events.Event:
                found.append((f"{module.__name__}.{name}", fn))
    return found


def _sample(hint: object) -> list[object]:
    """Values to call a constructor with, by parameter type (booleans: both, to reach every branch)."""
    if hint is bool:
        return [False, True]
    if hint is int:
        return [3]
    if hint is str:
        return ["X1", ""]
    if typing.get_origin(hint) is list:
        return [["SMS"]]
    args = typing.get_args(hint)
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        if int in args:
            return [2]
        return [_Person()]  # Actor, AbstractBaseUser | ...
    return [_Person()]


def _calls(fn: typing.Callable[..., events.Event]) -> list[dict[str, object]]:
    hints = typing.get_type_hints(fn)
    params = inspect.signature(fn).parameters
    names = [n for n, p in params.items() if p.default is inspect.Parameter.empty or hints.get(n) is bool]
    choices = [_sample(hints[n]) for n in names]
    calls = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*choices)]
    # Optional texts: with and without (a previous case, a version status, a staff member's note).
    optional = [n for n, p in params.items() if p.default == "" and hints.get(n) is str]
    return calls + [{**call, **dict.fromkeys(optional, "Y2")} for call in calls] if optional else calls


def test_the_constructors_are_found():
    names = {name.rsplit(".", 1)[1] for name, _fn in _constructors()}
    assert {"released", "registration_submitted", "support_case_resolved", "rule_notice"} <= names


@pytest.mark.parametrize(("name", "constructor"), _constructors(), ids=[n for n, _c in _constructors()])
def test_every_constructors_code_is_in_the_catalogue(name, constructor):
    for kwargs in _calls(constructor):
        event = constructor(**kwargs)
        if name.rsplit(".", 1)[1] in WITHOUT_CODE:
            assert event.reason_code == "", name
            continue
        assert event.reason_code in REASONS, (name, event.reason_code)
        # The English text is the catalogue entry, formatted: what search and old readers get.
        assert event.reason == english(event.reason_code, event.reason_params), name
        assert "%(" not in event.reason, name


def test_the_reason_is_stored_in_english_with_its_code_whatever_language_the_actor_reads(db, owner):
    request = SenderIdRequestFactory(owner=owner, status=Status.ACTIVE)
    with translation.override("fr"):
        row = lifecycle.transition(
            request, Status.RELEASING, event=events.release_requested(owner, by_owner=True)
        )
    row.refresh_from_db()
    assert row.reason == "Release requested by the owner."
    assert (row.reason_code, row.reason_params) == ("release_requested_by_owner", {})


def test_a_reason_written_in_english_renders_in_french(db, owner):
    request = SenderIdRequestFactory(owner=owner, status=Status.ACTIVE)
    row = lifecycle.note(request, event=events.release_requested(owner, by_owner=True))
    row.refresh_from_db()
    with translation.override("fr"):
        assert reason_text(row) == "Libération demandée par le propriétaire."
    with translation.override("en"):
        assert reason_text(row) == "Release requested by the owner."


def test_parameters_are_formatted_into_the_readers_language(db, owner):
    request = SenderIdRequestFactory(owner=owner, status=Status.SUBMITTING)
    row = lifecycle.note(request, event=registrations.events.registration_created("registration-abc"))
    row.refresh_from_db()
    assert row.reason_params == {"id": "registration-abc"}
    assert row.reason == "AWS registration registration-abc created."
    with translation.override("fr"):
        assert reason_text(row) == "Enregistrement AWS registration-abc créé."


def test_a_persons_note_follows_the_sentence_untranslated(db, owner):
    event = supportcases.events.support_case_in_progress(None, "opened", note="  Sent the documents.  ")
    assert event.reason_params == {NOTE: "Sent the documents."}
    assert event.reason == "AWS Support is working on the case. Sent the documents."
    with translation.override("fr"):
        assert reason_text(event) == "Le support AWS traite le dossier. Sent the documents."


def test_an_unknown_code_or_an_old_row_shows_the_stored_text(db, owner):
    request = SenderIdRequestFactory(owner=owner)
    old = StatusEvent.objects.create(request=request, to_status=Status.PENDING_REVIEW, reason="As written.")
    gone = StatusEvent.objects.create(
        request=request, to_status=Status.PENDING_REVIEW, reason="Kept.", reason_code="no_such_code"
    )
    unfit = StatusEvent.objects.create(
        request=request,
        to_status=Status.PENDING_REVIEW,
        reason="Stored.",
        reason_code="registration_created",
        reason_params={"other": 1},
    )
    with translation.override("fr"):
        assert [reason_text(e) for e in (old, gone, unfit)] == ["As written.", "Kept.", "Stored."]


def test_the_timeline_shows_the_reason_in_the_readers_language(db, owner, owner_client):
    request = SenderIdRequestFactory(owner=owner, status=Status.ACTIVE)
    lifecycle.transition(request, Status.RELEASING, event=events.release_requested(owner, by_owner=True))
    owner_client.cookies["django_language"] = "fr"
    html = owner_client.get(f"/sender-ids/{request.pk}/").content.decode()
    timeline = html[html.index('id="timeline"') :]
    assert "Libération demandée par le propriétaire." in timeline
    assert "Release requested by the owner." not in timeline


def test_the_email_gives_the_reason_and_actor_in_the_recipients_language(
    db, owner, django_user_model, django_capture_on_commit_callbacks
):
    team = team_ensure_for(owner)
    tom = django_user_model.objects.create_user("tom", "tom@acme.example", "tom-pass-1", first_name="Tom")
    membership_set(team=team, user=tom)
    NotificationPreference.objects.update_or_create(
        user=tom, defaults={"email": EmailPreference.EVERY_CHANGE, "language": "fr"}
    )
    request = SenderIdRequestFactory(owner=owner, team=team, status=Status.PENDING_REVIEW)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        lifecycle.transition(request, Status.APPROVED, event=events.auto_approved())
    (french,) = [m for m in mail.outbox if tom.email in m.to]
    assert "L'approbation n'est pas requise." in french.body
    # The actor is named for people ("the portal", translated once the catalogue is compiled).
    assert "auto-approval" not in french.body
