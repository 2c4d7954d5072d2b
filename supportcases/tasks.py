"""Celery tasks of support cases: thin — take an id, call one service, retry by the one policy.

* `poll_support_cases` — beat, every REGISTRATION_POLL_SECONDS: one poll cycle.
* `send_support_case_answer` — api mode, enqueued on commit when the team answers AWS Support.
* `send_reply_needed_email` — the owner's "AWS is waiting for your reply" email (enqueued on commit).

Opening a case is not a task of its own: the submission pipeline runs the process's start
(`services.support_case_open`) through senderids' process registry.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task

from smsvoice.retry import run_with_retries

from . import services

logger = logging.getLogger(__name__)

ANSWER_MAX_RETRIES = 10


@shared_task(acks_late=True, ignore_result=True)
def poll_support_cases() -> str:
    report = services.support_cases_poll()
    for line in report.changes:
        logger.info("support cases: %s", line)
    for line in report.errors:
        logger.warning("support cases: %s", line)
    return str(report)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=ANSWER_MAX_RETRIES)
def send_support_case_answer(self: Task, communication_id: int) -> None:
    run_with_retries(
        self,
        services.support_case_answer_send,
        what="send support case answer",
        max_retries=ANSWER_MAX_RETRIES,
        on_give_up=lambda exc: services.support_case_answer_gave_up(
            communication_id=communication_id, message=f"{exc.code}: {exc.message}"
        ),
        communication_id=communication_id,
    )


@shared_task(acks_late=True, ignore_result=True)
def send_reply_needed_email(event_id: int) -> bool:
    return services.reply_needed_email_send(event_id=event_id)
