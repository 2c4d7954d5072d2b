"""Plain language on the pages: a timeline entry's reason and actor in the reader's language, a
status's headline and next step for who is looking (`{% load plain_status %}`).

The words live in senderids.reasons (the reason catalogue), senderids.events (`actor_display`) and
senderids.status_texts; these tags only pick the reader's variant, so every page says the same thing.
"""

from __future__ import annotations

from typing import Any

from django import template

from senderids.events import ActorName, actor_display
from senderids.permissions import can_approve
from senderids.reasons import reason_text as _reason_text
from senderids.status_texts import headline, status_label, what_next

register = template.Library()


@register.filter
def reason_text(entry: Any) -> str:
    """`{{ event|reason_text }}`: the entry's reason in the active language."""
    return _reason_text(entry)


@register.filter(name="status_label")
def status_label_filter(status: str) -> str:
    """`{{ r.status|status_label }}`: the status's name in the reader's language (get_status_display)."""
    return status_label(status)


@register.filter
def status_headline(status: str) -> str:
    """`{{ req.status|status_headline }}`: where the request stands, in one plain sentence."""
    return headline(status)


def _staff_view(context: template.Context) -> bool:
    user = context.get("user")
    return bool(user is not None and getattr(user, "is_staff", False) and not context.get("is_owner", False))


@register.simple_tag(takes_context=True)
def staff_view(context: template.Context) -> bool:
    """`{% staff_view as staff %}`: staff looking at a request that is not their team's."""
    return _staff_view(context)


@register.simple_tag(takes_context=True)
def actor_name(context: template.Context, entry: Any) -> ActorName:
    """`{% actor_name event as actor %}`: `actor.name` for people; `actor.technical` for staff."""
    return actor_display(entry, staff=_staff_view(context))


@register.simple_tag(takes_context=True)
def next_step(context: template.Context, req: Any) -> str:
    """`{% next_step req %}`: what happens next for the viewer (team, staff, or an approver)."""
    staff = _staff_view(context)
    user = context.get("user")
    approver = bool(staff and user is not None and can_approve(user, req))
    return what_next(req.status, staff=staff, approver=approver)


@register.filter
def aws_reason(entries: Any, aws_code: str) -> str:
    """`{{ events|aws_reason:req.aws_error_code }}`: in plain words, what the latest entry that recorded
    AWS's error said (its reason, in the reader's language); "" when none did."""
    for entry in reversed(list(entries or [])):
        if (entry.aws_code == aws_code or not aws_code) and (text := _reason_text(entry)):
            return text
    return ""
