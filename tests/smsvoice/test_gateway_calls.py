"""The gateway's calls, each checked by botocore's Stubber against AWS's real request/response model."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from smsvoice.gateway import get_gateway
from smsvoice.types import SelectOptions, TextValidation

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
REG_ID = "registration-0123456789abcdef"
REG_ARN = f"arn:aws:sms-voice:us-east-1:123456789012:registration/{REG_ID}"
SENDER_ARN = "arn:aws:sms-voice:us-east-1:123456789012:sender-id/ACME/DE"


def sender_payload(**overrides):
    payload = {
        "SenderIdArn": SENDER_ARN,
        "SenderId": "ACME",
        "IsoCountryCode": "DE",
        "MessageTypes": ["TRANSACTIONAL"],
        "MonthlyLeasingPrice": "0.00",
        "DeletionProtectionEnabled": False,
        "Registered": False,
    }
    payload.update(overrides)
    return payload


def registration_payload(**overrides):
    payload = {
        "RegistrationArn": REG_ARN,
        "RegistrationId": REG_ID,
        "RegistrationType": "GB_SENDER_ID_REGISTRATION",
        "RegistrationStatus": "REVIEWING",
        "CurrentVersionNumber": 1,
        "CreatedTimestamp": NOW,
    }
    payload.update(overrides)
    return payload


def test_get_gateway_is_one_per_process(stubbed_gateway):
    gateway, _, _ = stubbed_gateway
    assert get_gateway() is gateway


def test_request_sender_id_sends_the_client_token_and_returns_the_sender_id(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    sms.add_response(
        "request_sender_id",
        {**sender_payload(), "Tags": [{"Key": "request", "Value": "42"}]},
        {
            "SenderId": "ACME",
            "IsoCountryCode": "DE",
            "MessageTypes": ["TRANSACTIONAL"],
            "DeletionProtectionEnabled": True,
            "ClientToken": "token-1",
            "Tags": [{"Key": "request", "Value": "42"}],
        },
    )
    info = gateway.request_sender_id(
        sender_id="ACME",
        iso_country_code="DE",
        message_types=["TRANSACTIONAL"],
        client_token="token-1",
        deletion_protection_enabled=True,
        tags={"request": "42"},
    )
    assert info.sender_id_arn == SENDER_ARN
    assert info.message_types == ["TRANSACTIONAL"]
    assert info.tags == {"request": "42"}
    assert info.registered is False
    sms.assert_no_pending_responses()


def test_release_sender_id_returns_what_was_released(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    released = sender_payload()
    del released["DeletionProtectionEnabled"]  # ReleaseSenderId's answer does not carry it
    sms.add_response("release_sender_id", released, {"SenderId": "ACME", "IsoCountryCode": "DE"})
    info = gateway.release_sender_id(sender_id="ACME", iso_country_code="DE")
    assert (info.sender_id, info.deletion_protection_enabled) == ("ACME", False)


def test_update_sender_id_switches_deletion_protection(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    sms.add_response(
        "update_sender_id",
        sender_payload(DeletionProtectionEnabled=True),
        {"SenderId": "ACME", "IsoCountryCode": "DE", "DeletionProtectionEnabled": True},
    )
    assert gateway.update_sender_id(
        sender_id="ACME", iso_country_code="DE", deletion_protection_enabled=True
    ).deletion_protection_enabled


def test_describe_sender_ids_follows_next_token(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    filters = [{"Name": "registered", "Values": ["true"]}]
    sms.add_response(
        "describe_sender_ids",
        {"SenderIds": [sender_payload(Registered=True, RegistrationId=REG_ID)], "NextToken": "page-2"},
        {"Filters": filters, "MaxResults": 100},
    )
    sms.add_response(
        "describe_sender_ids",
        {"SenderIds": [sender_payload(SenderId="OTHER", Registered=True, RegistrationId=REG_ID)]},
        {"Filters": filters, "MaxResults": 100, "NextToken": "page-2"},
    )
    infos = list(gateway.describe_sender_ids(filters={"registered": ["true"]}))
    assert [i.sender_id for i in infos] == ["ACME", "OTHER"]
    assert all(i.registration_id == REG_ID for i in infos)


def test_describe_sender_ids_sends_at_most_five_ids_per_call(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    pairs = [(f"ID{n}", "DE") for n in range(7)]
    for chunk in (pairs[:5], pairs[5:]):
        sms.add_response(
            "describe_sender_ids",
            {"SenderIds": [sender_payload(SenderId=s) for s, _ in chunk]},
            {"SenderIds": [{"SenderId": s, "IsoCountryCode": c} for s, c in chunk], "MaxResults": 100},
        )
    assert [i.sender_id for i in gateway.describe_sender_ids(sender_ids=pairs)] == [s for s, _ in pairs]


def test_describe_sender_ids_with_no_ids_asks_nothing(stubbed_gateway):
    gateway, _, _ = stubbed_gateway
    assert list(gateway.describe_sender_ids(sender_ids=[])) == []


def test_get_sender_id_is_none_when_aws_does_not_know_it(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    sms.add_client_error(
        "describe_sender_ids",
        service_error_code="ResourceNotFoundException",
        service_message="The sender-id ACME was not found.",
        http_status_code=400,
    )
    assert gateway.get_sender_id(sender_id="ACME", iso_country_code="DE") is None


def test_create_registration_returns_the_new_registration(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    sms.add_response(
        "create_registration",
        {**registration_payload(RegistrationStatus="CREATED"), "AdditionalAttributes": {}, "Tags": []},
        {"RegistrationType": "GB_SENDER_ID_REGISTRATION", "ClientToken": "reg-token"},
    )
    info = gateway.create_registration(
        registration_type="GB_SENDER_ID_REGISTRATION", client_token="reg-token"
    )
    assert (info.registration_id, info.status, info.current_version_number) == (REG_ID, "CREATED", 1)
    assert info.created_at == NOW


@pytest.mark.parametrize(
    ("kwargs", "sent"),
    [
        ({"text_value": "Acme Ltd"}, {"TextValue": "Acme Ltd"}),
        ({"select_choices": ["Technology"]}, {"SelectChoices": ["Technology"]}),
        ({"registration_attachment_id": "attachment-1"}, {"RegistrationAttachmentId": "attachment-1"}),
    ],
)
def test_put_registration_field_value_sends_exactly_the_value_given(stubbed_gateway, kwargs, sent):
    gateway, sms, _ = stubbed_gateway
    sms.add_response(
        "put_registration_field_value",
        {
            "RegistrationArn": REG_ARN,
            "RegistrationId": REG_ID,
            "VersionNumber": 1,
            "FieldPath": "a.b",
            **sent,
        },
        {"RegistrationId": REG_ID, "FieldPath": "a.b", **sent},
    )
    gateway.put_registration_field_value(registration_id=REG_ID, field_path="a.b", **kwargs)
    sms.assert_no_pending_responses()


@pytest.mark.parametrize("method", ["submit_registration_version", "create_registration_version"])
def test_registration_version_calls_return_the_version(stubbed_gateway, method):
    gateway, sms, _ = stubbed_gateway
    status = "SUBMITTED" if method == "submit_registration_version" else "DRAFT"
    response = {
        "RegistrationArn": REG_ARN,
        "RegistrationId": REG_ID,
        "VersionNumber": 2,
        "RegistrationVersionStatus": status,
        "RegistrationVersionStatusHistory": {"DraftTimestamp": NOW, "SubmittedTimestamp": NOW},
    }
    if method == "submit_registration_version":
        response["AwsReview"] = False
    sms.add_response(method, response, {"RegistrationId": REG_ID})
    version = getattr(gateway, method)(registration_id=REG_ID)
    assert (version.version_number, version.status, version.registration_id) == (2, status, REG_ID)
    assert version.status_history == {"draft_timestamp": NOW, "submitted_timestamp": NOW}


def test_describe_registrations_by_id_sends_at_most_five_per_call(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    ids = [f"registration-{n}" for n in range(6)]
    for chunk in (ids[:5], ids[5:]):
        sms.add_response(
            "describe_registrations",
            {"Registrations": [registration_payload(RegistrationId=i) for i in chunk]},
            {"RegistrationIds": chunk},
        )
    assert [r.registration_id for r in gateway.describe_registrations(registration_ids=ids)] == ids


def test_describe_registrations_by_status_reads_pages_of_a_hundred(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    filters = [
        {"Name": "registration-status", "Values": ["REVIEWING", "SUBMITTED"]},
        {"Name": "registration-type", "Values": ["GB_SENDER_ID_REGISTRATION"]},
    ]
    sms.add_response(
        "describe_registrations",
        {"Registrations": [registration_payload(RegistrationId="r1")], "NextToken": "t2"},
        {"Filters": filters, "MaxResults": 100},
    )
    sms.add_response(
        "describe_registrations",
        {
            "Registrations": [
                registration_payload(
                    RegistrationId="r2",
                    RegistrationStatus="COMPLETE",
                    ApprovedVersionNumber=2,
                    LatestDeniedVersionNumber=1,
                )
            ]
        },
        {"Filters": filters, "MaxResults": 100, "NextToken": "t2"},
    )
    found = list(
        gateway.describe_registrations(
            statuses=["REVIEWING", "SUBMITTED"], registration_types=["GB_SENDER_ID_REGISTRATION"]
        )
    )
    assert [r.registration_id for r in found] == ["r1", "r2"]
    assert (found[1].approved_version_number, found[1].latest_denied_version_number) == (2, 1)


def test_describe_registration_versions_returns_denied_reasons_and_feedback(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    sms.add_response(
        "describe_registration_versions",
        {
            "RegistrationArn": REG_ARN,
            "RegistrationId": REG_ID,
            "RegistrationVersions": [
                {
                    "VersionNumber": 1,
                    "RegistrationVersionStatus": "DENIED",
                    "RegistrationVersionStatusHistory": {"DraftTimestamp": NOW, "DeniedTimestamp": NOW},
                    "DeniedReasons": [
                        {
                            "Reason": "SENDER_ID_NOT_PERMITTED",
                            "ShortDescription": "Not linked to the company.",
                            "DocumentationLink": "https://docs.aws.amazon.com/",
                        }
                    ],
                    "Feedback": "Change the sender ID.",
                }
            ],
        },
        {"RegistrationId": REG_ID, "MaxResults": 100},
    )
    (version,) = gateway.describe_registration_versions(registration_id=REG_ID)
    assert version.denied_reasons == [
        {
            "reason": "SENDER_ID_NOT_PERMITTED",
            "short_description": "Not linked to the company.",
            "documentation_link": "https://docs.aws.amazon.com/",
        }
    ]
    assert version.feedback == "Change the sender ID."
    assert version.status_history["denied_timestamp"] == NOW


def test_describe_registration_field_values_returns_field_feedback(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    sms.add_response(
        "describe_registration_field_values",
        {
            "RegistrationArn": REG_ARN,
            "RegistrationId": REG_ID,
            "VersionNumber": 1,
            "RegistrationFieldValues": [
                {
                    "FieldPath": "senderIdInfo.senderId",
                    "TextValue": "DENYME",
                    "DeniedReason": "Sender ID not permitted",
                    "Feedback": "Use your brand.",
                },
                {"FieldPath": "companyInfo.areaOfBusiness", "SelectChoices": ["Retail"]},
            ],
        },
        {"RegistrationId": REG_ID, "MaxResults": 100, "VersionNumber": 1},
    )
    sender, area = gateway.describe_registration_field_values(registration_id=REG_ID, version_number=1)
    assert (sender.text_value, sender.denied_reason, sender.feedback) == (
        "DENYME",
        "Sender ID not permitted",
        "Use your brand.",
    )
    assert area.select_choices == ["Retail"]


def test_describe_registration_type_definitions_reports_countries_and_behaviour(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    sms.add_response(
        "describe_registration_type_definitions",
        {
            "RegistrationTypeDefinitions": [
                {
                    "RegistrationType": "IN_SENDER_ID_REGISTRATION",
                    "SupportedAssociations": [
                        {
                            "ResourceType": "SENDER_ID",
                            "IsoCountryCode": "IN",
                            "AssociationBehavior": "ASSOCIATE_ON_APPROVAL",
                            "DisassociationBehavior": "DELETE_REGISTRATION_DISASSOCIATES",
                        }
                    ],
                    "DisplayHints": {"Title": "India Sender ID Registration"},
                }
            ]
        },
        {
            "Filters": [{"Name": "supported-association-iso-country-code", "Values": ["IN"]}],
            "MaxResults": 100,
        },
    )
    (definition,) = gateway.describe_registration_type_definitions(iso_country_code="IN")
    assert definition.supported_iso_countries == ["IN"]
    assert definition.association_behavior == "ASSOCIATE_ON_APPROVAL"
    assert definition.display_name == "India Sender ID Registration"


def test_describe_registration_section_definitions(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    sms.add_response(
        "describe_registration_section_definitions",
        {
            "RegistrationType": "SG_SENDER_ID_REGISTRATION",
            "RegistrationSectionDefinitions": [
                {
                    "SectionPath": "companyInfo",
                    "DisplayHints": {"Title": "Company info", "ShortDescription": "Who"},
                }
            ],
        },
        {"RegistrationType": "SG_SENDER_ID_REGISTRATION", "MaxResults": 100},
    )
    (section,) = gateway.describe_registration_section_definitions(
        registration_type="SG_SENDER_ID_REGISTRATION"
    )
    assert (section.section_path, section.display_name, section.description) == (
        "companyInfo",
        "Company info",
        "Who",
    )


def test_describe_registration_field_definitions_types_the_validation_rules(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    hints = {"Title": "T", "ShortDescription": "S"}
    sms.add_response(
        "describe_registration_field_definitions",
        {
            "RegistrationType": "SG_SENDER_ID_REGISTRATION",
            "RegistrationFieldDefinitions": [
                {
                    "SectionPath": "companyInfo",
                    "FieldPath": "companyInfo.companyName",
                    "FieldType": "TEXT",
                    "FieldRequirement": "REQUIRED",
                    "TextValidation": {"MinLength": 1, "MaxLength": 100, "Pattern": "^.*$"},
                    "DisplayHints": {**hints, "ExampleTextValue": "Example Corp"},
                },
                {
                    "SectionPath": "companyInfo",
                    "FieldPath": "companyInfo.areaOfBusiness",
                    "FieldType": "SELECT",
                    "FieldRequirement": "CONDITIONAL",
                    "SelectValidation": {"MinChoices": 1, "MaxChoices": 1, "Options": ["Retail", "Other"]},
                    "DisplayHints": hints,
                    "ConditionalBehavior": {
                        "Rules": [
                            {
                                "Conditions": [
                                    {"DependsOnFieldPath": "x.y", "Operator": "EQUALS", "Values": ["Yes"]}
                                ],
                                "RuleBehavior": "REQUIRED",
                            }
                        ],
                        "DefaultBehavior": "OPTIONAL",
                    },
                },
            ],
        },
        {"RegistrationType": "SG_SENDER_ID_REGISTRATION", "MaxResults": 100},
    )
    name, area = gateway.describe_registration_field_definitions(
        registration_type="SG_SENDER_ID_REGISTRATION"
    )
    assert name.text_validation == TextValidation(1, 100, "^.*$")
    assert name.example_text_value == "Example Corp"
    assert area.select_options == SelectOptions(1, 1, ["Retail", "Other"])
    assert area.conditional_behavior == {
        "rules": [
            {
                "conditions": [{"depends_on_field_path": "x.y", "operator": "EQUALS", "values": ["Yes"]}],
                "rule_behavior": "REQUIRED",
            }
        ],
        "default_behavior": "OPTIONAL",
    }


def test_create_registration_attachment_uploads_the_body(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    sms.add_response(
        "create_registration_attachment",
        {
            "RegistrationAttachmentArn": "arn:attachment",
            "RegistrationAttachmentId": "attachment-1",
            "AttachmentStatus": "UPLOAD_IN_PROGRESS",
            "CreatedTimestamp": NOW,
        },
        {"AttachmentBody": b"%PDF-1.4", "ClientToken": "a-token"},
    )
    info = gateway.create_registration_attachment(body=b"%PDF-1.4", client_token="a-token")
    assert (info.attachment_id, info.status) == ("attachment-1", "UPLOAD_IN_PROGRESS")


def test_create_registration_attachment_needs_exactly_one_source(stubbed_gateway):
    gateway, _, _ = stubbed_gateway
    with pytest.raises(ValueError):
        gateway.create_registration_attachment(body=b"%PDF", url="s3://bucket/loa.pdf")


def test_describe_registration_attachments(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    sms.add_response(
        "describe_registration_attachments",
        {
            "RegistrationAttachments": [
                {
                    "RegistrationAttachmentArn": "arn:attachment",
                    "RegistrationAttachmentId": "attachment-1",
                    "AttachmentStatus": "UPLOAD_COMPLETE",
                    "CreatedTimestamp": NOW,
                }
            ]
        },
        {"RegistrationAttachmentIds": ["attachment-1"]},
    )
    (info,) = gateway.describe_registration_attachments(attachment_ids=["attachment-1"])
    assert info.status == "UPLOAD_COMPLETE"


def test_create_registration_association(stubbed_gateway):
    gateway, sms, _ = stubbed_gateway
    sms.add_response(
        "create_registration_association",
        {
            "RegistrationArn": REG_ARN,
            "RegistrationId": REG_ID,
            "RegistrationType": "GB_SENDER_ID_REGISTRATION",
            "ResourceArn": SENDER_ARN,
            "ResourceId": SENDER_ARN,
            "ResourceType": "sender-id",
        },
        {"RegistrationId": REG_ID, "ResourceId": SENDER_ARN},
    )
    gateway.create_registration_association(registration_id=REG_ID, resource_id=SENDER_ARN)
    sms.assert_no_pending_responses()


def test_create_case_returns_the_case_id(stubbed_gateway):
    gateway, _, support = stubbed_gateway
    support.add_response(
        "create_case",
        {"caseId": "case-1"},
        {
            "subject": "Sender ID registration: ACME in VN",
            "communicationBody": "Please register ACME.",
            "serviceCode": "pinpoint",
            "categoryCode": "sender-id",
            "severityCode": "low",
            "language": "en",
            "issueType": "customer-service",
            "ccEmailAddresses": ["ops@example.com"],
        },
    )
    case_id = gateway.create_case(
        subject="Sender ID registration: ACME in VN",
        communication_body="Please register ACME.",
        service_code="pinpoint",
        category_code="sender-id",
        cc_emails=["ops@example.com"],
    )
    assert case_id == "case-1"


def test_describe_cases_includes_resolved_ones_and_communications(stubbed_gateway):
    gateway, _, support = stubbed_gateway
    support.add_response(
        "describe_cases",
        {
            "cases": [
                {
                    "caseId": "case-1",
                    "status": "resolved",
                    "subject": "Sender ID registration",
                    "recentCommunications": {
                        "communications": [
                            {"body": "Done.", "submittedBy": "aws", "timeCreated": "2025-03-01"}
                        ]
                    },
                }
            ]
        },
        {"caseIdList": ["case-1"], "includeResolvedCases": True, "includeCommunications": True},
    )
    (case,) = gateway.describe_cases(case_ids=["case-1"])
    assert case.is_resolved
    assert case.recent_communications == [
        {"body": "Done.", "submitted_by": "aws", "time_created": "2025-03-01"}
    ]


def test_list_cases_reads_every_page_since_a_time(stubbed_gateway):
    gateway, _, support = stubbed_gateway
    base = {"includeResolvedCases": True, "includeCommunications": False, "afterTime": NOW.isoformat()}
    support.add_response("describe_cases", {"cases": [{"caseId": "case-1"}], "nextToken": "n2"}, base)
    support.add_response("describe_cases", {"cases": [{"caseId": "case-2"}]}, {**base, "nextToken": "n2"})
    assert [c.case_id for c in gateway.list_cases(after=NOW)] == ["case-1", "case-2"]
