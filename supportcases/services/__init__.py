"""Writes of the support-case process, by area (HackSoft's services):

* opening.py — the process's start: prepare the case (assisted) or CreateCase (api).
* casetext.py — the prepared case: the description and the Support Center form's fields.
* poller.py — DescribeCases for the followed cases, communications mirrored, statuses debounced.
* states.py — the one way a case changes meaning (the request follows, one entry, one email).
* staff.py — record the case id, set a state by hand, mark an answer pasted, confirm, retry (permissions).
* replies.py — the team's answers to AWS Support and the case's documents.
* api_check.py — what check_aws found about the Support API, stored.
* emails.py — "AWS is waiting for your reply" to the owner.

The names below are this package's API (views, admin, tasks, apps, tests import them from here).
"""

from .api_check import support_api_check_record
from .casetext import CONSOLE_URL, case_body, case_subject, console_fields, language_name
from .emails import reply_needed_email_send
from .opening import api_mode_refusal, support_case_open
from .poller import CasePollReport, followed_cases, is_followed, support_cases_poll
from .replies import (
    ANSWER_MAX_LENGTH,
    clean_answer,
    support_case_answer,
    support_case_answer_gave_up,
    support_case_answer_send,
    support_case_document_add,
)
from .staff import (
    support_case_answer_pasted,
    support_case_confirm,
    support_case_record,
    support_case_retry,
    support_case_set_state,
)

# The subject's old name (tests and the first attempt's marker lookup use it).
support_case_subject = case_subject

__all__ = [
    "ANSWER_MAX_LENGTH",
    "CONSOLE_URL",
    "CasePollReport",
    "api_mode_refusal",
    "case_body",
    "case_subject",
    "clean_answer",
    "console_fields",
    "followed_cases",
    "is_followed",
    "language_name",
    "reply_needed_email_send",
    "support_api_check_record",
    "support_case_answer",
    "support_case_answer_gave_up",
    "support_case_answer_pasted",
    "support_case_answer_send",
    "support_case_confirm",
    "support_case_document_add",
    "support_case_open",
    "support_case_record",
    "support_case_retry",
    "support_case_set_state",
    "support_case_subject",
    "support_cases_poll",
]
