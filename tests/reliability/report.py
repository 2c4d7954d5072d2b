"""The reliability table: a pytest plugin (registered in tests/conftest.py) that collects what the fault
and hostile-input tests measured and prints it at the end of the run, in the normal output of
`make test`, and writes it to test-results/reliability.md (the README's "Reliability" table is a copy).

Tests record through the session fixture `reliability_report`:

* `reliability_report.fault(name)` when a fault is injected, then `.recovered(...)` on that row once every
  request in flight is finished, with what was measured (a test that fails in between leaves the row
  injected but not recovered, which the table shows);
* `reliability_report.payloads(tried=…, answered_500=…)` from tests/security/test_fuzz.py.

Only what ran is printed: no row for a fault whose test did not run, no payload line without payloads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPORT_PATH = Path(__file__).resolve().parents[2] / "test-results" / "reliability.md"


@dataclass
class FaultRow:
    """One kind of fault: how often it was injected and recovered from, and the worst of the runs."""

    name: str
    injected: int = 0
    recovered_runs: int = 0
    max_seconds: float | None = None
    requests: int = 0
    lost: int = 0
    duplicates: int = 0
    page_loads: int = 0
    page_500s: int = 0

    def recovered(
        self,
        *,
        seconds: float,
        requests: int,
        lost: int,
        duplicates: int,
        page_loads: int = 0,
        page_500s: int = 0,
    ) -> None:
        """The run's figures: seconds from the fault's end to the last request finished, how many
        requests were in flight, how many never reached their final status, duplicate AWS writes, and
        the pages the test loaded during the fault and how many of them crashed (500, or no answer; a
        503 "temporarily unavailable" while the database is down is the designed answer)."""
        if lost == 0:
            self.recovered_runs += 1
        self.max_seconds = seconds if self.max_seconds is None else max(self.max_seconds, seconds)
        self.requests += requests
        self.lost += lost
        self.duplicates += duplicates
        self.page_loads += page_loads
        self.page_500s += page_500s


@dataclass
class ReliabilityReport:
    faults: dict[str, FaultRow] = field(default_factory=dict)
    payloads_tried: int = 0
    payloads_500: int = 0

    def fault(self, name: str) -> FaultRow:
        """The row of `name`, counting one more injection: call it as the fault starts."""
        row = self.faults.setdefault(name, FaultRow(name))
        row.injected += 1
        return row

    def payloads(self, *, tried: int, answered_500: int) -> None:
        self.payloads_tried += tried
        self.payloads_500 += answered_500

    # --- the table --------------------------------------------------------------------------------
    def lines(self) -> list[str]:
        out: list[str] = []
        if self.faults:
            out += [
                "| fault | injected | recovered | max seconds to recover | requests in flight | lost "
                "| duplicate AWS calls | pages loaded during it (500s) |",
                "|---|---:|---:|---:|---:|---:|---:|---:|",
            ]
            for row in self.faults.values():
                out.append(_fault_line(row))
            if len(self.faults) > 1:
                out.append(_fault_line(_total(self.faults.values()), bold=True))
        if self.payloads_tried:
            if out:
                out.append("")
            out += [
                "| hostile payloads tried | answered 500 |",
                "|---:|---:|",
                f"| {self.payloads_tried} | {self.payloads_500} |",
            ]
        return out


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _fault_line(row: FaultRow, *, bold: bool = False) -> str:
    pages = f"{row.page_loads} ({row.page_500s})" if row.page_loads else "—"
    cells = [
        row.name,
        str(row.injected),
        str(row.recovered_runs),
        _seconds(row.max_seconds),
        str(row.requests),
        str(row.lost),
        str(row.duplicates),
        pages,
    ]
    if bold:
        cells = [f"**{cell}**" for cell in cells]
    return "| " + " | ".join(cells) + " |"


def _total(rows: Iterable[FaultRow]) -> FaultRow:
    total = FaultRow("all faults")
    for row in rows:
        total.injected += row.injected
        total.recovered_runs += row.recovered_runs
        if row.max_seconds is not None:
            total.max_seconds = max(total.max_seconds or 0.0, row.max_seconds)
        total.requests += row.requests
        total.lost += row.lost
        total.duplicates += row.duplicates
        total.page_loads += row.page_loads
        total.page_500s += row.page_500s
    return total


# --- the plugin -------------------------------------------------------------------------------------
_report_key = pytest.StashKey[ReliabilityReport]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_report_key] = ReliabilityReport()


@pytest.fixture(scope="session")
def reliability_report(pytestconfig: pytest.Config) -> ReliabilityReport:
    return pytestconfig.stash[_report_key]


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # type: ignore[no-untyped-def]
    report = config.stash.get(_report_key, None)
    lines = report.lines() if report else []
    if not lines:
        return
    terminalreporter.write_sep("=", "reliability (test-results/reliability.md)")
    for line in lines:
        terminalreporter.write_line(line)
    REPORT_PATH.parent.mkdir(parents=True, exist_ok=True)
    REPORT_PATH.write_text("\n".join(lines) + "\n", encoding="utf-8")
