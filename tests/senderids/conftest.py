import pytest

from .wizard_support import WizardDriver, ensure_test_countries


@pytest.fixture
def countries(db):
    """Germany (supported), India (registration), Vietnam (support case), United States (not
    supported), Austria (case-sensitive), with pinned rules."""
    return ensure_test_countries()


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def wizard(owner_client, countries):
    return WizardDriver(owner_client)
