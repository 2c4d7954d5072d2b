"""Celery tasks of smsvoice: pruning the AWS call log (beat), testing an AWS account's connection."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from .aws_check import account_check, account_check_summary, aws_checked
from .gateway import gateway_for
from .models import AwsAccount
from .services import aws_account_record_check, aws_call_prune


@shared_task(acks_late=True, ignore_result=True)
def prune_aws_calls() -> int:
    """Beat (daily): delete AwsCall rows older than AWS_CALL_RETENTION_DAYS. Returns how many went."""
    return aws_call_prune(older_than=timedelta(days=settings.AWS_CALL_RETENTION_DAYS))


@shared_task(acks_late=True, ignore_result=True)
def test_aws_account(account_id: int) -> None:
    """The admin's "Test connection": every enabled Region of the account, read-only; the account id
    comes from STS GetCallerIdentity and the report is kept on the account's page."""
    account = AwsAccount.objects.filter(pk=account_id).first()
    if account is None:
        return
    reports = account_check(
        account=account,
        gateway_for=gateway_for,
        service_code=settings.SUPPORT_CASE_SERVICE_CODE,
        category_code=settings.SUPPORT_CASE_CATEGORY_CODE,
        severity_code=settings.SUPPORT_CASE_SEVERITY_CODE,
    )
    lines = [line for report in reports for line in report.lines()]
    for report in reports:
        for _receiver, answer in aws_checked.send(sender=test_aws_account, report=report):
            if answer:
                lines.append(f"  {answer}")
    account_id_at_aws, arn, error = account_check_summary(reports)
    aws_account_record_check(
        account=account, account_id=account_id_at_aws, arn=arn, error=error, report="\n".join(lines)
    )
