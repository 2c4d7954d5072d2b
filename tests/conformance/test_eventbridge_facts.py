"""AWS facts about `Registration Status Change` events the portal relies on: one test per fact, its source
in the docstring. The simulator publishes the events to moto's SQS as AWS's EventBridge rule would; the
consumer (registrations.services.events) reads them.

Reference: shared/data/aws-reference/eventbridge-events.json (the verbatim user-guide payload, the nine
statuses, best-effort delivery, the aws-samples fixture and where it differs).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import botocore.session
import pytest

from registrations.services import aws, events
from senderids.choices import Status
from smsvoice.simulator.events import EMITTED_STATUSES
from smsvoice.simulator.records import DEFAULT_ACCOUNT_ID, RegistrationRecord, VersionRecord
from tests.process_factories import approve_and_claim
from tests.registrations.conftest import INDIA_VALUES, REGION, poll, save

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

USER_GUIDE = "https://docs.aws.amazon.com/sms-voice/latest/userguide/monitor-event-bridge.html"
REFERENCE = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "aws-reference" / "eventbridge-events.json"
)
REVIEW = 100.0

# The user guide's example, verbatim (monitor-event-bridge.html; eventbridge-events.json events[0]).
DOC_EXAMPLE = {
    "version": "0",
    "id": "d2e8812b-d34c-90f9-a8a9-3f18e15d1db9",
    "detail-type": "Registration Status Change",
    "source": "aws.sms-voice",
    "account": "111122223333",
    "time": "2025-09-26T17:42:25Z",
    "region": "us-east-1",
    "resources": [
        "arn:aws:sms-voice:us-east-1:111122223333:registration/registration-30a16a8b7cec478a8e37febbb9005348"
    ],
    "detail": {
        "registrationDetails": {
            "registrationId": "registration-30a16a8b7cec478a8e37febbb9005348",
            "registrationVersionNumber": 1,
            "registrationType": "ZZ_LONG_CODE_REGISTRATION",
            "registrationStatusChangeTimestamp": 1758908543000,
            "currentStatus": "SUBMITTED",
        },
        "registrationArn": (
            "arn:aws:sms-voice:us-east-1:111122223333:registration/registration-30a16a8b7cec478a8e37febbb9005348"
        ),
    },
}
# "Registration status changes are sent for the following statuses" (the same page).
DOC_STATUSES = {
    "CLOSED",
    "CREATED",
    "COMPLETE",
    "DELETED",
    "PROVISIONING",
    "REQUIRES_AUTHENTICATION",
    "REQUIRES_UPDATES",
    "REVIEWING",
    "SUBMITTED",
}
# aws-samples/sample-sms-10dlc-registration-automation tests/events/eventbridge-brand-complete.json: a
# hand-written fixture whose shape differs (previousStatus, ISO eventTimestamp, no resources).
SAMPLES_FIXTURE = {
    "version": "0",
    "id": "12345678-1234-1234-1234-123456789012",
    "detail-type": "Registration Status Change",
    "source": "aws.sms-voice",
    "account": "123456789012",
    "time": "2026-04-17T12:00:00Z",
    "region": "us-east-1",
    "detail": {
        "registrationDetails": {
            "registrationId": "reg-brand-test-001",
            "registrationType": "US_TEN_DLC_BRAND_REGISTRATION",
            "currentStatus": "COMPLETE",
            "previousStatus": "REVIEWING",
            "registrationVersionNumber": 1,
        },
        "eventTimestamp": "2026-04-17T12:00:00Z",
    },
}


@pytest.fixture
def queue(sim, moto_sqs, settings) -> str:
    url = moto_sqs.create_queue(REGION)
    settings.AWS_EVENTS_QUEUE_URL = url
    sim.configure(events_queue_url=url, review_delay=REVIEW)
    sim.flush_events()  # events are on from now (what existed before is not news)
    return url


def submitted(make_request, sender_id: str = "EXMPLE"):
    request = make_request("IN", sender_id)
    save(request, INDIA_VALUES, submit=True)
    aws.registration_start(request=approve_and_claim(request))
    request.refresh_from_db()
    assert request.status == Status.REGISTRATION_SUBMITTED, request.aws_error_message
    return request


def consume(sim) -> events.ConsumeReport:
    sim.flush_events()
    return events.aws_events_consume(wait_seconds=1)


def sent_statuses(sim) -> list[str]:
    return [e["detail"]["registrationDetails"]["currentStatus"] for e in sim.events()["sent"]]


def shape(value):
    """Keys in order and value types, recursively (a list by its first item)."""
    if isinstance(value, dict):
        return [(key, shape(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def received_bodies(moto_sqs, queue: str) -> list[dict]:
    client = moto_sqs.client(REGION)
    bodies = []
    while messages := client.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages"):
        bodies += [json.loads(m["Body"]) for m in messages]
        client.delete_message_batch(
            QueueUrl=queue,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )
    return bodies


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared/data/aws-reference is not beside this checkout")
def test_these_tests_use_the_reference_payload_and_statuses_verbatim():
    """The constants above are the reference file's (compiled from the user guide).
    https://docs.aws.amazon.com/sms-voice/latest/userguide/monitor-event-bridge.html"""
    (documented, sample_copy, fixture) = json.loads(REFERENCE.read_text())["events"]
    assert documented["example"] == DOC_EXAMPLE
    assert shape(sample_copy["example"]) == shape(DOC_EXAMPLE)  # AWS's sample guide: the same payload
    assert set(documented["statuses_sent"]) == DOC_STATUSES
    assert fixture["example"] == SAMPLES_FIXTURE
    assert documented["event_patterns"]["registration_changes"] == {
        "source": [events.SOURCE],
        "detail-type": [events.DETAIL_TYPE],
    }


def test_the_event_reaches_the_queue_in_the_documented_shape(sim, queue, moto_sqs, make_request, definitions):
    """The payload: version "0", a UUID id, detail-type "Registration Status Change", source aws.sms-voice,
    the account, an ISO-8601 UTC time, the Region, resources = [the registration ARN], and
    detail.registrationDetails {registrationId, registrationVersionNumber, registrationType,
    registrationStatusChangeTimestamp (epoch ms), currentStatus} + detail.registrationArn; an SQS target
    delivers the event itself as the message body.
    https://docs.aws.amazon.com/sms-voice/latest/userguide/monitor-event-bridge.html"""
    request = submitted(make_request)
    sim.flush_events()

    bodies = received_bodies(moto_sqs, queue)

    assert [b["detail"]["registrationDetails"]["currentStatus"] for b in bodies] == ["CREATED", "SUBMITTED"]
    body = bodies[-1]
    assert shape(body) == shape(DOC_EXAMPLE)
    assert (body["version"], body["detail-type"], body["source"]) == ("0", events.DETAIL_TYPE, events.SOURCE)
    assert (body["account"], body["region"]) == (DEFAULT_ACCOUNT_ID, REGION)
    uuid.UUID(body["id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["time"])
    details = body["detail"]["registrationDetails"]
    registration = request.registration
    assert details["registrationId"] == registration.aws_registration_id
    assert re.fullmatch(r"registration-[0-9a-f]{32}", details["registrationId"])
    arn = f"arn:aws:sms-voice:{REGION}:{DEFAULT_ACCOUNT_ID}:registration/{details['registrationId']}"
    assert body["resources"] == [arn] and body["detail"]["registrationArn"] == arn
    assert (details["registrationVersionNumber"], details["registrationType"]) == (
        1,
        registration.registration_type,
    )
    changed = datetime.fromtimestamp(details["registrationStatusChangeTimestamp"] / 1000, UTC)
    assert changed.replace(microsecond=0) <= datetime.strptime(body["time"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=UTC
    )


def test_the_consumer_reads_the_documented_example():
    """registrationStatusChangeTimestamp is epoch milliseconds (1758908543000 = 2025-09-26T17:42:23Z, two
    seconds before `time`); the status is the registration's.
    https://docs.aws.amazon.com/sms-voice/latest/userguide/monitor-event-bridge.html"""
    event = events.parse_event(json.dumps(DOC_EXAMPLE))

    assert event == events.RegistrationEvent(
        event_id="d2e8812b-d34c-90f9-a8a9-3f18e15d1db9",
        account="111122223333",
        region="us-east-1",
        registration_id="registration-30a16a8b7cec478a8e37febbb9005348",
        status="SUBMITTED",
        version_number=1,
        event_time=datetime(2025, 9, 26, 17, 42, 23, tzinfo=UTC),
    )


def test_aws_sends_nine_registration_statuses_and_the_simulator_sends_exactly_those(
    sim, queue, make_request, definitions
):
    """Events are sent for CLOSED, CREATED, COMPLETE, DELETED, PROVISIONING, REQUIRES_AUTHENTICATION,
    REQUIRES_UPDATES, REVIEWING, SUBMITTED: RegistrationStatus values (registration level, not a version's).
    https://docs.aws.amazon.com/sms-voice/latest/userguide/monitor-event-bridge.html"""
    model = botocore.session.get_session().get_service_model("pinpoint-sms-voice-v2")
    assert EMITTED_STATUSES == DOC_STATUSES
    assert set(model.shape_for("RegistrationStatus").enum) >= DOC_STATUSES
    approved = submitted(make_request, "EXMPLE")
    submitted(make_request, "DENYME")  # denied: REQUIRES_UPDATES
    submitted(make_request, "AUTHME")  # waits for authentication
    sim.advance(REVIEW)
    client = sim.client(REGION)
    client.release_sender_id(SenderId="EXMPLE", IsoCountryCode="IN")  # its registration is CLOSED
    client.delete_registration(RegistrationId=approved.registration.aws_registration_id)
    sim.flush_events()

    assert set(sent_statuses(sim)) == DOC_STATUSES


def test_aws_reviewing_is_not_among_the_documented_statuses_and_is_sent_only_behind_a_knob(sim, queue):
    """AWS_REVIEWING is a RegistrationStatus, but the user guide does not list it among the statuses events
    are sent for ("whether it is emitted is not documented"): the simulator sends it only when told to.
    https://docs.aws.amazon.com/sms-voice/latest/userguide/monitor-event-bridge.html"""
    simulator = sim.simulator

    def pre_reviewed() -> str:
        """A registration submitted with AwsReview now (AWS_REVIEWING for the first 0.1·D)."""
        now = simulator.now()
        reg_id = f"registration-{uuid.uuid4().hex}"
        version = VersionRecord(
            number=1, draft_at=now, submitted_at=now, review_delay=REVIEW, aws_review=True
        )
        with simulator._lock:
            state = simulator.region_state(DEFAULT_ACCOUNT_ID, REGION)
            state.registrations[reg_id] = RegistrationRecord(
                id=reg_id,
                arn=f"arn:aws:sms-voice:{REGION}:{DEFAULT_ACCOUNT_ID}:registration/{reg_id}",
                type="IN_SENDER_ID_REGISTRATION",
                iso="IN",
                created_at=now,
                versions=[version],
            )
        return reg_id

    def statuses_of(reg_id: str) -> list[str]:
        return [
            e["detail"]["registrationDetails"]["currentStatus"]
            for e in sim.events()["sent"]
            if e["detail"]["registrationDetails"]["registrationId"] == reg_id
        ]

    quiet = pre_reviewed()
    sim.advance(0.15 * REVIEW)
    sim.flush_events()
    assert statuses_of(quiet) == ["SUBMITTED"]

    sim.configure(events_aws_reviewing=True)
    told = pre_reviewed()
    sim.advance(0.15 * REVIEW)
    sim.flush_events()
    assert statuses_of(told) == ["AWS_REVIEWING", "SUBMITTED"]


def test_delivery_is_best_effort_so_the_poll_remains_the_backstop(sim, queue, make_request, definitions):
    """Registration Status Change is sent "best effort": "in some rare cases an event might not be
    delivered"; the registration still moves, by the poll.
    https://docs.aws.amazon.com/sms-voice/latest/userguide/monitor-event-bridge.html
    https://docs.aws.amazon.com/eventbridge/latest/ref/event-delivery-level.html"""
    sim.configure(events_drop_rate=1.0)
    request = submitted(make_request)
    sim.advance(REVIEW)

    assert consume(sim).received == 0

    request.refresh_from_db()
    assert request.status == Status.REGISTRATION_SUBMITTED
    assert poll().errors == []
    request.refresh_from_db()
    assert request.status == Status.ACTIVE


def test_order_is_not_guaranteed_so_an_event_is_only_a_cue_to_re_read(sim, queue, make_request, definitions):
    """No order is guaranteed (the DESIGN's AWS facts; a standard queue gives "best-effort ordering":
    messages "might be delivered in an order different from which they were sent"): held back a random
    while and published newest first, the events still leave the registration in AWS's latest status,
    moved once.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html"""
    sim.configure(events_delay=0.3, events_reorder=True)
    request = submitted(make_request)
    sim.advance(REVIEW)
    time.sleep(0.35)  # every event due

    report = consume(sim)

    assert report.errors == []
    request.refresh_from_db()
    assert request.status == Status.ACTIVE
    assert request.events.filter(to_status=Status.ACTIVE).count() == 1
    assert request.registration.aws_status == "COMPLETE"


def test_delivery_is_at_least_once_so_a_duplicate_is_dropped_by_its_event_id(
    sim, queue, make_request, definitions
):
    """A standard queue delivers "at least once": "occasionally more than one copy of a message is
    delivered". A copy (same EventBridge id) is recognised and dropped; the move happens once.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html"""
    sim.configure(events_duplicate=True)
    request = submitted(make_request)
    sim.advance(REVIEW)

    report = consume(sim)

    assert report.duplicates == report.received // 2 > 0
    request.refresh_from_db()
    assert request.status == Status.ACTIVE
    assert request.events.filter(to_status=Status.ACTIVE).count() == 1


def test_the_event_carries_no_denial_reasons_so_they_are_read_from_aws(sim, queue, make_request, definitions):
    """The payload has no previousStatus, no denied reasons or feedback (DescribeRegistrationVersions has
    them) and no sender ID: a REQUIRES_UPDATES event leads to those reads, and the owner sees AWS's reasons.
    https://docs.aws.amazon.com/sms-voice/latest/userguide/monitor-event-bridge.html"""
    request = submitted(make_request, "DENYME")
    consume(sim)
    sim.advance(REVIEW)
    before = len(sim.calls())

    report = consume(sim)

    assert report.errors == []
    request.refresh_from_db()
    assert request.status == Status.REQUIRES_UPDATES
    operations = {c["operation"] for c in sim.calls()[before:]}
    assert {
        "DescribeRegistrations",
        "DescribeRegistrationVersions",
        "DescribeRegistrationFieldValues",
    } <= operations
    denial = request.events.get(to_status=Status.REQUIRES_UPDATES)
    assert "could not be linked to the company" in denial.aws_message


def test_the_aws_samples_fixture_shape_is_read_too():
    """AWS's sample fixture differs from the user guide (previousStatus, an ISO eventTimestamp, no
    resources, no registrationStatusChangeTimestamp): the consumer reads what both have, and the
    envelope's time.
    https://github.com/aws-samples/sample-sms-10dlc-registration-automation/tree/main/tests/events"""
    event = events.parse_event(json.dumps(SAMPLES_FIXTURE))

    assert event is not None
    assert (event.registration_id, event.status, event.version_number) == (
        "reg-brand-test-001",
        "COMPLETE",
        1,
    )
    assert event.event_time == datetime(2026, 4, 17, 12, tzinfo=UTC)
