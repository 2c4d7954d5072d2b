"""What moto 5.2.5's Support server lacks, answered in-process for tests (the server runs in this process's
thread, so its response class can be patched): DescribeServices, DescribeSeverityLevels,
AddAttachmentsToSet, AddCommunicationToCase. Shapes follow botocore's support model; the services and
codes are the public traces of shared/data/aws-reference/support-facts.md §3 ([EMORY], [AMZ-SAMPLE]).

Plain moto answers these operations with HTTP 500 ("The describe_services action has not been
implemented"): tests that want moto as it is simply do not use the `support_api_extension` fixture.
`aws_says(case_id, body)` writes a message from AWS Support into a moto case, as AWS's staff would.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from moto.core.exceptions import JsonRESTError
from moto.support.models import support_backends
from moto.support.responses import SupportResponse

ACCOUNT = "123456789012"  # moto's default account
# The pair the Amazon sample's routing map and the 2019 DescribeServices capture agree on.
SERVICE_CODE = "service-limit-increase"
CATEGORY_CODE = "service-code-pinpoint-sms"
SERVICES = [
    {
        "code": SERVICE_CODE,
        "name": "Service Limit Increase",
        "categories": [
            {"code": CATEGORY_CODE, "name": "Pinpoint SMS"},
            {"code": "service-code-sns-text-messaging", "name": "SNS Text Messaging"},
        ],
    },
    {
        "code": "amazon-pinpoint",
        "name": "Pinpoint",
        "categories": [{"code": "general-guidance", "name": "General Guidance"}],
    },
    {"code": "amazon-elastic-compute-cloud-linux", "name": "EC2 (Linux)", "categories": []},
]
SEVERITY_LEVELS = [
    {"code": "low", "name": "Low"},
    {"code": "normal", "name": "Normal"},
    {"code": "high", "name": "High"},
    {"code": "urgent", "name": "Urgent"},
]


@dataclass
class SupportExtension:
    """What the extension received: attachment sets (id → [(file name, bytes)]) and answers."""

    attachment_sets: dict[str, list[tuple[str, bytes]]] = field(default_factory=dict)
    answers: list[tuple[str, str]] = field(default_factory=list)

    @staticmethod
    def backend() -> Any:
        return support_backends[ACCOUNT]["us-east-1"]

    def communications(self, case_id: str) -> list[dict[str, Any]]:
        return self.backend().cases[case_id].communications["recentCommunications"]["communications"]

    def aws_says(self, case_id: str, body: str, *, when: dt.datetime | None = None) -> None:
        """A message from AWS Support on the case (newest first, as DescribeCases lists them)."""
        when = when or dt.datetime.now(dt.UTC)
        item = {
            "caseId": case_id,
            "body": body,
            "submittedBy": "Amazon Web Services",
            "timeCreated": when.isoformat(),
        }
        self.communications(case_id).insert(0, item)


def set_case_status(case_id: str, status: str) -> None:
    """Put a moto case in `status` (what AWS's staff do; the state manager stays frozen)."""
    support_backends[ACCOUNT]["us-east-1"].cases[case_id].status = status


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def install(monkeypatch: pytest.MonkeyPatch) -> SupportExtension:
    ext = SupportExtension()

    def describe_services(self: SupportResponse) -> str:
        codes = self._get_param("serviceCodeList")
        return json.dumps({"services": [s for s in SERVICES if not codes or s["code"] in codes]})

    def describe_severity_levels(self: SupportResponse) -> str:
        return json.dumps({"severityLevels": SEVERITY_LEVELS})

    def add_attachments_to_set(self: SupportResponse) -> str:
        set_id = self._get_param("attachmentSetId") or f"as-{uuid.uuid4().hex}"
        items = [(a["fileName"], base64.b64decode(a["data"])) for a in self._get_param("attachments")]
        ext.attachment_sets.setdefault(set_id, []).extend(items)
        return json.dumps({"attachmentSetId": set_id, "expiryTime": _now()})

    def add_communication_to_case(self: SupportResponse) -> str:
        case_id = self._get_param("caseId")
        if case_id not in self.support_backend.cases:
            raise JsonRESTError("CaseIdNotFound", f"Case {case_id} not found")
        body = self._get_param("communicationBody")
        ext.answers.append((case_id, body))
        ext.communications(case_id).insert(
            0, {"caseId": case_id, "body": body, "submittedBy": "moto@moto.com", "timeCreated": _now()}
        )
        return json.dumps({"result": True})

    for name, fn in {
        "describe_services": describe_services,
        "describe_severity_levels": describe_severity_levels,
        "add_attachments_to_set": add_attachments_to_set,
        "add_communication_to_case": add_communication_to_case,
    }.items():
        monkeypatch.setattr(SupportResponse, name, fn, raising=False)
    return ext
