"""Strictness once for the whole suite (unknown template variables fail, warnings are errors: see
pyproject.toml), and the browser fixtures of the end-to-end tests."""

import os

import pytest
from django.db import connections

from tests.browser import CHROMIUM, PHONE
from tests.factories.territories import CommuneFactory, DepartementFactory, EpciFactory

# Playwright's sync API runs an event loop in the test thread; the database is touched between steps only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_query_log():
    """Query-count assertions read Django's query log, a deque capped at 9,000 entries: once full it stops
    growing and every count reads 0. Each test starts with an empty log."""
    for connection in connections.all(initialized_only=True):
        connection.queries_log.clear()


@pytest.fixture(scope="session")
def browser():
    """The system Chromium (Debian package), started once for the whole run."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium est introuvable ({CHROMIUM}) : `make test` l'installe (paquets Debian chromium).")
        pytest.skip(f"Chromium est introuvable ({CHROMIUM}) : installez le paquet Debian chromium.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


def _new_page(browser, live_server, **options):
    # Reduced motion turns Bootstrap's transitions off: axe measures colours at rest, not halfway through a fade.
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        accept_downloads=True,
        bypass_csp=True,
        reduced_motion="reduce",
        **options,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.fixture
def page(browser, live_server):
    context, page = _new_page(browser, live_server)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A page on a phone-sized screen."""
    context, page = _new_page(browser, live_server, viewport=PHONE)
    yield page
    context.close()


@pytest.fixture
def bordeaux(db):
    return CommuneFactory()


@pytest.fixture
def merignac(db):
    return CommuneFactory(code="33281", name="Mérignac", latitude=44.8386, longitude=-0.6436)


@pytest.fixture
def perigueux(db):
    """Périgueux, in Dordogne and the CA Le Grand Périgueux, about 108 km from Bordeaux."""
    return CommuneFactory(
        code="24322",
        name="Périgueux",
        departement=DepartementFactory(code="24", name="Dordogne"),
        epci=EpciFactory(siren="200040392", name="CA Le Grand Périgueux", kind="CA", departement_codes="24"),
        latitude=45.1846,
        longitude=0.7214,
    )
