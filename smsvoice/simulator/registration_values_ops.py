"""The simulator's registration field values and form definitions (a mixin of backend.Simulator):
PutRegistrationFieldValue, DeleteRegistrationFieldValue, DescribeRegistrationFieldValues and the three
Describe*Definitions operations (stand-in forms answer with ``x-simulator-stand-in: true``)."""

from __future__ import annotations

import logging
from typing import Any

from smsvoice.simulator import definitions as defs
from smsvoice.simulator import wire
from smsvoice.simulator.records import (
    DEFINITIONS_PAGE,
    SENDER_ID_DENIED_REASON,
    Context,
    RegistrationRecord,
    VersionRecord,
    aws_review_done,
    version_status,
    version_statuses,
)
from smsvoice.simulator.wire import ApiError, conflict, not_found, validation_error

logger = logging.getLogger(__name__)

VALUE_KEYS = ("TextValue", "SelectChoices", "RegistrationAttachmentId")
EXPECTED_KEY = {"TEXT": "TextValue", "SELECT": "SelectChoices", "ATTACHMENT": "RegistrationAttachmentId"}


class RegistrationValueOperations:
    """Field values of a registration's DRAFT version, and the forms they are checked against."""

    def _draft(self, ctx: Context, reg: RegistrationRecord) -> VersionRecord:
        version = reg.versions[-1]
        if reg.closed_at is not None or version_status(version, ctx.now) != "DRAFT":
            raise conflict(
                "Field values can only be changed while the latest version is a DRAFT.",
                reason="EDIT_REGISTRATION_FIELD_VALUES_NOT_ALLOWED",
                resource_type="registration",
                resource_id=reg.id,
            )
        return version

    def _field(self, reg: RegistrationRecord, path: str) -> dict[str, Any]:
        definition = defs.field_index(reg.type, self.config.conditional_rules).get(path)
        if definition is None:
            raise validation_error(
                f"{path} is not a field of {reg.type}.", reason="UNKNOWN_REGISTRATION_FIELD"
            )
        return definition

    def op_PutRegistrationFieldValue(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        reg = self._registration(ctx, p["RegistrationId"])
        version = self._draft(ctx, reg)
        path = p["FieldPath"]
        definition = self._field(reg, path)
        given = [k for k in VALUE_KEYS if k in p]
        if len(given) > 1:
            raise validation_error(
                "Give only one of TextValue, SelectChoices, RegistrationAttachmentId.",
                reason="PARAMETERS_CANNOT_BE_USED_TOGETHER",
            )
        expected = EXPECTED_KEY[definition["FieldType"]]
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

    def op_DeleteRegistrationFieldValue(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        """Remove a value from the DRAFT version (a cleared field, or one that is no longer allowed).
        Deleting a value that is not set succeeds unless SimConfig.delete_absent_value_error."""
        reg = self._registration(ctx, p["RegistrationId"])
        version = self._draft(ctx, reg)
        path = p["FieldPath"]
        self._field(reg, path)
        removed = version.values.pop(path, None)
        if removed is None and self.config.delete_absent_value_error:
            raise validation_error(
                f"{path} has no value in version {version.number} of {reg.id}.",
                reason="REGISTRATION_FIELD_CANNOT_BE_DELETED",
            )
        return {
            "RegistrationArn": reg.arn,
            "RegistrationId": reg.id,
            "VersionNumber": version.number,
            "FieldPath": path,
            **(removed or {}),
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
                hint = definition["DisplayHints"].get("TextValidationDescription")
                if rule["Pattern"] == defs.TEXT_PATTERN:
                    hint = "at least one character that is not a space"
                raise invalid(f"must match {hint or rule['Pattern']}")
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

    def op_DescribeRegistrationFieldValues(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        reg = self._registration(ctx, p["RegistrationId"])
        number = p.get("VersionNumber", reg.versions[-1].number)
        if not 1 <= number <= len(reg.versions):
            raise validation_error(
                f"Unknown version {number} of {reg.id}.", reason="UNKNOWN_REGISTRATION_VERSION"
            )
        version = reg.versions[number - 1]
        denied = version_statuses(reg, ctx.now)[number] == "DENIED"
        reviewed = aws_review_done(version, ctx.now)
        order = [f["FieldPath"] for f in defs.form(reg.type, self.config.conditional_rules)[1]]
        paths = [path for path in order if path in version.values]
        if "SectionPath" in p:
            paths = [path for path in paths if path.split(".")[0] == p["SectionPath"]]
        if "FieldPaths" in p:
            paths = [path for path in paths if path in p["FieldPaths"]]
        page, token = self._page(paths, p, "DescribeRegistrationFieldValues")
        values = []
        for path in page:
            item = {"FieldPath": path, **version.values[path]}
            if reviewed and path in version.feedback:
                item["Feedback"] = version.feedback[path]
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

    # definitions ---------------------------------------------------------------------------------------
    def _mark_stand_in(self, ctx: Context, registration_types: list[str]) -> None:
        if any(defs.is_stand_in(t) for t in registration_types):
            ctx.headers[defs.STAND_IN_HEADER] = "true"

    def op_DescribeRegistrationTypeDefinitions(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        types = defs.type_definitions(ctx.region, self.config.sender_id_disassociation)
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
        self._mark_stand_in(ctx, [t["RegistrationType"] for t in page])
        return self._with_token({"RegistrationTypeDefinitions": page}, token)

    def op_DescribeRegistrationSectionDefinitions(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        self._registration_type(ctx, p["RegistrationType"])
        sections = defs.form(p["RegistrationType"], self.config.conditional_rules)[0]
        if "SectionPaths" in p:
            sections = [s for s in sections if s["SectionPath"] in p["SectionPaths"]]
        page, token = self._page(sections, p, "DescribeRegistrationSectionDefinitions", DEFINITIONS_PAGE)
        self._mark_stand_in(ctx, [p["RegistrationType"]])
        body = {"RegistrationType": p["RegistrationType"], "RegistrationSectionDefinitions": page}
        return self._with_token(body, token)

    def op_DescribeRegistrationFieldDefinitions(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        self._registration_type(ctx, p["RegistrationType"])
        fields = defs.form(p["RegistrationType"], self.config.conditional_rules)[1]
        if "SectionPath" in p:
            fields = [f for f in fields if f["SectionPath"] == p["SectionPath"]]
        if "FieldPaths" in p:
            fields = [f for f in fields if f["FieldPath"] in p["FieldPaths"]]
        page, token = self._page(fields, p, "DescribeRegistrationFieldDefinitions", DEFINITIONS_PAGE)
        self._mark_stand_in(ctx, [p["RegistrationType"]])
        body = {"RegistrationType": p["RegistrationType"], "RegistrationFieldDefinitions": page}
        return self._with_token(body, token)
