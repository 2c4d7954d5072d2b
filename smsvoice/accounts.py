"""What the gateway needs to know about an AWS account: how to get its credentials, as a hashable value.

``AccountCredentials`` is the identity of a set of boto3 clients and of a rate budget: two accounts on
the default credential chain are the same AWS account (same keys), so they share clients and budget;
an assumed-role account is its role. Model rows never cross into the gateway's caches (they are not
thread-safe and go stale); this frozen value does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from smsvoice.models import AwsAccount, CredentialSource

# Errors that say something about the account (its credentials, its permissions, its quota), not about
# one resource: the account's admin page shows the latest of them.
ACCOUNT_LEVEL_ERRORS = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "NoCredentialsError",
        "PartialCredentialsError",
        "CredentialRetrievalError",
        "ThrottlingException",
        "Throttling",
        "ServiceQuotaExceededException",
    }
)


@dataclass(frozen=True)
class AccountCredentials:
    source: str = CredentialSource.DEFAULT_CHAIN.value
    role_arn: str = ""
    external_id: str = ""
    sts_region: str = ""
    # Which row to tell about account-level errors; not part of the identity.
    account_pk: int | None = field(default=None, compare=False, hash=False)

    @property
    def budget_key(self) -> str:
        """The prefix of this account's rate-budget keys (per Region and operation after it)."""
        return "default" if self.source == CredentialSource.DEFAULT_CHAIN else self.role_arn


DEFAULT_CREDENTIALS = AccountCredentials()


def account_credentials(account: AwsAccount) -> AccountCredentials:
    if account.credential_source == CredentialSource.ASSUME_ROLE:
        return AccountCredentials(
            source=CredentialSource.ASSUME_ROLE.value,
            role_arn=account.role_arn,
            external_id=account.external_id,
            sts_region=account.default_region,
            account_pk=account.pk,
        )
    return AccountCredentials(account_pk=account.pk)
