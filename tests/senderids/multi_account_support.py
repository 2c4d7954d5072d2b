"""Helpers for tests/senderids/test_multi_account.py: AWS accounts (one on the default credential chain,
one reached through an assumed role on moto's STS), a team that may use them, the worker's steps run
inline, and what the simulator and moto hold for each account.

The simulator keys its state by the calling account: the environment's key ("testing") is moto's and the
simulator's default account 123456789012; an assumed role's credentials are the role's account, which the
simulator learns from STS GetCallerIdentity on moto (``SimConfig.sts_endpoint_url``).
"""

from __future__ import annotations

import itertools
import json
import urllib.request
import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from registrations.services import poller
from senderids.models import SenderIdRequest
from senderids.services.requests import sender_id_request_create
from senderids.services.submission import sender_id_request_submit
from smsvoice.gateway import gateway_for
from smsvoice.models import AwsAccount, CredentialSource
from teams.models import Team
from teams.services import team_ensure_for

DEFAULT_ACCOUNT_ID = "123456789012"  # the environment's credentials, at moto and at the simulator
ROLE_ACCOUNT_ID = "210987654321"
ROLE_ARN = f"arn:aws:iam::{ROLE_ACCOUNT_ID}:role/portal"
STS_ENDPOINT_VAR = "AWS_ENDPOINT_URL_STS"


class MotoSts:
    """moto's server as the portal's STS: what it has handed out."""

    def __init__(self, url: str):
        self.url = url

    def assumed_roles(self, external_id: str) -> list[dict[str, Any]]:
        """The AssumeRole sessions moto issued for the account with this (per-test) external id."""
        with urllib.request.urlopen(self.url + "/moto-api/data.json", timeout=10) as response:
            data = json.loads(response.read())
        return [r for r in data.get("sts", {}).get("AssumedRole", []) if r.get("external_id") == external_id]


def role_account(name: str, *, regions: list[str], default_region: str = "") -> AwsAccount:
    """An assumed-role account (ROLE_ARN). Its external id is new each time: the gateway keeps one
    botocore session per process and credentials, so a fresh external id is a fresh AssumeRole here,
    never credentials a previous test obtained from a moto that has been reset since."""
    account = AwsAccount(
        name=name,
        credential_source=CredentialSource.ASSUME_ROLE,
        role_arn=ROLE_ARN,
        external_id=f"test-{uuid.uuid4().hex}",
        regions=regions,
        default_region=default_region or regions[0],
    )
    account.full_clean()
    account.save()
    return account


def chain_account(name: str, *, regions: list[str], default_region: str = "") -> AwsAccount:
    """An account on the default credential chain (the environment's keys)."""
    account = AwsAccount(name=name, regions=regions, default_region=default_region or regions[0])
    account.full_clean()
    account.save()
    return account


def default_account() -> AwsAccount:
    return AwsAccount.objects.get(is_default=True)


def team_using(owner: Any, *accounts: AwsAccount) -> Team:
    """The owner's team (they are its admin), allowed to use `accounts` (the first is its default)."""
    team = team_ensure_for(owner)
    team.aws_accounts.set(accounts)
    return team


def request_in(owner: Any, country: Any, sender_id: str, **placement: Any) -> SenderIdRequest:
    """A transactional request as the wizard saves it (approval is off in these tests: it is approved)."""
    return sender_id_request_create(
        owner=owner,
        country=country,
        sender_id=sender_id,
        message_type="TRANSACTIONAL",
        registration_form_name=f"{sender_id} registration",
        **placement,
    )


def submit(request: SenderIdRequest) -> SenderIdRequest:
    """What the `submit_sender_id_request` task runs for it (one attempt; a RetryableAwsError is raised
    as the task would see it)."""
    sender_id_request_submit(request_id=request.pk, worker="test-worker")
    request.refresh_from_db()
    return request


_ticks = itertools.count(1)


def poll() -> poller.PollReport:
    """One beat cycle of the registration poller, a poll interval after the previous one."""
    return poller.registrations_poll(now=timezone.now() + timedelta(seconds=3600 * next(_ticks)))


def sender_id_arns(account: AwsAccount, region: str) -> list[str]:
    """DescribeSenderIds as the portal sees it in that account and Region."""
    return sorted(info.sender_id_arn for info in gateway_for(account, region).describe_sender_ids())


def simulator_regions(sim: Any, account_id: str) -> dict[str, Any]:
    """The simulator's state of one account: {Region: {"sender_ids": ..., "registrations": ...}}."""
    return sim.state()["accounts"].get(account_id, {})
