"""The registry as its users walk it: an employer edits their structure, a coordinator filters and exports."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from horizon.programmes.enums import ProgrammeRole
from tests.browser import assert_accessible, login
from tests.factories.accounts import user_with_role
from tests.factories.organisations import StructureFactory, employer
from tests.factories.referentials import ProgrammeSectorFactory
from tests.factories.territories import CommuneFactory, DepartementFactory

pytestmark = pytest.mark.e2e

PASSWORD = "mot-de-passe-solide-42"


def test_employer_edits_their_structure_and_a_bad_siret_is_refused(page, transactional_db):
    structure = StructureFactory(name="Centre social Bastide")
    user = employer(structure, email="direction@bastide.fr")
    login(page, user.email, PASSWORD)
    assert_accessible(page)

    page.get_by_role("link", name="Compléter le profil").click()
    assert_accessible(page)
    page.get_by_label("SIRET").fill("123 456 789 01234")
    page.get_by_role("button", name="Enregistrer").click()

    error = page.locator("#id_siret_error")
    assert "la clé de contrôle ne correspond pas" in error.inner_text()
    assert page.get_by_label("SIRET").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    structure.refresh_from_db()
    assert structure.siret != "12345678901234"

    page.get_by_label("SIRET").fill(structure.siret)
    page.get_by_label("Effectif (ETP)").fill("12,5")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(f"**/structures/{structure.pk}/")
    assert "Le profil de la structure a été enregistré." in page.content()
    assert_accessible(page)
    structure.refresh_from_db()
    assert str(structure.headcount_fte) == "12.50"


def test_coordinator_filters_the_list_and_exports_it(page, transactional_db):
    landes = CommuneFactory(
        code="40192", name="Mont-de-Marsan", departement=DepartementFactory(code="40", name="Landes"), epci=None
    )
    petite_enfance = ProgrammeSectorFactory(code="petite_enfance", label="Petite enfance")
    StructureFactory(name="Crèche Les Pins", commune=landes, sector=petite_enfance)
    StructureFactory(name="Centre social Bastide")
    coordinator = user_with_role(ProgrammeRole.COORDINATOR, email="coordination@exemple.fr")
    login(page, coordinator.email, PASSWORD)

    page.get_by_role("link", name="Structures", exact=True).first.click()
    assert_accessible(page)
    assert "2 structures" in page.locator("[data-result-count]").inner_text()

    page.get_by_label("Département").select_option("40")
    page.wait_for_url("**departement=40**")
    assert "1 structure" in page.locator("[data-result-count]").inner_text()
    assert "Crèche Les Pins" in page.locator("#resultats").inner_text()
    assert "Centre social Bastide" not in page.locator("#resultats").inner_text()
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter la sélection (XLSX)").click()
    rows = list(load_workbook(BytesIO(download_info.value.path().read_bytes())).active.iter_rows(values_only=True))
    assert [row[2] for row in rows[1:]] == ["Crèche Les Pins"]
