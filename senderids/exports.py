"""The tracking page's CSV export: one row per request, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from .models import SenderIdRequest

CSV_COLUMNS = (
    "id", "sender_id", "country", "process", "status", "aws_status", "owner", "message_type",
    "created_at", "status_changed_at", "aws_error_code", "aws_error_message", "aws_sender_id_arn",
    "team", "aws_account", "aws_account_id", "aws_region",
)  # fmt: skip


def csv_safe(value: object) -> str:
    # Spreadsheet formula injection: a cell starting with = + - @ is prefixed with a quote.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """CSV text line by line (for a StreamingHttpResponse), every cell made spreadsheet-safe."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(csv_safe(v) for v in row)


def requests_csv_rows(requests: Iterable[SenderIdRequest]) -> Iterator[str]:
    return csv_lines(
        CSV_COLUMNS,
        (
            (
                r.pk,
                r.sender_id,
                r.country_id,
                r.process,
                r.status,
                r.aws_status,
                r.owner.get_username(),
                r.message_type,
                r.created_at.isoformat(),
                r.status_changed_at.isoformat(),
                r.aws_error_code,
                r.aws_error_message,
                r.aws_sender_id_arn,
                r.team.name,
                r.aws_account.name,
                r.aws_account.account_id,
                r.aws_region,
            )
            for r in requests
        ),
    )
