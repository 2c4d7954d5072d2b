"""The simulator's registration operations (a mixin of backend.Simulator): registrations, versions,
field values, definitions, attachments, associations (demo rule: DENY… is denied once)."""

from __future__ import annotations

import logging
from typing import Any

from smsvoice.simulator import definitions as defs
from smsvoice.simulator import wire
from smsvoice.simulator.records import (
    ATTACHMENT_MAGIC,
    DEFINITIONS_PAGE,
    MAX_ATTACHMENT_BYTES,
    SENDER_ID_DENIED_REASON,
    AttachmentRecord,
    Context,
    RegistrationRecord,
    VersionRecord,
    registration_status,
    status_history,
    version_status,
    version_statuses,
)
from smsvoice.simulator.wire import ApiError, conflict, not_found, quota_exceeded, validation_error

logger = logging.getLogger(__name__)


class RegistrationOperations:
    """Every registration operation the portal calls, validated as AWS validates them."""

    def op_CreateRegistration(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        token_key = f"CreateRegistration/{p['ClientToken']}" if p.get("ClientToken") else None
        if token_key and token_key in ctx.state.tokens:
            reg = ctx.state.registrations.get(ctx.state.tokens[token_key])
            if reg is not None:
                return {**self._created(ctx, reg), "Tags": reg.tags}
        iso = self._registration_type(ctx, p["RegistrationType"])
        active = [r for r in ctx.state.registrations.values() if r.closed_at is None]
        if len(active) >= self.config.max_registrations:
            raise quota_exceeded(
                "The account has reached its registration quota.", "REGISTRATIONS_PER_ACCOUNT"
            )
        reg_id = self._new_id("registration")
        reg = RegistrationRecord(
            id=reg_id,
            arn=self._arn(ctx, "registration", reg_id),
            type=p["RegistrationType"],
            iso=iso,
            created_at=ctx.now,
            versions=[VersionRecord(number=1, draft_at=ctx.now)],
            tags=p.get("Tags", []),
        )
        ctx.state.registrations[reg_id] = reg
        if token_key:
            ctx.state.tokens[token_key] = reg_id
        return {**self._created(ctx, reg), "Tags": reg.tags}

    def _created(self, ctx: Context, reg: RegistrationRecord) -> dict[str, Any]:
        out = self._describe_registration(ctx, reg)
        out.pop("ApprovedVersionNumber", None)
        out.pop("LatestDeniedVersionNumber", None)
        out["AdditionalAttributes"] = {}
        return out

    def op_PutRegistrationFieldValue(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        reg = self._registration(ctx, p["RegistrationId"])
        version = reg.versions[-1]
        if version_status(version, ctx.now) != "DRAFT":
            raise conflict(
                "Field values can only be changed while the latest version is a DRAFT.",
                reason="EDIT_REGISTRATION_FIELD_VALUES_NOT_ALLOWED",
                resource_type="registration",
                resource_id=reg.id,
            )
        path = p["FieldPath"]
        definition = defs.field_index(reg.type).get(path)
        if definition is None:
            raise validation_error(
                f"{path} is not a field of {reg.type}.", reason="UNKNOWN_REGISTRATION_FIELD"
            )
        given = [k for k in ("TextValue", "SelectChoices", "RegistrationAttachmentId") if k in p]
        if len(given) > 1:
            raise validation_error(
                "Give only one of TextValue, SelectChoices, RegistrationAttachmentId.",
                reason="PARAMETERS_CANNOT_BE_USED_TOGETHER",
            )
        expected = {"TEXT": "TextValue", "SELECT": "SelectChoices", "ATTACHMENT": "RegistrationAttachmentId"}[
            definition["FieldType"]
        ]
        if given != [expected]:
            raise validation_error(
                f"{path} is a {definition['FieldType']} field: give {expected}.", reason="MISSING_PARAMETER"
            )
        self._check_field_value(ctx, definition, p[expected])
        version.values[path] = {expected: p[expected]}
        return {
            "RegistrationArn": reg.arn,
            "RegistrationId": reg.id,
            "VersionNumber": version.number,
            "FieldPath": path,
            expected: p[expected],
        }

    def _check_field_value(self, ctx: Context, definition: dict[str, Any], value: Any) -> None:
        path = definition["FieldPath"]

        def invalid(message: str) -> ApiError:
            return validation_error(
                f"{path}: {message}",
                reason="FIELD_VALIDATION_FAILED",
                fields=[{"Name": path, "Message": message}],
            )

        if definition["FieldType"] == "TEXT":
            rule = definition["TextValidation"]
            if not rule["MinLength"] <= len(value) <= rule["MaxLength"]:
                raise invalid(f"length must be {rule['MinLength']} to {rule['MaxLength']}")
            compiled = wire._compiled(rule["Pattern"])
            if compiled is not None and not compiled.fullmatch(value):
                hint = definition["DisplayHints"].get("TextValidationDescription") or rule["Pattern"]
                raise invalid(f"must match {hint}")
        elif definition["FieldType"] == "SELECT":
            rule = definition["SelectValidation"]
            if not rule["MinChoices"] <= len(value) <= rule["MaxChoices"]:
                raise invalid(f"choose {rule['MinChoices']} to {rule['MaxChoices']} options")
            unknown = [v for v in value if v not in rule["Options"]]
            if unknown:
                raise invalid(f"not an option: {', '.join(unknown)}")
        else:
            attachment_id = value.rpartition("/")[2] if value.startswith("arn:") else value
            attachment = ctx.state.attachments.get(attachment_id)
            if attachment is None:
                raise not_found("registration-attachment", value)
            if attachment.status(ctx.now) != "UPLOAD_COMPLETE":
                raise invalid("the attachment is not UPLOAD_COMPLETE yet")

    def op_SubmitRegistrationVersion(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        reg = self._registration(ctx, p["RegistrationId"])
        version = reg.versions[-1]
        if reg.closed_at is not None or version_status(version, ctx.now) != "DRAFT":
            raise conflict(
                f"Version {version.number} of {reg.id} is not a DRAFT.",
                reason="SUBMIT_REGISTRATION_VERSION_NOT_ALLOWED",
                resource_type="registration",
                resource_id=reg.id,
            )
        problems = []
        for definition in defs.form(reg.type)[1]:
            path = definition["FieldPath"]
            requirement = defs.resolved_requirement(definition, version.values)
            if requirement == "REQUIRED" and path not in version.values:
                problems.append({"Name": path, "Message": "A value is required."})
            elif requirement == "DISALLOWED" and path in version.values:
                problems.append({"Name": path, "Message": "This field must be empty."})
        if problems:
            raise validation_error(
                f"The registration is incomplete: {', '.join(f['Name'] for f in problems)}.",
                reason="FIELD_VALIDATION_FAILED",
                fields=problems,
            )
        sender = (version.values.get(defs.SENDER_ID_FIELD) or {}).get("TextValue", "")
        denied_before = any(v.outcome == "DENIED" for v in reg.versions[:-1])
        version.outcome = "DENIED" if sender.upper().startswith("DENY") and not denied_before else "APPROVED"
        version.submitted_at = ctx.now
        version.review_delay = self.config.review_delay
        version.aws_review = p.get("AwsReview", False)
        status = version_status(version, ctx.now)
        return {
            "RegistrationArn": reg.arn,
            "RegistrationId": reg.id,
            "VersionNumber": version.number,
            "RegistrationVersionStatus": status,
            "RegistrationVersionStatusHistory": status_history(version, status),
            "AwsReview": version.aws_review,
        }

    def op_CreateRegistrationVersion(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        reg = self._registration(ctx, p["RegistrationId"])
        status = registration_status(reg, ctx.now)
        if (
            status not in ("REQUIRES_UPDATES", "COMPLETE")
            or version_status(reg.versions[-1], ctx.now) == "DRAFT"
        ):
            raise conflict(
                f"A new version can't be created while the registration is {status}.",
                reason="CREATE_REGISTRATION_VERSION_NOT_ALLOWED",
                resource_type="registration",
                resource_id=reg.id,
            )
        previous = reg.versions[-1]
        # The new draft starts from the previous version's values, as on AWS.
        version = VersionRecord(
            number=previous.number + 1,
            draft_at=ctx.now,
            values={k: dict(v) for k, v in previous.values.items()},
        )
        reg.versions.append(version)
        return {
            "RegistrationArn": reg.arn,
            "RegistrationId": reg.id,
            "VersionNumber": version.number,
            "RegistrationVersionStatus": "DRAFT",
            "RegistrationVersionStatusHistory": status_history(version, "DRAFT"),
        }

    def op_DescribeRegistrations(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        if "RegistrationIds" in p:
            regs = [self._registration(ctx, r) for r in p["RegistrationIds"]]
        else:
            regs = list(ctx.state.registrations.values())
        filters = self._filters(p)
        statuses = filters.get("registration-status")
        if statuses is not None:
            valid = set(wire.service_model().shape_for("RegistrationStatus").enum)
            if not statuses <= valid:
                raise validation_error(
                    f"Unknown registration status: {', '.join(sorted(statuses - valid))}.",
                    reason="INVALID_FILTER_VALUES",
                )
            regs = [r for r in regs if registration_status(r, ctx.now) in statuses]
        types = filters.get("registration-type")
        if types is not None:
            regs = [r for r in regs if r.type in types]
        page, token = self._page(regs, p, "DescribeRegistrations")
        return self._with_token({"Registrations": [self._describe_registration(ctx, r) for r in page]}, token)

    def op_DescribeRegistrationVersions(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        reg = self._registration(ctx, p["RegistrationId"])
        statuses = version_statuses(reg, ctx.now)
        if "VersionNumbers" in p:
            unknown = [n for n in p["VersionNumbers"] if n not in statuses]
            if unknown:
                raise validation_error(
                    f"Unknown version {unknown[0]} of {reg.id}.", reason="UNKNOWN_REGISTRATION_VERSION"
                )
            versions = [reg.versions[n - 1] for n in p["VersionNumbers"]]
        else:
            versions = list(reversed(reg.versions))  # newest first, as AWS lists them
        wanted = self._filters(p).get("registration-version-status")
        if wanted is not None:
            versions = [v for v in versions if statuses[v.number] in wanted]
        page, token = self._page(versions, p, "DescribeRegistrationVersions")
        body = {
            "RegistrationArn": reg.arn,
            "RegistrationId": reg.id,
            "RegistrationVersions": [self._describe_version(reg, v, statuses[v.number]) for v in page],
        }
        return self._with_token(body, token)

    def op_DescribeRegistrationFieldValues(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        reg = self._registration(ctx, p["RegistrationId"])
        number = p.get("VersionNumber", reg.versions[-1].number)
        if not 1 <= number <= len(reg.versions):
            raise validation_error(
                f"Unknown version {number} of {reg.id}.", reason="UNKNOWN_REGISTRATION_VERSION"
            )
        version = reg.versions[number - 1]
        denied = version_statuses(reg, ctx.now)[number] == "DENIED"
        order = [f["FieldPath"] for f in defs.form(reg.type)[1]]
        paths = [path for path in order if path in version.values]
        if "SectionPath" in p:
            paths = [path for path in paths if path.split(".")[0] == p["SectionPath"]]
        if "FieldPaths" in p:
            paths = [path for path in paths if path in p["FieldPaths"]]
        page, token = self._page(paths, p, "DescribeRegistrationFieldValues")
        values = []
        for path in page:
            item = {"FieldPath": path, **version.values[path]}
            if denied and path == defs.SENDER_ID_FIELD:
                item["DeniedReason"] = SENDER_ID_DENIED_REASON
                item["Feedback"] = (
                    "This sender ID does not match the company name or brand. Use a matching sender ID or "
                    "attach a letter of authorization."
                )
            values.append(item)
        body = {
            "RegistrationArn": reg.arn,
            "RegistrationId": reg.id,
            "VersionNumber": number,
            "RegistrationFieldValues": values,
        }
        return self._with_token(body, token)

    def op_DescribeRegistrationTypeDefinitions(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        types = defs.type_definitions(ctx.region)
        if "RegistrationTypes" in p:
            types = [t for t in types if t["RegistrationType"] in p["RegistrationTypes"]]
        filters = self._filters(p)
        if "supported-association-resource-type" in filters:
            wanted = filters["supported-association-resource-type"]
            types = [t for t in types if any(a["ResourceType"] in wanted for a in t["SupportedAssociations"])]
        if "supported-association-iso-country-code" in filters:
            wanted = filters["supported-association-iso-country-code"]
            types = [
                t for t in types if any(a["IsoCountryCode"] in wanted for a in t["SupportedAssociations"])
            ]
        page, token = self._page(types, p, "DescribeRegistrationTypeDefinitions", DEFINITIONS_PAGE)
        return self._with_token({"RegistrationTypeDefinitions": page}, token)

    def op_DescribeRegistrationSectionDefinitions(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        self._registration_type(ctx, p["RegistrationType"])
        sections = defs.form(p["RegistrationType"])[0]
        if "SectionPaths" in p:
            sections = [s for s in sections if s["SectionPath"] in p["SectionPaths"]]
        page, token = self._page(sections, p, "DescribeRegistrationSectionDefinitions", DEFINITIONS_PAGE)
        body = {"RegistrationType": p["RegistrationType"], "RegistrationSectionDefinitions": page}
        return self._with_token(body, token)

    def op_DescribeRegistrationFieldDefinitions(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        self._registration_type(ctx, p["RegistrationType"])
        fields = defs.form(p["RegistrationType"])[1]
        if "SectionPath" in p:
            fields = [f for f in fields if f["SectionPath"] == p["SectionPath"]]
        if "FieldPaths" in p:
            fields = [f for f in fields if f["FieldPath"] in p["FieldPaths"]]
        page, token = self._page(fields, p, "DescribeRegistrationFieldDefinitions", DEFINITIONS_PAGE)
        body = {"RegistrationType": p["RegistrationType"], "RegistrationFieldDefinitions": page}
        return self._with_token(body, token)

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
            if len(body) > MAX_ATTACHMENT_BYTES:
                raise validation_error(
                    f"The attachment is larger than {MAX_ATTACHMENT_BYTES} bytes.",
                    reason="MAXIMUM_SIZE_EXCEEDED",
                )
            if not body.startswith(ATTACHMENT_MAGIC):
                raise validation_error(
                    "Attachments must be PDF, PNG or JPEG files.", reason="ATTACHMENT_TYPE_NOT_SUPPORTED"
                )
        elif not url.startswith("s3://"):
            raise validation_error("AttachmentUrl must be an s3:// URL.", reason="INVALID_PARAMETER")
        attachment_id = self._new_id("attachment")
        attachment = AttachmentRecord(
            id=attachment_id,
            arn=self._arn(ctx, "registration-attachment", attachment_id),
            created_at=ctx.now,
            ready_at=ctx.now + self.config.attachment_delay,
            size=len(body) if body is not None else 0,
            url=url,
            tags=p.get("Tags", []),
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

    def op_CreateRegistrationAssociation(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        reg = self._registration(ctx, p["RegistrationId"])
        resource = p["ResourceId"]
        record = next(
            (r for r in ctx.state.sender_ids.values() if resource in (r.arn, r.sender_id)),
            None,
        )
        if record is None:
            raise not_found("sender-id", resource)
        if record.registration_id == reg.id:
            raise conflict(
                f"{resource} is already associated with {reg.id}.",
                reason="RESOURCE_ALREADY_ASSOCIATED",
                resource_type="sender-id",
                resource_id=resource,
            )
        # Every type the simulator offers is a sender-ID type, and those associate on approval only.
        raise validation_error(
            f"Registrations of type {reg.type} are {defs.ASSOCIATION_BEHAVIOR}: the sender ID is created and "
            "associated when the registration is approved.",
            reason="INVALID_REGISTRATION_ASSOCIATION",
        )
