"""What the hostile-input suite (test_fuzz.py) sends and what it checks after every answer.

FUZZ_STATS counts every payload sent and every 500 seen; tests/security/conftest.py prints them at the
end of the run (the README's reliability table reads the same numbers).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from senderids.models import SenderIdRequest

FUZZ_STATS: Counter[str] = Counter()

# Fixed, fast and reproducible: the same payloads on every run (CI time matters; see README "Security").
FUZZ_SETTINGS = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(1)>",
    "javascript:alert(1)",
    "</textarea><script>alert(1)</script>",
]
# Markup that must never come back unescaped in an HTML page.
RAW_MARKERS = ("<script>alert(1)", "<img src=x onerror", "<svg/onload", 'href="javascript:')
CURATED = [
    *XSS,
    "\x00",
    "a\x00b",
    "%00",
    "\x01\x02\x1b[31m",
    "\r\n\r\nSet-Cookie: x=1",
    "' OR 1=1 --",
    "1; DROP TABLE senderids_senderidrequest; --",
    '" OR ""="',
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "ΑСМЕ",  # Greek Alpha, Cyrillic Es, Greek Mu, Greek Epsilon: looks like ACME
    "АСМЕ",  # Cyrillic
    "ＡＣＭＥ",  # fullwidth
    "AC\u200bME",  # zero-width space
    "\u202eEMCA",  # right-to-left override
    "😀" * 50,
    "A" * 5000,
    "{{ 7*7 }}{% debug %}",
    "${7*7}",
    "../../../../etc/passwd",
    "null",
    "None",
    "[]",
    "{}",
    '{"a": 1}',
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "true",
    "",
    " ",
    "2026-02-30",
    "DE",
    "release",
    "SMS",
]

CONTROL = st.sampled_from(["\x00", "a\x00b", "\x01", "\x1b[31m", "x\x1f", "\x0b\x0c"])
# Weighted towards what breaks things; the generated text adds what nobody thought of.
text = st.one_of(
    st.sampled_from(CURATED),
    st.sampled_from(CURATED),
    CONTROL,
    st.text(max_size=40),  # any code point: control characters, surrogates' neighbours, combining marks
    st.integers().map(str),
)
# A field's value: one string, or the key repeated (`k=a&k=b`).
value = st.one_of(text, text, text, st.lists(text, min_size=2, max_size=3))


def form(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Mostly one of `fields` with a hostile value (so no other field's error hides it), else a few,
    sometimes with a name no form has."""
    names = st.sampled_from(fields) if fields else st.just("x")
    one = st.tuples(names, value).map(lambda pair: dict([pair]))
    some = st.dictionaries(st.one_of(names, names, names, text), value, min_size=1, max_size=4)
    return st.one_of(one, one, some)


def examples_for(fields: list[str]) -> int:
    """Enough payloads that every field is drawn a few times."""
    return min(40, 8 + 2 * len(fields))


def check_answer(response: Any, what: str) -> None:
    """Never a 500, never hostile markup echoed unescaped, never a formula in the CSV export."""
    FUZZ_STATS["payloads"] += 1
    if response.status_code >= 500 and response.status_code != 503:
        FUZZ_STATS["500s"] += 1
        raise AssertionError(f"{what} answered {response.status_code}")
    content_type = response.get("Content-Type", "")
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content).decode(errors="replace")
    else:
        body = response.content.decode(errors="replace")
    if content_type.startswith("text/html"):
        for marker in RAW_MARKERS:
            assert marker not in body, f"{what}: {marker!r} came back unescaped"
    if content_type.startswith("text/csv"):
        for row in csv.reader(io.StringIO(body)):
            assert not any(cell[:1] in ("=", "+", "-", "@") for cell in row), f"{what}: formula in {row}"


SENDER_ID = re.compile(r"[A-Z][A-Z0-9-]{0,10}")


def check_no_partial_request(after_pk: int) -> None:
    """Every request made by the payloads is whole: a valid sender ID, an owner, a country, its timeline."""
    for request in SenderIdRequest.objects.filter(pk__gt=after_pk).prefetch_related("events"):
        assert SENDER_ID.fullmatch(request.sender_id), request.sender_id
        assert request.owner_id and request.country_id
        assert request.events.exists(), f"request {request.pk} has no timeline"
