"""The simulator's registration operations (a mixin of backend.Simulator): registrations and their
versions, submission (AwsReview, demo rules DENY… and AUTH…), discard, delete and associations.

Field values and definitions are in registration_values_ops.py; attachments, quotas and tags in
account_ops.py.
"""

from __future__ import annotations

import logging
from typing import Any

from smsvoice.simulator import definitions as defs
from smsvoice.simulator import wire
from smsvoice.simulator.records import (
    UNDER_REVIEW,
    Context,
    RegistrationRecord,
    VersionRecord,
    registration_status,
    status_history,
    version_status,
    version_statuses,
)
from smsvoice.simulator.wire import conflict, quota_exceeded, validation_error

logger = logging.getLogger(__name__)

# AwsReview's demo findings (the pre-review's "Generative AI feedback", per field).
OPT_IN_MIN_LENGTH = 40  # the hand-written country pages ask for 40 to 500 characters
AWS_REVIEW_SUMMARY = (
    "AWS pre-review found fields to improve before the registration goes to review. See the feedback on "
    "each field, update them and submit again."
)
AWS_REVIEW_ADVISORY = "AWS pre-review left suggestions on some fields; the registration continues to review."


class RegistrationOperations:
    """Every registration-level operation the portal calls, validated as AWS validates them."""

    def op_CreateRegistration(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        token_key = f"CreateRegistration/{p['ClientToken']}" if p.get("ClientToken") else None
        if token_key and token_key in ctx.state.tokens:
            reg = ctx.state.registrations.get(ctx.state.tokens[token_key])
            if reg is not None and reg.deleted_at is None:
                return {**self._created(ctx, reg), "Tags": reg.tags}
        iso = self._registration_type(ctx, p["RegistrationType"])
        # Deleted registrations free their place; CLOSED ones still count until they are deleted.
        if len(self._live_registrations(ctx)) >= self.config.max_registrations:
            raise quota_exceeded(
                f"The account has reached its registration quota ({self.config.max_registrations} in "
                f"{ctx.region}). Delete registrations you no longer need or request a quota increase.",
                "REGISTRATIONS_PER_ACCOUNT",
            )
        reg_id = self._new_id("registration")
        reg = RegistrationRecord(
            id=reg_id,
            arn=self._arn(ctx, "registration", reg_id),
            type=p["RegistrationType"],
            iso=iso,
            created_at=ctx.now,
            versions=[VersionRecord(number=1, draft_at=ctx.now)],
            tags=[dict(t) for t in p.get("Tags", [])],
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

    def _version_answer(
        self, ctx: Context, reg: RegistrationRecord, version: VersionRecord
    ) -> dict[str, Any]:
        status = version_status(version, ctx.now)
        return {
            "RegistrationArn": reg.arn,
            "RegistrationId": reg.id,
            "VersionNumber": version.number,
            "RegistrationVersionStatus": status,
            "RegistrationVersionStatusHistory": status_history(version, ctx.now),
        }

    # submission ----------------------------------------------------------------------------------------
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
        problems = self._submission_problems(reg, version)
        if problems:
            raise validation_error(
                f"The registration can't be submitted: {', '.join(f['Name'] for f in problems)}.",
                reason="FIELD_VALIDATION_FAILED",
                fields=problems,
            )
        sender = (version.values.get(defs.SENDER_ID_FIELD) or {}).get("TextValue", "").upper()
        denied_before = any(v.outcome == "DENIED" for v in reg.versions[:-1])
        version.outcome = "DENIED" if sender.startswith("DENY") and not denied_before else "APPROVED"
        version.submitted_at = ctx.now
        version.review_delay = self.config.review_delay
        version.aws_review = p.get("AwsReview", False)
        version.auth_required = sender.startswith("AUTH")
        version.authenticated_at = None
        version.feedback, version.feedback_summary, version.returns_to = {}, None, None
        if version.aws_review:
            version.feedback = self._aws_review_findings(version)
            if version.feedback and self.config.aws_review_returns_draft:
                version.returns_to = self.config.aws_review_draft_status
                version.feedback_summary = AWS_REVIEW_SUMMARY
            elif version.feedback:
                version.feedback_summary = AWS_REVIEW_ADVISORY
        return {**self._version_answer(ctx, reg, version), "AwsReview": version.aws_review}

    def _submission_problems(self, reg: RegistrationRecord, version: VersionRecord) -> list[dict[str, str]]:
        """REQUIRED fields without a value and DISALLOWED fields with one (ConditionalBehavior evaluated
        against this version's values), as ValidationException Fields."""
        problems = []
        for definition in defs.form(reg.type, self.config.conditional_rules)[1]:
            path = definition["FieldPath"]
            requirement = defs.resolved_requirement(
                definition, version.values, self.config.unruled_conditional
            )
            if requirement == "REQUIRED" and path not in version.values:
                problems.append({"Name": path, "Message": "A value is required."})
            elif requirement == "DISALLOWED" and path in version.values:
                problems.append(
                    {
                        "Name": path,
                        "Message": "This field must be empty for the answers given: delete its value.",
                    }
                )
        return problems

    @staticmethod
    def _aws_review_findings(version: VersionRecord) -> dict[str, str]:
        """The demo pre-review's per-field feedback (empty: nothing to improve)."""
        findings = {}
        sender = (version.values.get(defs.SENDER_ID_FIELD) or {}).get("TextValue", "")
        if sender.upper().startswith("DENY"):
            findings[defs.SENDER_ID_FIELD] = (
                f"The sender ID {sender} does not appear to match the company name or brand. Use a sender ID "
                "that matches it, or attach a letter of authorization."
            )
        opt_in = (version.values.get("messagingUseCase.optInDescription") or {}).get("TextValue")
        if opt_in is not None and len(opt_in.strip()) < OPT_IN_MIN_LENGTH:
            findings["messagingUseCase.optInDescription"] = (
                f"Describe the opt-in workflow in at least {OPT_IN_MIN_LENGTH} characters: where recipients "
                "give their number, what they agree to, and how they can opt out."
            )
        return findings

    # versions ------------------------------------------------------------------------------------------
    def op_CreateRegistrationVersion(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        reg = self._registration(ctx, p["RegistrationId"])
        status = registration_status(reg, ctx.now)
        latest = version_status(reg.versions[-1], ctx.now)
        if status not in ("REQUIRES_UPDATES", "COMPLETE", "CREATED") or latest in ("DRAFT", *UNDER_REVIEW):
            raise conflict(
                f"A new version can't be created while the registration is {status} "
                f"(latest version {latest}).",
                reason="CREATE_REGISTRATION_VERSION_NOT_ALLOWED",
                resource_type="registration",
                resource_id=reg.id,
            )
        version = self._new_version(ctx, reg)
        return self._version_answer(ctx, reg, version)

    def _new_version(self, ctx: Context, reg: RegistrationRecord) -> VersionRecord:
        """Append a DRAFT version: a copy of the previous version's values, or empty when the config says
        AWS does not copy them (the model does not say it does)."""
        previous = reg.versions[-1]
        values = (
            {k: dict(v) for k, v in previous.values.items()} if self.config.copy_values_on_new_version else {}
        )
        version = VersionRecord(number=previous.number + 1, draft_at=ctx.now, values=values)
        reg.versions.append(version)
        return version

    def op_DiscardRegistrationVersion(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        """User guide (registrations-discard): "You can only discard the registration if it's status is
        Submitted"; the version becomes DISCARDED ("abandon this version ... to start over with a new
        version", the model). By default a new DRAFT opens at once (SimConfig.discard_creates_draft)."""
        reg = self._registration(ctx, p["RegistrationId"])
        version = reg.versions[-1]
        status = version_status(version, ctx.now)
        allowed = UNDER_REVIEW if self.config.discard_while_reviewing else ("SUBMITTED",)
        if reg.closed_at is not None or status not in allowed:
            raise conflict(
                f"Version {version.number} of {reg.id} is {status}; only a {' or '.join(allowed)} "
                "version can be discarded.",
                reason="DISCARD_REGISTRATION_VERSION_NOT_ALLOWED",
                resource_type="registration",
                resource_id=reg.id,
            )
        version.discarded_at = ctx.now
        answer = self._version_answer(ctx, reg, version)
        if self.config.discard_creates_draft:
            self._new_version(ctx, reg)
        return answer

    # deletion ------------------------------------------------------------------------------------------
    def op_DeleteRegistration(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        reg = self._registration(ctx, p["RegistrationId"])
        sender = self._associated_sender(ctx, reg)
        behaviour = self.config.sender_id_disassociation
        if sender is not None and behaviour != "DELETE_REGISTRATION_DISASSOCIATES":
            # DISASSOCIATE_ALL_*: the sender ID must go first; releasing it CLOSES the registration.
            raise conflict(
                f"Registration {reg.id} still has sender ID {sender.sender_id} ({behaviour}): release the "
                "sender ID first, then delete the CLOSED registration.",
                reason="RESOURCE_DELETION_NOT_ALLOWED",
                resource_type="registration",
                resource_id=reg.id,
            )
        if sender is not None:
            sender.registration_id = None  # DELETE_REGISTRATION_DISASSOCIATES
        reg.deleted_at = ctx.now
        return self._created(ctx, reg)

    @staticmethod
    def _associated_sender(ctx: Context, reg: RegistrationRecord):
        return next((s for s in ctx.state.sender_ids.values() if s.registration_id == reg.id), None)

    # reads ---------------------------------------------------------------------------------------------
    def op_DescribeRegistrations(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        if "RegistrationIds" in p:
            regs = [self._registration(ctx, r, include_deleted=True) for r in p["RegistrationIds"]]
        elif self.config.deleted_registrations_visible:
            regs = list(ctx.state.registrations.values())
        else:
            regs = self._live_registrations(ctx)
        shown = {r.id: self._listed_status(ctx, r) for r in regs}
        filters = self._filters(p)
        statuses = filters.get("registration-status")
        if statuses is not None:
            valid = set(wire.service_model().shape_for("RegistrationStatus").enum)
            if not statuses <= valid:
                raise validation_error(
                    f"Unknown registration status: {', '.join(sorted(statuses - valid))}.",
                    reason="INVALID_FILTER_VALUES",
                )
            regs = [r for r in regs if shown[r.id] in statuses]
        types = filters.get("registration-type")
        if types is not None:
            regs = [r for r in regs if r.type in types]
        page, token = self._page(regs, p, "DescribeRegistrations")
        listed = [self._describe_registration(ctx, r, shown[r.id]) for r in page]
        return self._with_token({"Registrations": listed}, token)

    def _listed_status(self, ctx: Context, reg: RegistrationRecord) -> str:
        """The status DescribeRegistrations shows: CREATED for a while after a submission when
        SimConfig.created_after_submit is on (as AWS's own blog shows), else the real one."""
        status = registration_status(reg, ctx.now)
        submitted = reg.versions[-1].submitted_at
        if (
            self.config.created_after_submit
            and status not in ("CLOSED", "DELETED")
            and submitted is not None
            and ctx.now < submitted + self.config.created_after_submit_seconds
        ):
            return "CREATED"
        return status

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
            "RegistrationVersions": [self._describe_version(ctx, reg, v, statuses[v.number]) for v in page],
        }
        return self._with_token(body, token)

    # associations --------------------------------------------------------------------------------------
    def op_CreateRegistrationAssociation(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        reg = self._registration(ctx, p["RegistrationId"])
        resource = p["ResourceId"]
        record = next(
            (r for r in ctx.state.sender_ids.values() if resource in (r.arn, r.sender_id)),
            None,
        )
        if record is None:
            raise wire.not_found("sender-id", resource)
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

    def op_ListRegistrationAssociations(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        """The sender ID the approved registration created. Its ResourceType string is undocumented for
        sender IDs (no public ListRegistrationAssociations output shows one): SimConfig
        .association_resource_type, default ``sender-id`` as in the sender ID's ARN."""
        reg = self._registration(ctx, p["RegistrationId"])
        associations = []
        sender = self._associated_sender(ctx, reg)
        if sender is not None:
            associations.append(
                {
                    "ResourceArn": sender.arn,
                    "ResourceId": sender.sender_id,
                    "ResourceType": self.config.association_resource_type,
                    "IsoCountryCode": sender.iso,
                }
            )
        filters = self._filters(p)
        if "resource-type" in filters:
            associations = [a for a in associations if a["ResourceType"] in filters["resource-type"]]
        if "iso-country-code" in filters:
            associations = [a for a in associations if a["IsoCountryCode"] in filters["iso-country-code"]]
        page, token = self._page(associations, p, "ListRegistrationAssociations")
        body = {
            "RegistrationArn": reg.arn,
            "RegistrationId": reg.id,
            "RegistrationType": reg.type,
            "RegistrationAssociations": page,
        }
        return self._with_token(body, token)
