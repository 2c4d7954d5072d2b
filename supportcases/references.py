"""What an AWS Support case reference looks like: the API's case id, or the Support Center's number.

* Case id (CreateCase / DescribeCases `caseId`): ``case-12345678910-exen-2025-c4c1d2bf33c5cf47`` in
  botocore 1.44.8's model, ``case-12345678910-2013-c4c1d2bf33c5cf47`` in older docs (no partition
  segment), ``case-12345678910-2020-<16 of 0-9 A-M a-m>`` from moto; real ones carry a 12-digit account,
  e.g. ``case-123456789012-muen-2024-1a2b3c4d5e6f7890``.
* Display id: "the ID displayed for the case in the Support Center. This is a numeric string" (model).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CASE_ID_RE = re.compile(r"case-[0-9]{11,12}(?:-[a-z0-9]{2,8})?-[0-9]{4}-[0-9A-Za-z]{16}", re.ASCII)
DISPLAY_ID_RE = re.compile(r"[0-9]{8,20}", re.ASCII)


@dataclass(frozen=True)
class CaseReference:
    case_id: str = ""
    display_id: str = ""

    def __str__(self) -> str:
        return self.case_id or self.display_id


def parse_case_reference(text: str) -> CaseReference | None:
    """The case id or display id in `text` (surrounding spaces ignored), or None if it is neither."""
    value = (text or "").strip()
    if CASE_ID_RE.fullmatch(value):
        return CaseReference(case_id=value)
    if DISPLAY_ID_RE.fullmatch(value):
        return CaseReference(display_id=value)
    return None


def invalid_case_id() -> ValidationError:
    return ValidationError(
        _(
            "This is not an AWS Support case ID: enter the case ID (like "
            "case-123456789012-muen-2024-1a2b3c4d5e6f7890) or the case number the Support Center shows."
        ),
        code="invalid_case_id",
    )
