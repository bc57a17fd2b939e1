"""The demo's register of needs shows its three states: besoins non couverts (the Creuse campaign, where the offer has
no GPEC nor career-path session within 30 km), needs the offer covers, needs below the threshold; to the demo
coordinator with every figure, to the demo training provider as aggregates.

The whole demo at its default size on the real communes of Nouvelle-Aquitaine (where the offer's sessions are):
one load for all the assertions, the folder's slowest test (about 10 s).
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from horizon.accounts.models import User
from horizon.training.needs_register import (
    BELOW_THRESHOLD,
    COVERED,
    DEPARTEMENT,
    UNCOVERED,
    needs_register,
)

from .factories import demo_referentials, nouvelle_aquitaine

CREUSE_UNCOVERED = {"departement-23-gpec", "departement-23-parcours_professionnels"}


@pytest.fixture
def full_demo(db, tmp_path, demo_on):
    nouvelle_aquitaine(tmp_path)
    demo_referentials()
    call_command("load_demo", stdout=StringIO())


def rows_by_status(html):
    """{status: {"kind-code-theme"}} of the page's rows, and {"kind-code-theme": row text}."""
    found = re.findall(r'<tr data-need="([^"]+)" data-status="(\w+)"[^>]*>(.*?)</tr>', html, re.S)
    statuses = {}
    for need, status, _ in found:
        statuses.setdefault(status, set()).add(need)
    texts = {need: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cells)) for need, _, cells in found}
    return statuses, texts


def test_the_demo_register_has_uncovered_covered_and_below_threshold_needs(full_demo, client):
    register = needs_register(entitled=True)
    rows = {status: [row for row in register.rows if row.status == status] for status in (UNCOVERED, COVERED)}
    uncovered = {(row.kind, row.code, row.theme): row for row in rows[UNCOVERED]}
    assert {(DEPARTEMENT, "23", "gpec"), (DEPARTEMENT, "23", "parcours_professionnels")} <= set(uncovered)
    for row in uncovered.values():
        assert row.structures.count >= register.threshold and 2 * row.reached.count < row.structures.count
    assert uncovered[(DEPARTEMENT, "23", "gpec")].reached.count == 0  # no GPEC session within 30 km of Creuse
    assert any(row.code == "23" for row in rows[COVERED])  # Creuse has nearby offers on other themes
    assert len([row for row in rows[COVERED] if row.code == "33"]) >= 3
    assert sum(row.status == BELOW_THRESHOLD for row in register.rows) >= 10

    client.force_login(User.objects.get(email="coordinateur@demo.horizon.test"))
    html = client.get(reverse("training:needs")).content.decode()
    statuses, texts = rows_by_status(html)
    assert statuses[UNCOVERED] >= CREUSE_UNCOVERED
    assert statuses[COVERED] and statuses[BELOW_THRESHOLD]  # the first page already shows the three states
    assert "Aucune session" in texts["departement-23-gpec"] and "data-masked" not in html

    # The demo provider sees aggregates: the Creuse figures (5 structures diagnosed, the threshold), never a count
    # of fewer than 5 structures, and is offered to propose a session where a need is not covered.
    client.force_login(User.objects.get(email="formation@demo.horizon.test"))
    html = client.get(reverse("training:needs")).content.decode()
    statuses, texts = rows_by_status(html)
    assert statuses[UNCOVERED] >= CREUSE_UNCOVERED and statuses[COVERED]
    assert re.search(r"\b5\b", texts["departement-23-gpec"]) and "donnée masquée" not in texts["departement-23-gpec"]
    assert "Proposer une session" in texts["departement-23-gpec"]
    assert "data-masked" in html  # territories with fewer than 5 diagnosed structures
