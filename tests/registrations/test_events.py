"""AWS events first, polling as the backstop: the simulator publishes the real `Registration Status Change`
payload to moto's SQS over HTTP, and the consumer (registrations.services.events) moves registrations in
one pass, never twice, never backwards, and deletes a message only after its change is committed.

The review clock: D = REVIEW seconds after submission the registration is COMPLETE (SUBMITTED until
0.2·D, REVIEWING until 0.8·D, then PROVISIONING); `sim.advance` moves the simulator's clock.
"""

from __future__ import annotations

import io
import json
import time
import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from registrations import tasks
from registrations.models import AwsEvent, AwsEventOutcome, Registration
from registrations.services import aws, events, poller
from senderids.choices import Status
from smsvoice.models import AwsAccount
from smsvoice.simulator import SimConfig, SimulatorServer
from tests.process_factories import approve_and_claim
from tests.registrations.conftest import INDIA_VALUES, REGION, poll, save

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

REVIEW = 100.0


@pytest.fixture
def queue(sim, moto_sqs, settings) -> str:
    """An events queue for the default account, which the simulator publishes to."""
    url = moto_sqs.create_queue(REGION)
    settings.AWS_EVENTS_QUEUE_URL = url
    sim.configure(events_queue_url=url, review_delay=REVIEW)
    sim.flush_events()  # events are on from now
    return url


def submitted(make_request, sender_id: str = "EXMPLE", **placement):
    request = make_request("IN", sender_id, **placement)
    save(request, INDIA_VALUES, submit=True)
    aws.registration_start(request=approve_and_claim(request))
    request.refresh_from_db()
    assert request.status == Status.REGISTRATION_SUBMITTED
    return request


def consume(sim, **kwargs) -> events.ConsumeReport:
    """Publish what the simulator has due, then one consumer pass (short long polls: tests are quick)."""
    sim.flush_events()
    kwargs.setdefault("wait_seconds", 1)
    report = events.aws_events_consume(**kwargs)
    assert not report.skipped
    return report


def status_of(request) -> str:
    request.refresh_from_db()
    return request.status


def moves_to(request, status: str) -> int:
    return request.events.filter(to_status=status).count()


def sent(sim, status: str) -> list[dict]:
    return [e for e in sim.events()["sent"] if e["detail"]["registrationDetails"]["currentStatus"] == status]


def aws_calls(sim) -> int:
    return len(sim.calls())


def test_an_event_from_the_simulator_moves_the_registration_within_one_consumer_pass(
    sim, queue, make_request, definitions, moto_sqs
):
    request = submitted(make_request)
    consume(sim)  # CREATED, SUBMITTED: what the portal already knows
    sim.advance(REVIEW)  # AWS approved it: REVIEWING, PROVISIONING, COMPLETE
    before = len(sim.calls())

    report = consume(sim)

    assert report.errors == []
    assert status_of(request) == Status.ACTIVE
    assert report.applied >= 1
    # Re-read by id (≤5 per call), never the poller's listing; then versions and the sender ID.
    calls = sim.calls()[before:]
    assert [c for c in calls if c["operation"] == "DescribeRegistrations" and "Filters" in c["params"]] == []
    assert {c["operation"] for c in calls} >= {"DescribeRegistrations", "DescribeSenderIds"}
    assert moto_sqs.depth(queue) == (0, 0)  # every message deleted
    statuses = [e.status for e in AwsEvent.objects.order_by("event_time", "id")]
    assert statuses[-3:] == ["REVIEWING", "PROVISIONING", "COMPLETE"]


def test_duplicate_events_are_applied_once_and_a_redelivered_one_costs_no_aws_call(
    sim, queue, make_request, definitions, moto_sqs
):
    sim.configure(events_duplicate=True)  # every event delivered twice, with the same id
    request = submitted(make_request)
    consume(sim)
    sim.advance(REVIEW)

    report = consume(sim)

    assert status_of(request) == Status.ACTIVE
    assert report.duplicates >= 3
    assert moves_to(request, Status.ACTIVE) == 1
    # The same event again, much later (SQS at-least-once): dropped by its id, AWS is not asked.
    (complete,) = {e["id"]: e for e in sent(sim, "COMPLETE")}.values()
    moto_sqs.send(queue, json.dumps(complete))
    calls = aws_calls(sim)

    report = consume(sim)

    assert (report.received, report.duplicates, report.deleted) == (1, 1, 1)
    assert aws_calls(sim) == calls
    assert moves_to(request, Status.ACTIVE) == 1


def test_an_older_event_changes_nothing_and_one_clearly_stale_costs_no_aws_call(
    sim, queue, make_request, definitions, moto_sqs
):
    request = submitted(make_request)
    consume(sim)
    sim.advance(0.3 * REVIEW)  # REVIEWING
    consume(sim)
    registration = Registration.objects.get(request=request)
    assert registration.aws_status == "REVIEWING"
    (submitted_event,) = sent(sim, "SUBMITTED")

    # The SUBMITTED event delivered late (a new delivery of it: another id): re-read, nothing moves.
    late = {**submitted_event, "id": str(uuid.uuid4())}
    moto_sqs.send(queue, json.dumps(late))
    report = consume(sim)
    assert (report.unchanged, report.applied) == (1, 0)
    registration.refresh_from_db()
    assert registration.aws_status == "REVIEWING"
    assert status_of(request) == Status.REGISTRATION_SUBMITTED

    # An event from an hour before what the row knows: skipped without asking AWS.
    stale = json.loads(json.dumps(submitted_event))
    stale["id"] = str(uuid.uuid4())
    details = stale["detail"]["registrationDetails"]
    details["registrationStatusChangeTimestamp"] -= 3600 * 1000
    moto_sqs.send(queue, json.dumps(stale))
    calls = aws_calls(sim)
    report = consume(sim)
    assert report.stale == 1
    assert aws_calls(sim) == calls
    assert AwsEvent.objects.get(event_id=stale["id"]).outcome == AwsEventOutcome.STALE
    registration.refresh_from_db()
    assert registration.aws_status == "REVIEWING"


def test_events_delivered_newest_first_end_in_the_newest_status_with_one_move(
    sim, queue, make_request, definitions
):
    sim.configure(events_reorder=True)  # each batch published newest first
    request = submitted(make_request)
    consume(sim)
    sim.advance(REVIEW)
    sim.flush_events()
    published = [e["detail"]["registrationDetails"]["currentStatus"] for e in sim.events()["sent"]]
    assert published[-3:] == ["COMPLETE", "PROVISIONING", "REVIEWING"]

    report = consume(sim)

    assert report.errors == []
    assert status_of(request) == Status.ACTIVE
    assert moves_to(request, Status.ACTIVE) == 1
    assert Registration.objects.get(request=request).aws_status == "COMPLETE"


def test_a_lost_event_is_caught_by_the_backstop_poll(sim, queue, make_request, definitions, moto_sqs):
    sim.configure(events_drop_rate=1.0)  # AWS's delivery is best effort: lose them all
    request = submitted(make_request)
    sim.advance(REVIEW)

    report = consume(sim)

    assert report.received == 0
    assert sent(sim, "COMPLETE") == []
    assert [e["detail"]["registrationDetails"]["currentStatus"] for e in sim.events()["dropped"]][-1] == (
        "COMPLETE"
    )
    assert status_of(request) == Status.REGISTRATION_SUBMITTED
    assert poll().errors == []
    assert status_of(request) == Status.ACTIVE


def test_a_message_is_deleted_only_after_its_change_is_committed(
    sim, queue, make_request, definitions, moto_sqs, monkeypatch
):
    request = submitted(make_request)
    consume(sim)
    sim.advance(REVIEW)
    real_apply = poller._apply_changes
    failures = []

    def apply_fails_once(*args, **kwargs):
        if not failures:
            failures.append(1)
            raise RuntimeError("database gone mid-apply")
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(poller, "_apply_changes", apply_fails_once)

    first = consume(sim, visibility_timeout=2)

    assert failures == [1]
    assert any("database gone" in e for e in first.errors)
    assert first.deleted == 0 and first.retried == 3
    assert status_of(request) == Status.REGISTRATION_SUBMITTED
    assert moto_sqs.depth(queue) == (0, 3)  # still there, invisible until the timeout
    assert not AwsEvent.objects.filter(status="COMPLETE").exists()
    time.sleep(2.2)

    second = consume(sim)

    assert second.received == 3 and second.errors == []
    assert status_of(request) == Status.ACTIVE
    assert moves_to(request, Status.ACTIVE) == 1
    assert moto_sqs.depth(queue) == (0, 0)


def test_malformed_and_foreign_messages_are_logged_counted_and_deleted(
    sim, queue, make_request, definitions, moto_sqs, caplog
):
    other_kind = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Text Message Delivery Status Updated",
        "source": "aws.sms-voice",
        "detail": {"eventType": "TEXT_SUCCESSFUL"},
    }
    no_id = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Registration Status Change",
        "source": "aws.sms-voice",
        "time": "2026-01-01T00:00:00Z",
        "detail": {"registrationDetails": {"currentStatus": "COMPLETE"}},
    }
    unknown = {**no_id, "id": str(uuid.uuid4())}
    unknown["detail"] = {
        "registrationDetails": {
            "registrationId": f"registration-{uuid.uuid4().hex}",
            "currentStatus": "COMPLETE",
        }
    }
    for body in ("not json at all", json.dumps([1, 2]), json.dumps(other_kind), json.dumps(no_id)):
        moto_sqs.send(queue, body)
    moto_sqs.send(queue, json.dumps(unknown))
    calls = aws_calls(sim)

    report = consume(sim)

    assert (report.malformed, report.ignored, report.unknown) == (3, 1, 1)
    assert report.deleted == 5 and report.errors == []
    assert moto_sqs.depth(queue) == (0, 0)
    assert aws_calls(sim) == calls  # nothing worth asking AWS about
    assert sum("malformed message" in r.getMessage() for r in caplog.records) == 3
    assert AwsEvent.objects.get(event_id=unknown["id"]).outcome == AwsEventOutcome.UNKNOWN


def test_an_event_aws_cannot_show_yet_is_redelivered_then_left_to_the_backstop(
    sim, queue, make_request, definitions, moto_sqs
):
    request = submitted(make_request)
    consume(sim)
    registration = Registration.objects.get(request=request)
    # An event newer than the row, which AWS's reads do not reflect yet (read-after-event lag).
    ahead = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Registration Status Change",
        "source": "aws.sms-voice",
        "account": "123456789012",
        "time": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [registration.aws_registration_arn],
        "detail": {
            "registrationDetails": {
                "registrationId": registration.aws_registration_id,
                "registrationVersionNumber": 1,
                "registrationType": registration.registration_type,
                "registrationStatusChangeTimestamp": int(
                    (timezone.now() + timedelta(seconds=5)).timestamp() * 1000
                ),
                "currentStatus": "REVIEWING",
            },
            "registrationArn": registration.aws_registration_arn,
        },
    }
    moto_sqs.send(queue, json.dumps(ahead))

    outcomes = []
    for _receive in range(events.LAG_RETRIES):
        report = consume(sim, visibility_timeout=2)
        outcomes.append((report.retried, report.unchanged, report.deleted))
        time.sleep(2.1)

    assert outcomes == [(1, 0, 0)] * (events.LAG_RETRIES - 1) + [(0, 1, 1)]
    assert moto_sqs.depth(queue) == (0, 0)


def test_two_accounts_with_two_queues_one_failing_leaves_the_other_consumed(
    sim, moto_sqs, settings, make_request, definitions
):
    # The default account's queue does not exist (deleted, or a wrong URL); the second account's works.
    settings.AWS_EVENTS_QUEUE_URL = moto_sqs.queue_url(REGION, f"gone-{uuid.uuid4().hex[:8]}")
    working = moto_sqs.create_queue(REGION)
    second = AwsAccount.objects.create(
        name="Second", regions=[REGION], default_region=REGION, events_queue_url=working
    )
    sim.configure(events_queue_url=working, review_delay=REVIEW)
    request = submitted(make_request, "SECOND", aws_account=second, aws_region=REGION)
    sim.advance(REVIEW)

    report = consume(sim)

    assert report.queues == 2
    (error,) = report.errors
    assert "NonExistentQueue" in error or "QueueDoesNotExist" in error
    assert status_of(request) == Status.ACTIVE
    assert moto_sqs.depth(working) == (0, 0)
    default = AwsAccount.objects.get(is_default=True)
    assert events.events_flowing(second) is True
    assert events.events_flowing(default) is False
    assert events.events_flowing(second, now=timezone.now() + timedelta(hours=2)) is False


def test_a_shared_queue_is_read_once_and_events_flow_for_both_accounts(sim, queue, make_request, definitions):
    default = AwsAccount.objects.get(is_default=True)
    second = AwsAccount.objects.create(
        name="Second", regions=[REGION], default_region=REGION, events_queue_url=queue
    )
    request = submitted(make_request, "SECOND", aws_account=second, aws_region=REGION)
    sim.advance(REVIEW)

    report = consume(sim)

    assert report.queues == 1
    assert status_of(request) == Status.ACTIVE
    assert events.events_flowing(second) is True
    assert events.events_flowing(default) is False  # no event was about one of its registrations


def test_two_passes_never_overlap(sim, queue):
    cache.add(events.LOCK_KEY, "another pass", timeout=30)
    try:
        report = events.aws_events_consume(wait_seconds=0)
    finally:
        cache.delete(events.LOCK_KEY)
    assert report.skipped is True
    assert str(report) == "another pass is running: skipped"


def test_without_a_queue_the_task_does_nothing_and_the_command_says_so(settings):
    settings.AWS_EVENTS_QUEUE_URL = ""
    assert tasks.consume_aws_events() == "no events queue configured"
    out = io.StringIO()
    call_command("consume_aws_events", stdout=out)
    assert "No events queue configured" in out.getvalue()


def test_the_command_runs_one_pass_and_prints_it(sim, queue, make_request, definitions):
    request = submitted(make_request)
    sim.advance(REVIEW)
    sim.flush_events()
    out = io.StringIO()

    call_command("consume_aws_events", "--wait", "1", "--depth", stdout=out)

    assert status_of(request) == Status.ACTIVE
    text = out.getvalue()
    assert "events: 1 queue(s): received" in text
    assert "→ COMPLETE" in text  # the change, as the poller reports it
    assert queue in text


def test_event_ids_are_kept_for_the_retention_then_pruned(settings):
    settings.AWS_EVENTS_RETENTION_DAYS = 15
    now = timezone.now()
    for days in (1, 14, 16):
        AwsEvent.objects.create(
            event_id=str(uuid.uuid4()),
            received_at=now - timedelta(days=days),
            event_time=now - timedelta(days=days),
            registration_id="registration-x",
            status="COMPLETE",
            outcome=AwsEventOutcome.UNKNOWN,
        )
    assert events.aws_events_prune(now=now) == 1
    assert AwsEvent.objects.count() == 2
    assert tasks.prune_aws_events() == 0


def test_the_simulators_event_knobs_are_checked():
    config = SimConfig()
    for bad in (
        {"events_queue_url": "sqs://not-http"},
        {"events_drop_rate": 1.5},
        {"events_delay": -1},
        {"events_duplicate": "yes"},
    ):
        with pytest.raises(ValueError):
            config.update(bad)
    config.update({"events_queue_url": "http://127.0.0.1:4567/123456789012/q", "events_drop_rate": 0.25})
    assert (config.events_queue_url, config.events_drop_rate) == (
        "http://127.0.0.1:4567/123456789012/q",
        0.25,
    )
    config.update({"events_queue_url": ""})
    assert config.events_queue_url is None


def test_run_sms_simulator_takes_the_events_queue_url(monkeypatch):
    served = []

    def serve_forever(server):
        served.append(server.simulator.config.events_queue_url)
        raise KeyboardInterrupt

    monkeypatch.setattr(SimulatorServer, "serve_forever", serve_forever)
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/sender-id-portal-registration-events"
    out = io.StringIO()

    call_command("run_sms_simulator", "--port", "0", "--events-queue-url", url, stdout=out)

    assert served == [url]
    assert f"events to {url}" in out.getvalue()
