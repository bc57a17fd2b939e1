"""Helpers for end-to-end tests (the `browser` and `page` fixtures are in tests/conftest.py)."""

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
PHONE = {"width": 375, "height": 812}


def assert_accessible(page):
    """Fail on serious or critical axe-core violations of the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]
    details = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}\n"
        f"  {v['nodes'][0].get('failureSummary', '')}"
        for v in serious
    )
    assert not serious, f"Violations d'accessibilité sur {page.url} :\n{details}"


def login(page, email, password):
    page.goto("/compte/connexion/")
    assert_accessible(page)
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/")
