"""Fixtures of the security suite, borrowed from the suites whose pages it attacks: the registrations
suite's simulator, form definitions and requests; the senderids suite's wizard driver and release capture."""

import pytest

from tests.registrations.conftest import definitions, indonesia, make_request, sim  # noqa: F401
from tests.senderids.release_support import releases_enqueued  # noqa: F401
from tests.senderids.wizard_support import WizardDriver


@pytest.fixture
def wizard(owner_client, countries):
    return WizardDriver(owner_client)


def pytest_terminal_summary(terminalreporter):
    from tests.security.fuzz_support import FUZZ_STATS

    if FUZZ_STATS["payloads"]:
        terminalreporter.write_line(
            f"hostile payloads tried: {FUZZ_STATS['payloads']}, answered 500: {FUZZ_STATS['500s']}"
        )
