"""The diagnostics dashboard: who may see it, what a funder and a coordinator see, htmx, filters, export."""

import re
from io import BytesIO

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook

from horizon.diagnostics.aggregates import Figure, Masked
from horizon.programmes.enums import ProgrammeRole
from tests.factories.accounts import user_with_role
from tests.factories.diagnostics import submitted_diagnostic
from tests.factories.organisations import StructureFactory, employer
from tests.factories.referentials import ProgrammeSectorFactory
from tests.permissions import FORBIDDEN, OK, assert_status, people_by_role
from tests.queries import count_queries

URL = reverse("diagnostics:aggregates")
HTMX = {"HX-Request": "true"}
MASKED_REASON = "moins de 5 structures : donnée masquée"

EXPECTED = {
    "anonymous": None,  # sent to the login page
    "no_role": FORBIDDEN,
    "admin": FORBIDDEN,
    "member": FORBIDDEN,
    ProgrammeRole.COORDINATOR: OK,
    ProgrammeRole.FUNDER: OK,
    ProgrammeRole.CONSULTANT: FORBIDDEN,
    ProgrammeRole.FACILITATOR: FORBIDDEN,
    ProgrammeRole.PROVIDER: FORBIDDEN,
    ProgrammeRole.COMMITTEE_MEMBER: FORBIDDEN,
}


def test_every_role_is_in_the_matrix():
    assert set(ProgrammeRole.values) <= set(EXPECTED)


@pytest.fixture
def people(db):
    return people_by_role()


@pytest.mark.parametrize("url", [URL, f"{URL}?export=xlsx", f"{URL}?departement=33"])
@pytest.mark.parametrize("role", list(EXPECTED))
def test_permission_matrix(client, people, role, url):
    user = None if role == "anonymous" else people[role]
    assert_status(client, user, url, EXPECTED[role], f"{role} on {url}")


def test_a_forbidden_htmx_request_gets_no_figures(client, people):
    client.force_login(people[ProgrammeRole.CONSULTANT])
    response = client.get(URL, headers=HTMX)
    assert response.status_code == 403
    assert "data-totals" not in response.content.decode()


# --- What the page shows --------------------------------------------------------------------------------------


def diagnose(count, commune, sector=None, **levels):
    for _ in range(count):
        structure = StructureFactory(commune=commune, sector=sector or ProgrammeSectorFactory())
        submitted_diagnostic(structure, employer(structure), levels=levels)


def login(client, role):
    client.force_login(user_with_role(role))
    return client


def text(response):
    """The page's text, tags removed and spaces collapsed (non-breaking ones included)."""
    content = re.sub(r"<[^>]+>", " ", response.content.decode()).replace("&nbsp;", " ").replace("\xa0", " ")
    return re.sub(r"\s+", " ", content)


def test_a_funder_sees_masked_data_and_why_for_a_group_of_4(client, bordeaux):
    diagnose(4, bordeaux, gpec=0)
    response = login(client, ProgrammeRole.FUNDER).get(URL, {"departement": "33"})
    assert response.status_code == 200
    content = text(response)
    assert "donnée masquée" in content
    assert MASKED_REASON in content
    assert "Niveaux par thème" not in content  # no table of a group below k
    assert re.search(r"Structures couvertes \d", content) is None


def test_a_coordinator_sees_the_figures_of_a_group_of_4(client, bordeaux):
    diagnose(4, bordeaux, gpec=0)
    response = login(client, ProgrammeRole.COORDINATOR).get(URL, {"departement": "33"})
    content = text(response)
    assert "donnée masquée" not in content
    assert "Structures couvertes 4" in content
    gpec = re.search(
        r"Anticipation des emplois et des compétences \(GPEC\)(.*?)</table>", response.content.decode(), re.S
    )
    gpec_text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", gpec.group(1)).replace("&nbsp;", " "))
    assert "Niveau 0 4 100 %" in gpec_text
    assert "Besoin d'accompagnement 4 100 %" in gpec_text.replace("&#x27;", "'")
    assert re.search(r"GPEC 4 100 %", content)  # the needs table


def test_a_funder_sees_a_large_enough_group_but_not_its_small_needs(client, bordeaux, settings):
    settings.SMALL_GROUP_K = 3
    diagnose(1, bordeaux, gpec=0)
    diagnose(3, bordeaux)
    response = login(client, ProgrammeRole.FUNDER).get(URL)
    content = text(response)
    assert "Structures couvertes 4" in content
    assert "Niveaux par thème" in content
    assert "GPEC moins de 3 structures : donnée masquée" in content  # 1 structure needs it
    assert "AFEST 0 0 %" in content


def test_the_filters_apply_and_are_shown(client, bordeaux, perigueux):
    enfance = ProgrammeSectorFactory(code="petite_enfance", label="Petite enfance")
    diagnose(2, bordeaux)
    diagnose(3, bordeaux, sector=enfance)
    diagnose(1, perigueux, sector=enfance)
    client = login(client, ProgrammeRole.COORDINATOR)

    response = client.get(URL, {"departement": "33", "secteur": "petite_enfance"})
    assert response.context["results"].structures.count == 3
    assert [label for label, _, _ in response.context["active_filters"]] == ["Département", "Secteur"]
    content = text(response)
    assert "Département : Gironde (33)" in content and "Secteur : Petite enfance" in content

    response = client.get(URL, {"secteur": "petite_enfance"})
    assert response.context["results"].structures.count == 4
    response = client.get(URL, {"departement": "33", "epci": "243300316"})
    assert response.context["results"].structures.count == 5


def test_the_epci_list_follows_the_departement(client, bordeaux, perigueux):
    client = login(client, ProgrammeRole.FUNDER)
    options = client.get(URL, {"departement": "33"}).context["form"].fields["epci"].queryset
    assert list(options.values_list("siren", flat=True)) == ["243300316"]
    response = client.get(URL, {"departement": "33", "epci": "200040392"})  # an EPCI of another département
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert response.context["results"].structures.masked  # the rest (département 33) still applies


def test_an_invalid_filter_shows_its_error_and_the_rest_still_applies(client, bordeaux, perigueux):
    enfance = ProgrammeSectorFactory(code="petite_enfance", label="Petite enfance")
    diagnose(2, bordeaux, sector=enfance)
    diagnose(1, perigueux, sector=enfance)
    diagnose(1, perigueux)
    response = login(client, ProgrammeRole.COORDINATOR).get(URL, {"departement": "zz", "secteur": "petite_enfance"})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert "data-error-summary" in response.content.decode()
    assert response.context["results"].structures.count == 3


def test_htmx_gets_the_results_and_the_filter_fields_out_of_band(client, bordeaux):
    diagnose(1, bordeaux)
    response = login(client, ProgrammeRole.COORDINATOR).get(URL, {"departement": "33"}, headers=HTMX)
    content = response.content.decode()
    assert "<html" not in content
    assert "data-totals" in content
    assert 'id="filtres-champs" hx-swap-oob="true"' in content
    assert 'name="epci"' in content


def test_the_full_page_holds_the_form_owning_the_state(client, bordeaux):
    response = login(client, ProgrammeRole.COORDINATOR).get(URL)
    content = response.content.decode()
    assert "<html" in content
    assert 'method="get"' in content and 'hx-push-url="true"' in content and 'hx-target="#resultats"' in content
    assert 'id="filtres-champs">' in content  # not out of band on a full page
    # Each choice reloads the results; a new département leaves the previous one's EPCI out.
    departement = re.search(r'<select name="departement"[^>]*>', content).group(0)
    assert f'hx-get="{URL}"' in departement and 'hx-include="#id_secteur"' in departement
    epci = re.search(r'<select name="epci"[^>]*>', content).group(0)
    assert 'hx-include="closest form"' in epci


def test_nothing_yet(client, db):
    response = login(client, ProgrammeRole.COORDINATOR).get(URL)
    assert "Aucune structure de cette sélection n'a encore envoyé de diagnostic RH." in response.content.decode()


def test_page_query_count_does_not_grow_with_rows(client, bordeaux, perigueux):
    client = login(client, ProgrammeRole.FUNDER)
    diagnose(1, bordeaux)

    def page():
        assert client.get(URL, {"departement": "33", "secteur": "centres_sociaux"}).status_code == 200

    few = count_queries(page)
    diagnose(6, bordeaux, gpec=1)
    diagnose(2, perigueux)
    assert count_queries(page) == few


def test_figures_are_written_the_french_way(db):
    figure = render_to_string(
        "diagnostics/includes/aggregates_figure.html", {"value": Figure(1234, 9872), "percent": True}
    )
    assert "1\xa0234" in figure and "(13&nbsp;%)" in figure
    masked = render_to_string("diagnostics/includes/aggregates_figure.html", {"value": Masked(5), "percent": True})
    assert "moins de 5 structures : donnée masquée" in masked
    bar = render_to_string("diagnostics/includes/aggregates_bar.html", {"value": Figure(1, 8)})
    assert 'width="12.5"' in bar  # an SVG length, never a decimal comma
    assert render_to_string("diagnostics/includes/aggregates_bar.html", {"value": Masked(5)}).strip() == ""


# --- Export ---------------------------------------------------------------------------------------------------


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert response["Content-Disposition"].startswith('attachment; filename="diagnostics-rh-statistiques-')
    return load_workbook(BytesIO(response.content))


def test_export_for_a_coordinator(client, bordeaux):
    diagnose(2, bordeaux, gpec=0)
    book = workbook(login(client, ProgrammeRole.COORDINATOR).get(URL, {"departement": "33", "export": "xlsx"}))
    assert book.sheetnames == ["Synthèse", "Niveaux par thème", "Besoins"]
    summary = {row[0]: row[1] for row in book["Synthèse"].iter_rows(values_only=True)}
    assert summary["Département"] == "Gironde (33)"
    assert summary["Structures couvertes (dernier diagnostic de chacune)"] == 2
    levels = list(book["Niveaux par thème"].iter_rows(values_only=True))
    assert levels[0][:4] == ("Code du thème", "Thème", "Niveau 0 (structures)", "Niveau 0 (part)")
    assert levels[0][-2:] == ("Besoin d'accompagnement (structures)", "Besoin d'accompagnement (part)")
    gpec = next(row for row in levels if row[0] == "gpec")
    assert gpec[2:4] == (2, 1.0)
    needs = {row[0]: row[2:] for row in book["Besoins"].iter_rows(min_row=2, values_only=True)}
    assert needs["gpec"] == (2, 1.0)
    assert needs["afest"] == (0, 0.0)


def test_export_for_a_funder_is_masked_the_same_way(client, bordeaux):
    diagnose(4, bordeaux, gpec=0)
    book = workbook(login(client, ProgrammeRole.FUNDER).get(URL, {"export": "xlsx"}))
    summary = {row[0]: row[1] for row in book["Synthèse"].iter_rows(values_only=True)}
    assert summary["Structures couvertes (dernier diagnostic de chacune)"] == "donnée masquée"
    assert MASKED_REASON in summary["Petits groupes"]
    values = [value for row in book["Niveaux par thème"].iter_rows(min_row=2, values_only=True) for value in row[2:]]
    assert values and set(values) == {"donnée masquée"}
    needs = [value for row in book["Besoins"].iter_rows(min_row=2, values_only=True) for value in row[2:]]
    assert set(needs) == {"donnée masquée"}


# --- Links ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, shown",
    [
        (ProgrammeRole.COORDINATOR, True),
        (ProgrammeRole.FUNDER, True),
        (ProgrammeRole.CONSULTANT, False),
        (ProgrammeRole.COMMITTEE_MEMBER, False),
        (ProgrammeRole.PROVIDER, False),
        ("admin", False),
    ],
)
def test_header_and_home_link_to_the_dashboard(client, db, role, shown):
    client.force_login(employer() if role == "admin" else user_with_role(role))
    content = client.get(reverse("www:home")).content.decode()
    assert (f'href="{URL}"' in content) is shown
    assert ("Diagnostics RH : tableau de bord" in content) is shown


def test_the_header_marks_the_current_page(client, db):
    content = login(client, ProgrammeRole.FUNDER).get(URL).content.decode()
    assert f'href="{URL}" aria-current="page"' in content
