"""The system check behind "api mode refuses to start without confirmed codes" (registered in apps.py).

SUPPORT_CASE_MODE=api opens cases with CreateCase, which only works on a plan with the Support API and
with the service / category / severity codes DescribeServices and DescribeSeverityLevels list for the
account. `manage.py check_aws` asks AWS and stores what it found (models.SupportApiCheck); without a
confirmation for the configured codes this check is an error, so runserver and every management
command that runs system checks refuse to start (check_aws itself does not run them).

Some commands (migrate) run system checks before the table exists: a database that cannot answer yet
gives a warning, not an error, so a fresh install can migrate, then run check_aws.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DatabaseError, transaction

from . import selectors

HINT = (
    "Run `manage.py check_aws` (it needs the migrated database): it must find the Support API in the "
    "account's plan (Business or higher; otherwise SubscriptionRequiredException) and DescribeServices "
    "must list SUPPORT_CASE_SERVICE_CODE={service} with category SUPPORT_CASE_CATEGORY_CODE={category}, "
    "and DescribeSeverityLevels SUPPORT_CASE_SEVERITY_CODE={severity}. Or set SUPPORT_CASE_MODE=assisted "
    "(staff open the cases in the Support Center)."
)


def support_case_mode_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.SUPPORT_CASE_MODE != "api":
        return []
    hint = HINT.format(
        service=settings.SUPPORT_CASE_SERVICE_CODE,
        category=settings.SUPPORT_CASE_CATEGORY_CODE,
        severity=settings.SUPPORT_CASE_SEVERITY_CODE,
    )
    try:
        # In a savepoint: on PostgreSQL a failed query would otherwise spoil the caller's transaction.
        with transaction.atomic():
            confirmed = selectors.support_api_confirmation() is not None
    except DatabaseError as exc:
        return [
            checks.Warning(
                f"SUPPORT_CASE_MODE=api: could not read the Support API confirmation ({type(exc).__name__}); "
                "cases will not open until check_aws has confirmed the codes.",
                hint=hint,
                id="supportcases.W001",
            )
        ]
    if confirmed:
        return []
    return [
        checks.Error(
            "SUPPORT_CASE_MODE=api, but `manage.py check_aws` has not confirmed the account's Support plan "
            "and the CreateCase codes.",
            hint=hint,
            id="supportcases.E001",
        )
    ]
