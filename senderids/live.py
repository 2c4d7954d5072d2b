"""Live pages: what a page that updates itself needs (senderids' request page, the registration and
support-case pages), and the version its script compares with the JSON status endpoint.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from .lifecycle import TERMINAL_STATUSES, WORKING_STATUSES


def live_version(req: Any, events_count: int) -> str:
    """Changes whenever anything the request's pages show can have changed (status, AWS status, a new
    timeline entry, an AWS error, a registration or case update mirrored on the request row)."""
    return f"{req.status}:{req.updated_at.timestamp():.6f}:{events_count}"


def live_context(req: Any, events_count: int) -> dict[str, Any]:
    """What a page that updates itself needs: whether anything can still change, how often to look."""
    live = req.status not in TERMINAL_STATUSES
    return {
        "live": live,
        "live_url": reverse("senderids:status", args=[req.pk]),
        "live_version": live_version(req, events_count),
        # Working: seconds; waiting on people or AWS's review: a relaxed pace.
        "live_seconds": 3 if req.status in WORKING_STATUSES else 15,
    }
