import pytest

from .factories import demo_referentials, small_territory


@pytest.fixture
def reference_data(db):
    small_territory()
    demo_referentials()


@pytest.fixture
def demo_on(settings):
    settings.DEMO_ACCOUNTS = True
    return settings
