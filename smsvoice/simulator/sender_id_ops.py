"""The simulator's sender-ID operations (a mixin of backend.Simulator): request, release, update, describe."""

from __future__ import annotations

import logging
from typing import Any

from smsvoice.simulator import definitions as defs
from smsvoice.simulator.records import (
    Context,
    SenderIdRecord,
    sender_key,
)
from smsvoice.simulator.wire import conflict, quota_exceeded, validation_error

logger = logging.getLogger(__name__)


class SenderIdOperations:
    """RequestSenderId, ReleaseSenderId, UpdateSenderId, DescribeSenderIds (demo rule: TAKEN… conflicts)."""

    def op_RequestSenderId(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        sender, iso = p["SenderId"], p["IsoCountryCode"]
        token_key = f"RequestSenderId/{p['ClientToken']}" if p.get("ClientToken") else None
        if token_key and token_key in ctx.state.tokens:
            existing = ctx.state.sender_ids.get(ctx.state.tokens[token_key])
            if existing is not None:
                return {**existing.describe(), "Tags": existing.tags}
        if iso in defs.SENDER_ID_NOT_SUPPORTED_COUNTRIES:
            raise validation_error(
                f"Sender IDs are not supported in {iso}.", reason="SENDER_ID_NOT_SUPPORTED"
            )
        if iso in defs.REGISTRATION_REQUIRED_COUNTRIES:
            raise validation_error(
                f"Sender IDs in {iso} require a registration: create a registration of type "
                f"{defs.registration_type_name(iso)}.",
                reason="SENDER_ID_REQUIRES_REGISTRATION",
            )
        if sender.upper().startswith("TAKEN"):
            raise conflict(
                f"Sender ID {sender} is already in use in {iso}.",
                reason="RESOURCE_ALREADY_EXISTS",
                resource_type="sender-id",
                resource_id=sender,
            )
        key = sender_key(iso, sender)
        if key in ctx.state.sender_ids:
            raise conflict(
                f"Sender ID {sender} already exists in {iso} in this account.",
                reason="RESOURCE_ALREADY_EXISTS",
                resource_type="sender-id",
                resource_id=sender,
            )
        if len(ctx.state.sender_ids) >= self.config.max_sender_ids:
            raise quota_exceeded("The account has reached its sender ID quota.", "SENDER_IDS_PER_ACCOUNT")
        record = SenderIdRecord(
            sender_id=sender,
            iso=iso,
            arn=self._arn(ctx, "sender-id", f"{sender}/{iso}"),
            message_types=list(dict.fromkeys(p.get("MessageTypes") or ["TRANSACTIONAL"])),
            created_at=ctx.now,
            deletion_protection=p.get("DeletionProtectionEnabled", False),
            tags=p.get("Tags", []),
        )
        ctx.state.sender_ids[key] = record
        if token_key:
            ctx.state.tokens[token_key] = key
        return {**record.describe(), "Tags": record.tags}

    def op_ReleaseSenderId(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        record = self._sender(ctx, p["SenderId"], p["IsoCountryCode"])
        if record.deletion_protection:
            raise conflict(
                f"Sender ID {record.sender_id} has deletion protection enabled.",
                reason="DELETION_PROTECTION_ENABLED",
                resource_type="sender-id",
                resource_id=record.sender_id,
            )
        del ctx.state.sender_ids[sender_key(record.iso, record.sender_id)]
        reg = ctx.state.registrations.get(record.registration_id or "")
        if reg is not None and reg.deleted_at is None and reg.closed_at is None:
            # AWS: CLOSED = "The phone number or sender ID has been deleted and you must also delete the
            # registration"; the answer carries its RegistrationId for that.
            reg.closed_at = ctx.now
        return record.describe(with_protection=False)

    def op_UpdateSenderId(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        record = self._sender(ctx, p["SenderId"], p["IsoCountryCode"])
        if "DeletionProtectionEnabled" in p:
            record.deletion_protection = p["DeletionProtectionEnabled"]
        return record.describe()

    def op_DescribeSenderIds(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        if p.get("Owner") == "SHARED":
            return {"SenderIds": []}
        if "SenderIds" in p:
            records = [self._sender(ctx, s["SenderId"], s["IsoCountryCode"]) for s in p["SenderIds"]]
        else:
            records = list(ctx.state.sender_ids.values())
        for name, values in self._filters(p).items():
            # Boolean filter values are checked even when there is nothing to filter.
            if name == "deletion-protection-enabled":
                wanted = self._bool_filter(name, values)
                records = [r for r in records if r.deletion_protection in wanted]
            elif name == "registered":
                wanted = self._bool_filter(name, values)
                records = [r for r in records if (r.registration_id is not None) in wanted]
            elif name == "sender-id":
                records = [r for r in records if r.sender_id in values]
            elif name == "iso-country-code":
                records = [r for r in records if r.iso in values]
            elif name == "message-type":
                records = [r for r in records if values & set(r.message_types)]
        page, token = self._page(records, p, "DescribeSenderIds")
        return self._with_token({"SenderIds": [r.describe() for r in page]}, token)
