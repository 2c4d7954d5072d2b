"""Fixtures of the security suite: the registrations suite's simulator, form definitions and requests, for
the pages whose inline scripts and forms the security tests need."""

from tests.registrations.conftest import definitions, indonesia, make_request, sim  # noqa: F401
