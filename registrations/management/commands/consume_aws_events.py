"""`manage.py consume_aws_events`: one pass over the AWS events queues; prints what it did."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from registrations.services import events


class Command(BaseCommand):
    help = _(
        "Read AWS's Registration Status Change events from each account's SQS queue once (long polling), "
        "refresh the registrations they name and delete the messages; print what was done."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wait",
            type=int,
            default=None,
            help=_("longest long poll in seconds, 0–20 (default: AWS_EVENTS_WAIT_SECONDS)"),
        )
        parser.add_argument(
            "--depth", action="store_true", help=_("also print how many messages each queue holds")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not events.event_queues():
            self.stdout.write(
                _("No events queue configured (AWS_EVENTS_QUEUE_URL or an account's events queue URL).")
            )
            return
        report = events.aws_events_consume(wait_seconds=options["wait"])
        self.stdout.write(_("events: %(report)s") % {"report": report})
        for line in report.changes:
            self.stdout.write(f"  {line}")
        for line in report.errors:
            self.stderr.write(_("  error: %(line)s") % {"line": line})
        if options["depth"]:
            for queue, depth in events.queue_depths():
                self.stdout.write(f"  {queue.url}: {depth}")
