"""The process registry: how a sender ID is obtained in a country, pluggable per process.

A country's process (countries.SenderIdProcess: supported, registration, support_case) decides what
happens after approval. senderids owns the request and its lifecycle but knows no process in
particular: each process registers itself here from its own AppConfig.ready() — "supported" from
senderids, "registration" from registrations, "support_case" from supportcases — with

* `start(request)`: runs in the worker while the request is `submitting` (the AWS side of the process);
* `resume(request)`: runs instead, first, when a worker takes over a request already `submitting` (the
  previous attempt may have reached AWS and died before our commit): reads what AWS already has and
  finishes from it, True when done — so a crash costs a read, not a second write (`start` follows when
  it answers False, its ClientToken keeping even that repeat harmless);
* `on_create(request)`: runs in the transaction that creates the request (e.g. its Registration row);
* `detail_url(request)`: the process's own page for the request, if it has one;
* `admin_inlines`: what an approver reads on the request's admin page before approving;
* `sender_id_labels(requests)`: the "registration" column of My sender IDs, per request;
* `exclude_done(queryset)`: drops from a reminder the requests whose owner has nothing left to do;
* `after_release(request)`: runs in the transaction that records a release (e.g. enqueue the deletion of
  the registration AWS closed when the sender ID was released).
* `tracking`: what the process adds to support staff's tracking page (`Tracking`): the requests whose
  own record matches a search term (its AWS id), and a filter on the raw AWS status of that record.

So "who starts a registration?" has a grep answer (registrations/apps.py), and senderids never imports
the apps that build on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from .models import SenderIdRequest


@dataclass(frozen=True)
class Tracking:
    """A process's part of /tracking/: each callable answers a Q over the process's own relation from
    SenderIdRequest (e.g. ``registration__aws_registration_id``), so senderids filters without knowing it.

    * `search_q(term)`: the requests whose record the (stripped, non-empty) term identifies exactly;
    * `aws_status_label`, `aws_statuses()`, `aws_status_q(status)`: a filter on the raw AWS status of
      the record (the statuses to offer; AWS adds values over time, so offer what is stored too).
    """

    search_q: Callable[[str], Q] | None = None
    aws_status_label: Any = ""
    aws_statuses: Callable[[], Iterable[str]] | None = None
    aws_status_q: Callable[[str], Q] | None = None


@dataclass(frozen=True)
class Process:
    name: str
    start: Callable[[SenderIdRequest], None]
    resume: Callable[[SenderIdRequest], bool] | None = None
    on_create: Callable[[SenderIdRequest], None] | None = None
    detail_url: Callable[[SenderIdRequest], str] | None = None
    admin_inlines: tuple[type, ...] = ()
    sender_id_labels: Callable[[list[SenderIdRequest]], dict[int, str]] | None = None
    exclude_done: Callable[[QuerySet], QuerySet] | None = None
    after_release: Callable[[SenderIdRequest], None] | None = None
    # A failed request of this process may be retried from admin (approved again, fresh ClientToken):
    # true where AWS kept no record of it that a retry would duplicate.
    retryable: bool = False
    tracking: Tracking | None = None


class ProcessUnavailable(RuntimeError):
    """No process of that name is registered in this deployment (its app is not installed)."""


class ProcessRefused(Exception):
    """A process's start found, before asking AWS, that it cannot go on (e.g. the account's registration
    quota is used up): the request fails with `reason`, written for the owner, and no AWS error."""

    def __init__(self, reason: str, *, code: str = "ProcessRefused"):
        super().__init__(reason)
        self.reason = reason
        self.code = code


_processes: dict[str, Process] = {}


def register(process: Process) -> None:
    """Register (or replace, e.g. on a second ready() in tests) the process of that name."""
    _processes[process.name] = process


def get(name: str) -> Process:
    try:
        return _processes[name]
    except KeyError:
        raise ProcessUnavailable(f"no process {name!r} is registered") from None


def find(name: str) -> Process | None:
    return _processes.get(name)


def all_processes() -> Iterable[Process]:
    return tuple(_processes.values())


def detail_url(request: SenderIdRequest) -> str | None:
    """The page of the request's process (registration form, support case), or None."""
    process = find(request.process)
    return process.detail_url(request) if process and process.detail_url else None


def admin_inlines() -> list[type]:
    return [inline for process in all_processes() for inline in process.admin_inlines]


def sender_id_labels(requests: list[SenderIdRequest]) -> dict[int, Any]:
    """Each process labels its own requests; one call per process whatever the number of rows."""
    labels: dict[int, Any] = {}
    by_process: dict[str, list[SenderIdRequest]] = {}
    for request in requests:
        by_process.setdefault(request.process, []).append(request)
    for name, rows in by_process.items():
        process = find(name)
        if process is not None and process.sender_id_labels is not None:
            labels.update(process.sender_id_labels(rows))
    return labels


def exclude_done(queryset: QuerySet) -> QuerySet:
    """`queryset` without the requests whose process says their owner has nothing left to do."""
    for process in all_processes():
        if process.exclude_done is not None:
            queryset = process.exclude_done(queryset)
    return queryset


# --- tracking: what each process contributes to the search and the AWS status filter ---------------------
# The value of an AWS status filter choice: "<process>:<raw AWS status>".
AWS_STATUS_SEPARATOR = ":"


def _tracking_hooks() -> list[tuple[str, Tracking]]:
    return [(p.name, p.tracking) for p in all_processes() if p.tracking is not None]


def tracking_search_q(term: str) -> Q:
    """The requests some process's record identifies by `term` (registration id, case id...)."""
    found = Q(pk__in=[])  # matches nothing: OR-ed with each process's Q
    for _name, hooks in _tracking_hooks():
        if hooks.search_q is not None:
            found |= hooks.search_q(term)
    return found


def tracking_aws_status_choices() -> list[tuple[Any, list[tuple[str, str]]]]:
    """(group label, [(value, raw status)]) per process that offers the filter; one query each."""
    groups = []
    for name, hooks in _tracking_hooks():
        if hooks.aws_statuses is not None and hooks.aws_status_q is not None:
            statuses = sorted(set(hooks.aws_statuses()))
            values = [(f"{name}{AWS_STATUS_SEPARATOR}{status}", status) for status in statuses]
            groups.append((hooks.aws_status_label or name, values))
    return groups


def tracking_aws_status_q(value: str) -> Q:
    """The filter of a `tracking_aws_status_choices` value; an unknown process matches nothing."""
    name, _sep, status = value.partition(AWS_STATUS_SEPARATOR)
    process = find(name)
    hooks = process.tracking if process is not None else None
    if hooks is None or hooks.aws_status_q is None or not status:
        return Q(pk__in=[])
    return hooks.aws_status_q(status)
