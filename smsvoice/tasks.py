"""Celery tasks of smsvoice: pruning the AWS call log (beat)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from .services import aws_call_prune


@shared_task(acks_late=True, ignore_result=True)
def prune_aws_calls() -> int:
    """Beat (daily): delete AwsCall rows older than AWS_CALL_RETENTION_DAYS. Returns how many went."""
    return aws_call_prune(older_than=timedelta(days=settings.AWS_CALL_RETENTION_DAYS))
