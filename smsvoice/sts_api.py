"""The AWS STS half of the gateway (GetCallerIdentity): a mixin of SmsVoiceGateway.

Who the portal is at AWS: the account and the identity its credentials resolve to, as `manage.py
check_aws` reports them. Same call path as every other call (error mapping, call log) through the
gateway's `_call`; botocore reads `AWS_ENDPOINT_URL_STS` itself (moto answers it in tests and the demo).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STS_SERVICE = "sts"


@dataclass(frozen=True)
class CallerIdentity:
    account: str
    arn: str
    user_id: str


class StsOperations:
    """Requires `self._call(service, operation, params, resource_id)` (SmsVoiceGateway provides it)."""

    _call: Any

    def get_caller_identity(self) -> CallerIdentity:
        answer = self._call(STS_SERVICE, "GetCallerIdentity", {})
        return CallerIdentity(
            account=str(answer.get("Account", "")),
            arn=answer.get("Arn", ""),
            user_id=answer.get("UserId", ""),
        )
