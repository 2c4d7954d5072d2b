"""Celery tasks of support cases: thin. Beat runs `poll_support_cases` every REGISTRATION_POLL_SECONDS.

Opening a case is not a task of its own: the submission pipeline runs the process's start
(`services.support_case_open`) through senderids' process registry.
"""

from __future__ import annotations

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def poll_support_cases() -> str:
    report = services.support_cases_poll()
    for line in report.changes:
        logger.info("support cases: %s", line)
    for line in report.errors:
        logger.warning("support cases: %s", line)
    return str(report)
