"""`manage.py sync_sender_ids` (and its beat task) against the simulator: every DescribeSenderIds page is
read; drift (in AWS but unknown here, active here but gone in AWS) is recorded, printed and resolved."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from senderids import tasks
from senderids.choices import DriftKind, Status
from senderids.models import SenderIdDrift, SenderIdRequest
from senderids.services.reconcile import SYNC_LOCK_KEY, sender_ids_sync
from tests.senderids.release_support import active_request, calls, lease_in_simulator, leased_request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 2 sender IDs, so a handful of sender IDs spans several DescribeSenderIds pages."""
    from smsvoice import gateway

    monkeypatch.setattr(gateway, "PAGE_SIZE", 2)


def sync() -> str:
    out = StringIO()
    call_command("sync_sender_ids", stdout=out)
    return out.getvalue()


def open_drift() -> set[tuple[str, str, str]]:
    return set(
        SenderIdDrift.objects.filter(resolved_at__isnull=True).values_list(
            "kind", "sender_id", "iso_country_code"
        )
    )


def test_no_drift_when_aws_and_we_agree(owner, sms_simulator, small_pages):
    for name in ("ONE", "TWO", "THREE"):
        leased_request(sms_simulator, owner, name)
    output = sync()
    assert "AWS lists 3 sender ID(s); 3 active here" in output and "No drift." in output
    assert SenderIdDrift.objects.count() == 0
    assert len(calls(sms_simulator, "DescribeSenderIds")) == 2  # 2 + 1


def test_drift_is_detected_across_every_page_recorded_and_printed(owner, sms_simulator, small_pages):
    for name in ("ONE", "TWO", "THREE", "FOUR"):
        leased_request(sms_simulator, owner, name)
    lease_in_simulator(sms_simulator, "HANDMADE")  # made in the console: no request here
    gone = active_request(owner, "VANISHED")  # active here, not at AWS
    released_here = active_request(owner, "LINGERING", status=Status.RELEASED)
    lease_in_simulator(sms_simulator, "LINGERING")  # released here, still leased at AWS

    output = sync()

    assert len(calls(sms_simulator, "DescribeSenderIds")) == 3  # 6 sender IDs in pages of 2
    assert open_drift() == {
        (DriftKind.UNKNOWN_HERE, "HANDMADE", "DE"),
        (DriftKind.UNKNOWN_HERE, "LINGERING", "DE"),
        (DriftKind.GONE_IN_AWS, "VANISHED", "DE"),
    }
    assert SenderIdDrift.objects.get(sender_id="VANISHED").request == gone
    lingering = SenderIdDrift.objects.get(sender_id="LINGERING")
    assert lingering.request == released_here
    assert lingering.aws_details["sender_id_arn"].endswith("sender-id/LINGERING/DE")
    assert "NEW drift: In AWS, unknown here: HANDMADE (DE)" in output
    assert "NEW drift: Active here, gone in AWS: VANISHED (DE) request #" in output
    assert "Drift: 3 open (3 new), 0 resolved." in output
    assert SenderIdRequest.objects.get(pk=gone.pk).status == Status.ACTIVE  # flagged, never changed


def test_drift_stays_one_row_while_it_lasts_and_is_resolved_when_it_ends(owner, sms_simulator):
    lease_in_simulator(sms_simulator, "HANDMADE")
    sync()
    first = SenderIdDrift.objects.get()
    output = sync()
    assert SenderIdDrift.objects.get().pk == first.pk
    assert "Drift: 1 open (0 new)" in output

    sms_simulator.client().release_sender_id(SenderId="HANDMADE", IsoCountryCode="DE")
    output = sync()
    first.refresh_from_db()
    assert first.resolved_at is not None and open_drift() == set()
    assert "resolved: In AWS, unknown here: HANDMADE (DE)" in output


def test_sender_ids_in_flight_here_are_not_drift(owner, sms_simulator):
    for name, status in (
        ("SUBMIT", Status.SUBMITTING),
        ("LEAVE", Status.RELEASING),
        ("REGIS", Status.REGISTRATION_SUBMITTED),
    ):
        lease_in_simulator(sms_simulator, name)
        active_request(owner, name, status=status)
    active_request(owner, "NOTYET", status=Status.RELEASING)  # already gone at AWS: not "gone" drift
    sync()
    assert open_drift() == set()


def test_matching_sender_ids_get_aws_deletion_protection_and_price(owner, sms_simulator):
    request = leased_request(sms_simulator, owner, "ACMEBANK", monthly_leasing_price="")
    sms_simulator.client().update_sender_id(
        SenderId="ACMEBANK", IsoCountryCode="DE", DeletionProtectionEnabled=True
    )
    output = sync()
    request.refresh_from_db()
    assert request.deletion_protection is True
    assert "1 refreshed from AWS" in output


def test_aws_unreachable_is_a_command_error_and_records_nothing(owner):
    active_request(owner, "VANISHED")  # would be drift if AWS answered
    with pytest.raises(CommandError, match="AWS could not be read"):
        sync()
    assert SenderIdDrift.objects.count() == 0


def test_only_one_sync_runs_at_a_time(owner, sms_simulator):
    from django.core.cache import cache

    lease_in_simulator(sms_simulator, "HANDMADE")
    assert cache.add(SYNC_LOCK_KEY, "1", 60)  # a sync is running elsewhere
    try:
        with pytest.raises(CommandError, match="Another sync_sender_ids is running"):
            sync()
        assert tasks.sync_sender_ids.apply().get() == -1
        assert SenderIdDrift.objects.count() == 0
    finally:
        cache.delete(SYNC_LOCK_KEY)
    assert "HANDMADE" in sync()  # the lock is released after every run
    assert "HANDMADE" in sync()


def test_beat_task_syncs_and_survives_aws_errors(owner, sms_simulator):
    lease_in_simulator(sms_simulator, "HANDMADE")
    assert tasks.sync_sender_ids.apply().get() == 1
    sms_simulator.fail_next("DescribeSenderIds", "InternalServerException")
    assert tasks.sync_sender_ids.apply().get() == -1
    assert open_drift() == {(DriftKind.UNKNOWN_HERE, "HANDMADE", "DE")}


def test_sync_is_on_the_beat_schedule():
    from config.celery import app

    entries = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "senderids.tasks.sync_sender_ids" in entries


def test_request_activated_while_aws_was_listed_is_not_flagged(owner, sms_simulator, monkeypatch):
    """Our active set is read before AWS's list: a request that becomes active meanwhile (its sender ID
    created after the list was read) is neither "gone" nor "unknown"."""
    from smsvoice import gateway

    late = active_request(owner, "LATE", status=Status.SUBMITTING)
    real_describe = gateway.SmsVoiceGateway.describe_sender_ids

    def describe_then_activate(self, **kwargs):
        yield from real_describe(self, **kwargs)
        SenderIdRequest.objects.filter(pk=late.pk).update(status=Status.ACTIVE)

    monkeypatch.setattr(gateway.SmsVoiceGateway, "describe_sender_ids", describe_then_activate)
    report = sender_ids_sync()
    assert report.drifts == []
