import pytest

from .wizard_support import WizardDriver, ensure_test_countries


@pytest.fixture
def fast_password_hasher(settings):
    """PBKDF2 costs ~0.3 s per persona; tests that are not about passwords use this instead
    (`pytestmark = pytest.mark.usefixtures("fast_password_hasher")`)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
