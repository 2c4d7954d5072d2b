"""deploy/eventbridge-sqs.yaml: well-formed (cfn-lint, when installed: moto[server] brings it), the rule
matches AWS's documented event pattern and feeds the queue, the queue policy lets only that rule send, the
queue's timings are the consumer's, and the portal's IAM policy holds exactly the operations the gateway
calls (read from smsvoice/gateway.py and its mixins), no more, no less."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from registrations.services import events
from smsvoice.sqs_api import MAX_WAIT_SECONDS

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "eventbridge-sqs.yaml"
GATEWAY_SOURCES = [
    ROOT / "smsvoice" / name for name in ("gateway.py", "support_api.py", "sts_api.py", "sqs_api.py")
]
# The IAM prefix of each gateway service constant.
IAM_PREFIX = {"SMS": "sms-voice", "SUPPORT": "support", "STS": "sts", "SQS": "sqs"}
# Operations whose permission is another action's.
IAM_ACTION_OF = {"sqs:DeleteMessageBatch": "sqs:DeleteMessage"}
# Actions AWS authorizes beside the calls: the assumed-role credentials botocore refreshes (STS AssumeRole,
# outside `_call`), and tags given at creation (CreateRegistration's Name tag, RequestSenderId's Tags).
IMPLIED_ACTIONS = {"sts:AssumeRole", "sms-voice:TagResource"}


class CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms: !Ref X → {"Ref": X}, !GetAtt A.B → {"Fn::GetAtt": [A, B]},
    any other !Fn → {"Fn::Fn": value}."""


def _construct(loader: CfnLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    if suffix == "Condition":
        return {"Condition": value}
    return {f"Fn::{suffix}": value}


CfnLoader.add_multi_constructor("!", _construct)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return yaml.load(TEMPLATE.read_text(), Loader=CfnLoader)  # a SafeLoader subclass


def resources_of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def branches(value: Any) -> list[Any]:
    """Every value an Fn::If may take (both branches), AWS::NoValue left out."""
    if isinstance(value, dict) and "Fn::If" in value:
        _condition, yes, no = value["Fn::If"]
        return branches(yes) + branches(no)
    if value == {"Ref": "AWS::NoValue"}:
        return []
    return [value]


def policy_actions(document: dict[str, Any]) -> set[str]:
    actions: set[str] = set()
    for statement in (s for item in document["Statement"] for s in branches(item)):
        assert statement["Effect"] == "Allow"
        action = statement["Action"]
        actions.update([action] if isinstance(action, str) else action)
    return actions


def gateway_operations() -> set[str]:
    """prefix:Operation for every operation the gateway and its mixins pass to `_call` or `_pages`."""
    text = "\n".join(path.read_text() for path in GATEWAY_SOURCES)
    calls = re.findall(r'self\._call\(\s*(\w+)_SERVICE,\s*"(\w+)"', text)
    pages = re.findall(r'self\._pages\(\s*"(\w+)"', text)
    # Every call site names its operation literally but one: `_pages` passes on its own argument (the
    # mixins' docstrings show the signature, `self._call(service, ...)`).
    assert len(re.findall(r"self\._call\((?!service,)", text)) == len(calls) + 1
    assert len(re.findall(r"self\._pages\(", text)) == len(pages)
    return {f"{IAM_PREFIX[service]}:{op}" for service, op in calls} | {f"sms-voice:{op}" for op in pages}


def test_the_template_is_valid_cloudformation():
    cfnlint = pytest.importorskip("cfnlint.api")
    matches = cfnlint.lint_file(
        TEMPLATE, config=cfnlint.ManualArgs(regions=["us-east-1", "eu-west-1", "ap-south-1"])
    )
    assert [str(m) for m in matches] == []


def test_the_rule_sends_aws_registration_status_changes_to_the_queue(template):
    (rule,) = resources_of(template, "AWS::Events::Rule").values()
    assert rule["Properties"]["EventPattern"] == {
        "source": [events.SOURCE],
        "detail-type": [events.DETAIL_TYPE],
    }
    (target,) = rule["Properties"]["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["EventsQueue", "Arn"]}
    assert target["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}


def test_the_queue_long_polls_fits_one_pass_and_hands_failures_to_the_dlq(template):
    queue = template["Resources"]["EventsQueue"]["Properties"]
    assert queue["ReceiveMessageWaitTimeSeconds"] == MAX_WAIT_SECONDS == 20
    assert queue["VisibilityTimeout"] == events.VISIBILITY_TIMEOUT
    assert events.VISIBILITY_TIMEOUT > events.PASS_SECONDS
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]},
        "maxReceiveCount": events.MAX_RECEIVES,
    }
    assert events.LAG_RETRIES < events.MAX_RECEIVES  # a lagging read never sends an event to the DLQ


def test_only_that_rule_may_send_to_the_queues(template):
    (policy,) = resources_of(template, "AWS::SQS::QueuePolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "events.amazonaws.com"}
    assert allow["Action"] == "sqs:SendMessage"
    assert allow["Condition"] == {
        "ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["RegistrationStatusRule", "Arn"]}}
    }
    assert policy["Properties"]["Queues"] == [{"Ref": "EventsQueue"}, {"Ref": "DeadLetterQueue"}]


def test_the_portal_policy_holds_exactly_the_operations_the_gateway_calls(template):
    (policy,) = resources_of(template, "AWS::IAM::ManagedPolicy").values()
    expected = {IAM_ACTION_OF.get(op, op) for op in gateway_operations()} | IMPLIED_ACTIONS

    actions = policy_actions(policy["Properties"]["PolicyDocument"])

    assert actions == expected
    # What the events consumer and the rest of the portal rely on, in case the regexes ever drift.
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"} <= actions
    assert {"sms-voice:DescribeRegistrations", "support:CreateCase", "sts:GetCallerIdentity"} <= actions
    assert not any(a.endswith("*") for a in actions)


def test_a_managed_account_gets_a_role_only_the_portal_with_its_external_id_can_assume(template):
    role = template["Resources"]["CrossAccountRole"]
    assert role["Condition"] == "IsManagedAccount"
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${PortalAccountId}:root"}}
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}
    assert template["Outputs"]["QueueUrl"]["Value"] == {"Ref": "EventsQueue"}
