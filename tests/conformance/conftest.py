"""The conformance tests drive the registration process with the registrations suite's fixtures."""

from tests.registrations.conftest import _fast_polls, definitions, make_request, sim, sync_enqueued  # noqa: F401
