"""Bulk import: a CSV of (country, sender ID, message type[, Region]) → a dry-run preview → one batch.

`read_csv` turns the uploaded bytes into data rows, or refuses the whole file with a message the user can
act on (too big, too many rows, NUL bytes, not UTF-8 text, no header...). `preview_import` judges every
row the way the wizard judges one request: the country (ISO code, or its name in English or French), the
country's sender-ID rules (the rule engine's own messages), the message type, the Region (one of the
team's placements, else the routing table's pick), duplicates of the team's open requests and of another
row of the file, and the checks of `senderids.plans.row_plans`. Each row ends ``ok``, ``warn`` (it
will be requested; the warnings say why to look twice) or ``block`` (skipped), with every reason.

Nothing is saved by a preview. The rows worth requesting are signed (`sign_preview`, django.core.signing,
valid one hour) for the confirm step, which turns them into `BatchChild`ren (`children_from_token`) for
`senderids.services.batches.batch_create`: the file is never uploaded twice.

Whatever the number of rows, a preview makes a constant number of queries: the team and its
placements, the routing table, the countries, the open duplicates, the calendar rules (one per message
type) and the brand names, each once.

A formula cell (``=``, ``+``, ``-``, ``@``...) is text: nothing here evaluates it, and it is refused as a
sender ID (the preview shows it escaped, as any cell).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django_countries import countries as country_names

from countries.models import Country, ProcessChoice, fold_name, sender_id_process_for
from countries.rules import normalise_sender_id, sender_id_errors
from countries.selectors import countries_by_iso
from smsvoice.selectors import region_routes
from teams.models import Team
from teams.selectors import team_for_user

from .choices import MessageType, Status
from .plans import row_plans, team_brand_names
from .selectors import (
    Placement,
    duplicate_key,
    placement_options,
    routed_placement,
    sender_id_request_open_duplicates,
)
from .services.batches import BATCH_MAX_REQUESTS, BatchChild

MAX_FILE_BYTES = 1024 * 1024  # 1 MB
MAX_ROWS = BATCH_MAX_REQUESTS  # data rows (the header and blank lines not counted)
MAX_CELL_CHARS = 200
TOKEN_MAX_AGE = 60 * 60  # seconds: a preview is confirmed within the hour
TOKEN_SALT = "senderids.imports.preview"
REQUIRED_COLUMNS = ("country", "sender_id", "message_type")
COLUMNS = (*REQUIRED_COLUMNS, "region")
HEADER = ",".join(COLUMNS)
# What a spreadsheet would run as a formula (OWASP's list: tab and carriage return too).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
OK, WARN, BLOCK = "ok", "warn", "block"
UNKNOWN_COUNTRY = gettext_noop(
    "Unknown country “%(value)s”: write its ISO code (DE) or its name in English or French."
)
_LEVELS = (OK, "info", WARN, BLOCK)  # best to worst (the checks engine's "info" is a note)

EXAMPLE_CSV = (
    "country,sender_id,message_type,region\r\n"
    "DE,ACME,TRANSACTIONAL,\r\n"
    "France,ACMEFR,PROMOTIONAL,\r\n"
    "Inde,ACMEIN,TRANSACTIONAL,ap-south-1\r\n"
)


class CsvRefused(ValueError):
    """The whole file is refused (nothing was judged): `message` says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TokenRefused(ValueError):
    """A confirm token that is tampered with, expired, or someone else's."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Reason:
    level: str  # ok | info | warn | block
    message: str


@dataclass
class ImportRow:
    """One data row of the file and what the preview found."""

    line: int  # the line number in the file (the header is line 1)
    cells: dict[str, str]
    country: Country | None = None
    sender_id: str = ""  # as it will be requested (normalised by the country's rules)
    message_type: str = ""
    placement: Placement | None = None
    process: ProcessChoice | None = None
    reasons: list[Reason] = field(default_factory=list)

    def refuse(self, message: str) -> None:
        self.reasons.append(Reason(BLOCK, message))

    @property
    def light(self) -> str:
        levels = {r.level for r in self.reasons}
        return BLOCK if BLOCK in levels else WARN if WARN in levels else OK

    @property
    def light_label(self) -> str:
        return {OK: _("Ready"), WARN: _("Ready, with warnings"), BLOCK: _("Will be skipped")}[self.light]

    @property
    def ready(self) -> bool:
        return self.light != BLOCK

    @property
    def problems(self) -> list[Reason]:
        return [r for r in self.reasons if r.level != OK]


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    team: Team | None
    notes: list[str] = field(default_factory=list)  # what every row's checks said (once, not per row)

    @property
    def ready(self) -> list[ImportRow]:
        return [r for r in self.rows if r.ready]

    @property
    def skipped(self) -> list[ImportRow]:
        return [r for r in self.rows if not r.ready]

    @property
    def counts(self) -> dict[str, int]:
        counts = Counter(r.light for r in self.rows)
        return {level: counts.get(level, 0) for level in (OK, WARN, BLOCK)}

    @property
    def summary(self) -> str:
        ready, bad = len(self.ready), len(self.skipped)
        return (
            ngettext("%(n)d ready", "%(n)d ready", ready) % {"n": ready}
            + ", "
            + ngettext("%(n)d with problems", "%(n)d with problems", bad) % {"n": bad}
        )


# --- reading the file ------------------------------------------------------------------------------
def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise CsvRefused(
            _(
                "The file contains NUL bytes: it is not a CSV text file (a spreadsheet, or a CSV saved "
                "as UTF-16?). Save it as “CSV UTF-8” and upload it again."
            )
        )
    try:
        text = data.decode("utf-8-sig")  # with or without a BOM
    except UnicodeDecodeError:
        raise CsvRefused(
            _(
                "The file is not UTF-8 text (a binary file, or a CSV in another encoding?). "
                "Save it as “CSV UTF-8” and upload it again."
            )
        ) from None
    controls = {c for c in text if ord(c) < 32 and c not in "\t\r\n"} | ({"\x7f"} & set(text))
    if controls:
        raise CsvRefused(_("The file contains control characters: it is not a CSV text file."))
    return text


def _delimiter(first_line: str) -> str:
    # Excel writes ";" where "," is the decimal separator (French locales).
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _column(name: str) -> str:
    return "_".join(name.strip().strip('"').casefold().replace("-", " ").split())


def read_csv(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line number, {column: cell}) for each data row, blank lines left out; or CsvRefused."""
    if len(data) > MAX_FILE_BYTES:
        raise CsvRefused(
            _("The file is larger than %(size)s. Split it into several imports.") % {"size": "1 MB"}
        )
    text = _decode(data)
    if not text.strip():
        raise CsvRefused(_("The file is empty."))
    first_line = text.lstrip("\r\n").splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line), strict=True)
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = _header(cells)
                continue
            if len(rows) == MAX_ROWS:
                raise CsvRefused(
                    _("The file has more than %(max)d rows: import at most %(max)d sender IDs at a time.")
                    % {"max": MAX_ROWS}
                )
            row = {name: cells[i].strip() if i < len(cells) else "" for i, name in enumerate(header) if name}
            extra = [c for i, c in enumerate(cells) if (i >= len(header) or not header[i]) and c.strip()]
            if extra:
                row["__extra__"] = "1"
            rows.append((line, row))
    except csv.Error as error:
        raise CsvRefused(
            _("Line %(line)d cannot be read as CSV (%(error)s).") % {"line": reader.line_num, "error": error}
        ) from None
    if header is None:
        raise CsvRefused(_("The file is empty."))
    if not rows:
        raise CsvRefused(_("The file has a header but no rows."))
    return rows


def _header(cells: list[str]) -> list[str]:
    names = [_column(c) for c in cells]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    unknown = [c for c, n in zip(cells, names, strict=True) if n and n not in COLUMNS]
    doubled = sorted({n for n in names if n and names.count(n) > 1})
    if missing or unknown or doubled:
        found = ", ".join(c.strip() for c in cells if c.strip())[:MAX_CELL_CHARS]
        raise CsvRefused(
            _(
                "The first line must be the header %(header)s (the Region column is optional), in any "
                "order; found: %(found)s."
            )
            % {"header": HEADER, "found": found or "—"}
        )
    return names


# --- judging the rows ------------------------------------------------------------------------------
def _country_codes_by_name() -> dict[str, str]:
    """Folded country name (English and French, django-countries) → ISO code."""
    names: dict[str, str] = {}
    for language in ("en", "fr"):
        with translation.override(language):
            for code, name in country_names:
                names.setdefault(fold_name(str(name)).strip(), code)
    return names


def _country_code(text: str, by_name: dict[str, str]) -> str:
    if len(text) == 2 and text.isascii() and text.isalpha():
        return text.upper()
    return by_name.get(" ".join(fold_name(text).split()), "")


def _message_type(text: str) -> str:
    value = text.strip().upper()
    return value if value in MessageType.values else ""


def _is_formula(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def _judge_cells(row: ImportRow, *, by_name: dict[str, str]) -> str:
    """The row's own cells (no query): returns the ISO code asked for ("" when unknown)."""
    cells = row.cells
    too_long = [name for name, value in cells.items() if len(value) > MAX_CELL_CHARS]
    for name in too_long:
        row.refuse(
            _("The %(column)s cell is longer than %(max)d characters.")
            % {"column": name, "max": MAX_CELL_CHARS}
        )
    if cells.pop("__extra__", None):
        row.refuse(_("This line has more cells than the header."))
    row.message_type = _message_type(cells.get("message_type", ""))
    if not row.message_type:
        row.refuse(
            _("Unknown message type “%(value)s”: write TRANSACTIONAL or PROMOTIONAL.")
            % {"value": cells.get("message_type", "")}
        )
    text = cells.get("country", "")
    iso = "" if "country" in too_long else _country_code(text, by_name)
    if not text:
        row.refuse(_("Enter a country: its ISO code (DE) or its name in English or French."))
    elif not iso and "country" not in too_long:
        row.refuse(_(UNKNOWN_COUNTRY) % {"value": text})
    if "sender_id" not in too_long and _is_formula(cells.get("sender_id", "")):
        row.refuse(
            _(
                "The sender ID “%(value)s” starts like a spreadsheet formula (= + - @): it is taken as "
                "text, never evaluated, and a sender ID must start with a letter."
            )
            % {"value": cells["sender_id"][:20]}
        )
    return iso


def _judge_sender_id(row: ImportRow, seen: dict[tuple[str, str], int]) -> None:
    """The country's rules (the rule engine's messages), then the file's earlier rows."""
    country, raw = row.country, row.cells.get("sender_id", "")
    assert country is not None
    if len(raw) > MAX_CELL_CHARS:
        return  # said by _judge_cells
    rules = country.sender_id_rules or {}
    errors = sender_id_errors(raw, rules)
    for error in errors:
        row.refuse(error)
    row.sender_id = raw if errors else normalise_sender_id(raw, rules)
    if errors:
        return
    pair = duplicate_key(country.iso_code, row.sender_id, country.keeps_case)
    if pair in seen:
        row.refuse(
            _("Line %(line)d of the file already asks for %(sender_id)s in %(country)s.")
            % {"line": seen[pair], "sender_id": row.sender_id, "country": country.label}
        )
    else:
        seen[pair] = row.line


def _judge_region(row: ImportRow, options: list[Placement], routes: dict[str, list[str]]) -> None:
    assert row.country is not None
    wanted = row.cells.get("region", "").strip()
    if not options:
        row.refuse(_("No AWS account is configured for your team. Ask an administrator."))
        return
    if wanted:
        row.placement = next((p for p in options if p.region == wanted.lower()), None)
        if row.placement is None:
            regions = ", ".join(dict.fromkeys(p.region for p in options))
            row.refuse(
                _("The Region “%(region)s” is not available to your team (available: %(regions)s).")
                % {"region": wanted, "regions": regions}
            )
            return
    else:
        row.placement = routed_placement(row.country.iso_code, options, routes)
    region = row.placement.region if row.placement else None
    row.process = sender_id_process_for(row.country, message_type=row.message_type, region=region)


def preview_import(*, user: AbstractBaseUser, data: bytes, today: dt.date | None = None) -> ImportPreview:
    """Read and judge the file; nothing is saved. Raises CsvRefused for a file that cannot be judged.

    `today` pins the date of dated rules (tests)."""
    records = read_csv(data)
    team = team_for_user(user)
    options = placement_options(user=user) if team is not None else []
    routes = region_routes()
    by_name = _country_codes_by_name()
    rows = [ImportRow(line=line, cells=cells) for line, cells in records]
    wanted = {row.line: _judge_cells(row, by_name=by_name) for row in rows}
    found = countries_by_iso(sorted({iso for iso in wanted.values() if iso}))
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        iso = wanted[row.line]
        if not iso:
            continue
        row.country = found.get(iso)
        if row.country is None:
            name = str(country_names.name(iso) or "")
            row.refuse(
                _("%(country)s is not in the portal's catalogue: sender IDs cannot be requested there.")
                % {"country": name}
                if name
                else _(UNKNOWN_COUNTRY) % {"value": row.cells.get("country", "")}
            )
            continue
        if not row.country.supports_sender_id:
            row.refuse(_("Sender IDs are not supported in %(country)s.") % {"country": row.country.label})
            continue
        _judge_sender_id(row, seen)
        _judge_region(row, options, routes)
    checkable = [r for r in rows if r.country is not None and r.country.supports_sender_id and r.sender_id]
    ready = [r for r in checkable if r.ready]
    duplicates = (
        sender_id_request_open_duplicates(
            team_id=team.pk, wanted=[(r.country.iso_code, r.sender_id, r.country.keeps_case) for r in ready]
        )
        if team is not None
        else {}
    )
    for row in checkable:
        assert row.country is not None
        existing = duplicates.get(duplicate_key(row.country.iso_code, row.sender_id, row.country.keeps_case))
        if existing is not None and row.ready:
            row.refuse(
                _(
                    "Your team already requested %(sender_id)s in %(country)s (request #%(pk)s, "
                    "%(status)s). Remove this line, or release the existing one first."
                )
                % {
                    "sender_id": existing.sender_id,
                    "country": row.country.label,
                    "pk": existing.pk,
                    "status": Status(existing.status).label,
                }
            )
    _add_checks(checkable, brand_names=team_brand_names(team), today=today)
    return ImportPreview(rows=rows, team=team, notes=_common_notes(checkable))


def _common_notes(rows: list[ImportRow]) -> list[str]:
    """Notes every checked row has ("fill in your company profile"): said once, above the table."""
    if len(rows) < 2:
        return []
    notes = [r.message for r in rows[0].reasons if r.level == "info"]
    common = [n for n in notes if all(any(r.message == n for r in row.reasons) for row in rows[1:])]
    for row in rows:
        row.reasons = [r for r in row.reasons if r.message not in common]
    return common


def _add_checks(rows: list[ImportRow], *, brand_names: list[str], today: dt.date | None) -> None:
    """The checks engine's findings for every row, through senderids.plans (the calendar read once)."""
    plans = row_plans(
        [(row.country, row.sender_id, row.message_type) for row in rows],
        placement_of=lambda _country: None,  # the row's own (the Region column): see preview_import
        process_of=lambda country: ProcessChoice(country.sender_id_process),
        brand_names=brand_names,
        today=today,
    )
    for row, plan in zip(rows, plans, strict=True):
        have = {r.message for r in row.reasons}
        for check in [*plan.checks, *plan.outside]:
            level = "info" if check.outside else check.level
            if check.code == "sender_id_rule" or check.message in have:
                continue  # the rule engine's errors: already reasons (same messages)
            row.reasons.append(Reason(level, check.message))
            have.add(check.message)
        row.reasons.sort(key=lambda r: -_LEVELS.index(r.level))


# --- from the preview to the batch -------------------------------------------------------------------
def sign_preview(preview: ImportPreview, *, user: AbstractBaseUser) -> tuple[str, str]:
    """(token, nonce): the ready rows, signed for the confirm step; the nonce names this preview."""
    nonce = secrets.token_urlsafe(12)
    payload = {
        "user": user.pk,
        "team": preview.team.pk if preview.team else None,
        "nonce": nonce,
        "rows": [
            [
                r.line,
                r.country.iso_code,
                r.sender_id,
                r.message_type,
                r.placement.account.pk if r.placement else None,
                r.placement.region if r.placement else "",
            ]
            for r in preview.ready
            if r.country is not None
        ],
        "skipped": [r.line for r in preview.skipped],
    }
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True), nonce


def read_token(token: str, *, user: AbstractBaseUser) -> dict[str, Any]:
    """The signed preview, checked: not tampered with, younger than an hour, the same user's."""
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise TokenRefused(_("This preview is more than an hour old. Upload the file again.")) from None
    except signing.BadSignature:
        raise TokenRefused(
            _("This preview cannot be read (it was changed). Upload the file again.")
        ) from None
    if not isinstance(payload, dict) or payload.get("user") != user.pk or not payload.get("rows"):
        raise TokenRefused(_("This preview is not yours. Upload the file again."))
    return payload


def children_from_token(payload: dict[str, Any], *, accounts: Iterable[Any]) -> list[BatchChild]:
    """The batch's children from a signed preview (one query for the countries). `accounts`: the team's
    AWS accounts (an account no longer the team's is left to batch_create to refuse)."""
    by_pk = {a.pk: a for a in accounts}
    if any(row[4] not in by_pk for row in payload["rows"]):
        raise TokenRefused(
            _("An AWS account of this preview is no longer your team's. Upload the file again.")
        )
    found = countries_by_iso(sorted({row[1] for row in payload["rows"]}))
    children = []
    for _line, iso, sender_id, message_type, account_pk, region in payload["rows"]:
        country = found.get(iso)
        if country is None:
            raise TokenRefused(_("A country of this preview left the catalogue. Upload the file again."))
        children.append(
            BatchChild(
                country=country,
                sender_id=sender_id,
                message_type=message_type,
                aws_account=by_pk[account_pk],
                aws_region=region,
            )
        )
    return children
