"""The simulator's account-level operations (a mixin of backend.Simulator): registration attachments,
DescribeAccountLimits and resource tags (ListTagsForResource, TagResource, UntagResource)."""

from __future__ import annotations

import logging
from typing import Any

from smsvoice.simulator import wire
from smsvoice.simulator.records import (
    ATTACHMENT_MAGIC,
    AttachmentRecord,
    Context,
)
from smsvoice.simulator.wire import not_found, quota_exceeded, validation_error

logger = logging.getLogger(__name__)

# DescribeAccountLimits' Max for the quotas the simulator does not model (it has no phone numbers,
# pools, configuration sets, opt-out lists or verified numbers): simulator defaults, not AWS figures.
OTHER_LIMITS = {
    "PHONE_NUMBERS": 5,
    "POOLS": 5,
    "CONFIGURATION_SETS": 25,
    "OPT_OUT_LISTS": 25,
    "VERIFIED_DESTINATION_NUMBERS": 10,
}


class AccountOperations:
    """Attachments, quotas and tags."""

    # attachments ---------------------------------------------------------------------------------------
    def op_CreateRegistrationAttachment(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        token_key = f"CreateRegistrationAttachment/{p['ClientToken']}" if p.get("ClientToken") else None
        if token_key and token_key in ctx.state.tokens:
            existing = ctx.state.attachments.get(ctx.state.tokens[token_key])
            if existing is not None:
                return self._describe_attachment(ctx, existing, created=True)
        body, url = p.get("AttachmentBody"), p.get("AttachmentUrl")
        if (body is None) == (url is None):
            raise validation_error(
                "Give exactly one of AttachmentBody or AttachmentUrl.",
                reason="PARAMETERS_CANNOT_BE_USED_TOGETHER" if body is not None else "MISSING_PARAMETER",
            )
        if body is not None:
            limit = self.config.max_attachment_bytes
            if len(body) > limit:
                raise validation_error(
                    f"The attachment is {len(body)} bytes; the maximum file size is {limit // 1024} KB "
                    f"({limit} bytes) per the user guide, although the API accepts larger bodies.",
                    reason="MAXIMUM_SIZE_EXCEEDED",
                )
            if not body.startswith(ATTACHMENT_MAGIC):
                raise validation_error(
                    "Attachments must be PDF, PNG or JPEG files.", reason="ATTACHMENT_TYPE_NOT_SUPPORTED"
                )
        elif not url.startswith("s3://"):
            raise validation_error("AttachmentUrl must be an s3:// URL.", reason="INVALID_PARAMETER")
        if len(ctx.state.attachments) >= self.config.max_registration_attachments:
            raise quota_exceeded(
                "The account has reached its registration attachment quota.",
                "REGISTRATION_ATTACHMENTS_PER_ACCOUNT",
            )
        attachment_id = self._new_id("attachment")
        attachment = AttachmentRecord(
            id=attachment_id,
            arn=self._arn(ctx, "registration-attachment", attachment_id),
            created_at=ctx.now,
            ready_at=ctx.now + self.config.attachment_delay,
            size=len(body) if body is not None else 0,
            url=url,
            tags=[dict(t) for t in p.get("Tags", [])],
        )
        ctx.state.attachments[attachment_id] = attachment
        if token_key:
            ctx.state.tokens[token_key] = attachment_id
        return self._describe_attachment(ctx, attachment, created=True)

    def _describe_attachment(
        self, ctx: Context, a: AttachmentRecord, *, created: bool = False
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "RegistrationAttachmentArn": a.arn,
            "RegistrationAttachmentId": a.id,
            "AttachmentStatus": a.status(ctx.now),
            "CreatedTimestamp": a.created_at,
        }
        if created:
            out["Tags"] = a.tags
        elif a.url:
            out["AttachmentUrl"] = a.url
        return out

    def op_DescribeRegistrationAttachments(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        if "RegistrationAttachmentIds" in p:
            attachments = []
            for given in p["RegistrationAttachmentIds"]:
                attachment_id = given.rpartition("/")[2] if given.startswith("arn:") else given
                if attachment_id not in ctx.state.attachments:
                    raise not_found("registration-attachment", given)
                attachments.append(ctx.state.attachments[attachment_id])
        else:
            attachments = list(ctx.state.attachments.values())
        wanted = self._filters(p).get("attachment-status")
        if wanted is not None:
            attachments = [a for a in attachments if a.status(ctx.now) in wanted]
        page, token = self._page(attachments, p, "DescribeRegistrationAttachments")
        return self._with_token(
            {"RegistrationAttachments": [self._describe_attachment(ctx, a) for a in page]}, token
        )

    # quotas --------------------------------------------------------------------------------------------
    def op_DescribeAccountLimits(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        """Every AccountLimitName of the model, in its order; Used is the calling account's count in
        this Region."""
        counted = {
            "SENDER_IDS": (len(ctx.state.sender_ids), self.config.max_sender_ids),
            "REGISTRATIONS": (len(self._live_registrations(ctx)), self.config.max_registrations),
            "REGISTRATION_ATTACHMENTS": (
                len(ctx.state.attachments),
                self.config.max_registration_attachments,
            ),
        }
        limits = []
        for name in wire.service_model().shape_for("AccountLimitName").enum:
            used, most = counted.get(name, (0, OTHER_LIMITS.get(name, 0)))
            limits.append({"Name": name, "Used": used, "Max": most})
        page, token = self._page(limits, p, "DescribeAccountLimits")
        return self._with_token({"AccountLimits": page}, token)

    # tags ----------------------------------------------------------------------------------------------
    def _tagged(self, ctx: Context, arn: str) -> list[dict[str, str]]:
        """The tag list of the resource with this ARN (registrations, sender IDs, attachments)."""
        for reg in ctx.state.registrations.values():
            if reg.arn == arn and reg.deleted_at is None:
                return reg.tags
        for record in ctx.state.sender_ids.values():
            if record.arn == arn:
                return record.tags
        for attachment in ctx.state.attachments.values():
            if attachment.arn == arn:
                return attachment.tags
        if not arn.startswith("arn:"):
            raise validation_error(f"{arn} is not an ARN.", reason="INVALID_ARN")
        raise not_found("resource", arn)

    def op_ListTagsForResource(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "ResourceArn": p["ResourceArn"],
            "Tags": [dict(t) for t in self._tagged(ctx, p["ResourceArn"])],
        }

    def op_TagResource(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        tags = self._tagged(ctx, p["ResourceArn"])
        for new in p["Tags"]:
            tags[:] = [t for t in tags if t["Key"] != new["Key"]]
            tags.append(dict(new))
        return {}

    def op_UntagResource(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        tags = self._tagged(ctx, p["ResourceArn"])
        tags[:] = [t for t in tags if t["Key"] not in p["TagKeys"]]
        return {}
