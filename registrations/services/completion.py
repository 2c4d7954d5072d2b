"""A COMPLETE registration becomes an active sender ID only once AWS shows that sender ID.

AWS creates the sender ID itself when the registration is approved (ASSOCIATE_ON_APPROVAL). Before the
request is called active the poller confirms which sender ID that is — ListRegistrationAssociations
first (what AWS associated with the registration), DescribeSenderIds for its ARN, price and the
MessageTypes AWS gave it — and a sender ID registered for other message types than the request asked
for is written on the timeline for the owner and staff.
"""

from __future__ import annotations

import logging
from typing import Any

from senderids import lifecycle
from senderids.models import SenderIdRequest
from smsvoice.errors import PermanentAwsError, RetryableAwsError
from smsvoice.gateway import SmsVoiceGateway

from .. import events

logger = logging.getLogger(__name__)


def confirm_sender_ids(gateway: SmsVoiceGateway, changes: list[Any], report: Any) -> None:
    """Set `change.sender_id` (a SenderIdInfo) on each COMPLETE change whose sender ID AWS lists as the
    registration's; leave it None (confirmed on a later cycle) otherwise. Errors go to `report.errors`."""
    if not changes:
        return
    wanted: dict[tuple[str, str], Any] = {}
    for change in changes:
        expected = (change.row.request.sender_id, change.row.request.country_id)
        associated = _associated_sender_id(gateway, change, report)
        if associated is None:
            continue  # AWS could not be asked: next cycle
        if associated and associated != expected:
            report.errors.append(
                f"{change.row.aws_registration_id}: AWS associated {associated[0]} ({associated[1]}), "
                f"the request is for {expected[0]} ({expected[1]})"
            )
            continue
        wanted[expected] = change
    found = _describe(gateway, list(wanted), report)
    for key, change in wanted.items():
        info = found.get(key)
        if (
            info
            and info.registered
            and (not info.registration_id or info.registration_id == change.row.aws_registration_id)
        ):
            change.sender_id = info


def _associated_sender_id(
    gateway: SmsVoiceGateway, change: Any, report: Any
) -> tuple[str, str] | tuple[()] | None:
    """(sender ID, country) AWS associated with the registration; () when it lists no sender ID (the
    request's own is then looked up directly); None when AWS could not be asked."""
    try:
        associations = gateway.list_registration_associations(registration_id=change.row.aws_registration_id)
    except (RetryableAwsError, PermanentAwsError) as exc:
        report.errors.append(str(exc))
        return None
    for association in associations:
        # AWS has not published the ResourceType string of a sender ID: recognise it by its ARN too.
        if "sender-id" in association.resource_type.lower() or ":sender-id/" in association.resource_arn:
            country = association.iso_country_code or change.row.request.country_id
            return (association.resource_id, country)
    return ()


def _describe(
    gateway: SmsVoiceGateway, keys: list[tuple[str, str]], report: Any
) -> dict[tuple[str, str], Any]:
    """DescribeSenderIds for (sender ID, country) pairs, ≤5 per call; one by one when one is missing."""
    found: dict[tuple[str, str], Any] = {}
    if not keys:
        return found
    try:
        for info in gateway.describe_sender_ids(sender_ids=keys):
            found[(info.sender_id, info.iso_country_code)] = info
    except PermanentAwsError as exc:
        if exc.code != "ResourceNotFoundException":
            report.errors.append(str(exc))
            return found
        # One of a batch is not there yet: ask one by one.
        for sender_id, country in keys:
            try:
                info = gateway.get_sender_id(sender_id=sender_id, iso_country_code=country)
            except (RetryableAwsError, PermanentAwsError) as err:
                report.errors.append(str(err))
                continue
            if info is not None:
                found[(sender_id, country)] = info
    except RetryableAwsError as exc:
        report.errors.append(str(exc))
    return found


def note_message_type_mismatch(request: SenderIdRequest, info: Any) -> None:
    """On the timeline when AWS registered the sender ID for other message types than the request's."""
    given = sorted(info.message_types or [])
    if given and request.message_type not in given:
        lifecycle.note(request, event=events.registration_message_types_differ(request.message_type, given))
