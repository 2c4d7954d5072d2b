import pytest

from .wizard_support import WizardDriver


@pytest.fixture
def wizard(owner_client, countries):
    return WizardDriver(owner_client)
