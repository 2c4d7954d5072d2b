"""``python manage.py run_sms_simulator``: serve the local AWS End User Messaging SMS simulator."""

from __future__ import annotations

import json
import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from smsvoice.simulator import SimConfig, SimulatorServer
from smsvoice.simulator.records import DEFAULT_ACCOUNT_ID, account_map

STS_ENDPOINT_VAR = "AWS_ENDPOINT_URL_STS"


class Command(BaseCommand):
    help = (
        "Serve a local stand-in for AWS End User Messaging SMS (pinpoint-sms-voice-v2) that boto3 talks to "
        "unchanged: point AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 at it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=4566)
        parser.add_argument(
            "--allow-remote-control",
            action="store_true",
            help="answer the control API (/_reset, /_faults, /_config, ...) from any client, not only "
            "loopback: a developer's own network only",
        )
        parser.add_argument(
            "--tps",
            type=float,
            default=0.0,
            help="requests per second per operation before ThrottlingException (0: no cap)",
        )
        parser.add_argument(
            "--state-file", default=None, help="persist state to this JSON file across restarts"
        )
        parser.add_argument(
            "--review-delay",
            type=float,
            default=60.0,
            help="seconds from SubmitRegistrationVersion to the registration's COMPLETE (0: at once)",
        )
        parser.add_argument(
            "--region",
            default=None,
            help="Region for requests without a SigV4 credential scope (default: settings.AWS_REGION)",
        )
        parser.add_argument(
            "--account",
            action="append",
            default=[],
            dest="accounts",
            metavar="KEY=ACCOUNTID",
            help="requests signed with access key ID KEY belong to account ACCOUNTID (12 digits); "
            "repeatable. Checked before STS",
        )
        parser.add_argument(
            "--sts-endpoint-url",
            default=None,
            help="ask this STS (moto's server: it does not check signatures) GetCallerIdentity for the "
            "account of an access key --account does not map (default: $AWS_ENDPOINT_URL_STS when set; "
            f"'' for none). Without one, such keys belong to {DEFAULT_ACCOUNT_ID}",
        )
        parser.add_argument(
            "--events-queue-url",
            default=None,
            metavar="URL",
            help="publish AWS's Registration Status Change event to this SQS queue on every registration "
            "status change, as an EventBridge rule would (boto3; $AWS_ENDPOINT_URL_SQS, e.g. moto's server). "
            "Knobs: --set events_drop_rate=0.1, events_duplicate=true, events_delay=5, events_reorder=true",
        )
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="any other SimConfig setting, VALUE as JSON (e.g. --set copy_values_on_new_version=false "
            "--set created_after_submit=true); POST /_config changes them at runtime",
        )

    def handle(self, *args, **options) -> None:
        for name in ("tps", "review_delay"):
            if options[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} must be ≥ 0")
        config = SimConfig(
            tps=options["tps"],
            review_delay=options["review_delay"],
            default_region=options["region"] or settings.AWS_REGION,
        )
        try:
            config.update(_settings(options["set"]))
        except ValueError as exc:
            raise CommandError(f"--set: {exc}") from exc
        if options["events_queue_url"] is not None:
            try:
                config.update({"events_queue_url": options["events_queue_url"]})
            except ValueError as exc:
                raise CommandError(f"--events-queue-url: {exc}") from exc
        sts = options["sts_endpoint_url"]
        try:
            config.update(
                {
                    "account_for_access_key": {
                        **config.account_for_access_key,
                        **account_map(_pairs(options["accounts"]), "--account"),
                    },
                    "sts_endpoint_url": os.environ.get(STS_ENDPOINT_VAR) if sts is None else sts,
                }
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            server = SimulatorServer(
                options["host"],
                options["port"],
                config=config,
                state_file=options["state_file"],
                allow_remote_control=options["allow_remote_control"],
            )
        except OSError as exc:
            raise CommandError(f"cannot listen on {options['host']}:{options['port']}: {exc}") from exc
        cap = f"{config.tps:g}/s per account, Region and operation" if config.tps > 0 else "off"
        accounts = f"{len(config.account_for_access_key)} access keys mapped, STS " + (
            config.sts_endpoint_url or "off"
        )
        self.stdout.write(
            f"SMS simulator on {server.url} (Region {config.default_region}, TPS cap {cap}, "
            f"review delay {config.review_delay:g}s, state {options['state_file'] or 'in memory'}; "
            f"accounts: {accounts}, else {DEFAULT_ACCOUNT_ID}; events to "
            f"{config.events_queue_url or 'nowhere'})",
        )
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.httpd.server_close()


def _settings(pairs: list[str]) -> dict[str, Any]:
    """``["name=value", ...]`` → ``{name: value}``; a value that is not JSON is taken as a string."""
    values: dict[str, Any] = {}
    for name, raw in _pairs(pairs).items():
        try:
            values[name] = json.loads(raw)
        except ValueError:
            values[name] = raw
    return values


def _pairs(pairs: list[str]) -> dict[str, str]:
    """``["name=value", ...]`` → ``{name: "value"}`` (ValueError for one without a name or ``=``)."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            raise ValueError(f"{pair!r} is not NAME=VALUE")
        values[name] = raw
    return values
