"""The register of needs page: who may see it, masking for funders and providers, the coordinator's figures, filters,
the "Proposer une session" link, the export, the home card, and the query count."""

import re
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from horizon.diagnostics.models import Need
from horizon.programmes.enums import ProgrammeRole, ProgrammeTheme
from horizon.training.enums import OfferChangeAction
from horizon.training.models import Formation
from horizon.training.needs_register import EXPORT_HEADER
from tests.factories.accounts import user_with_role
from tests.factories.diagnostics import submitted_diagnostic
from tests.factories.organisations import StructureFactory, employer
from tests.factories.training import (
    ActionFactory,
    FormationFactory,
    ProviderMembershipFactory,
    SessionFactory,
    in_days,
    load_lheo_labels,
    offer_data,
)
from tests.permissions import FORBIDDEN, OK, assert_status, people_by_role
from tests.queries import count_queries

URL = reverse("training:needs")
EXPORT = reverse("training:needs_export")
HTMX = {"HX-Request": "true"}
GPEC = ProgrammeTheme.GPEC.value
AFEST = ProgrammeTheme.AFEST.value

EXPECTED = {
    "anonymous": None,  # sent to the login page
    "no_role": FORBIDDEN,
    "admin": FORBIDDEN,
    "member": FORBIDDEN,
    "provider_member": OK,  # a provider's member without the programme role
    ProgrammeRole.COORDINATOR: OK,
    ProgrammeRole.FUNDER: OK,
    ProgrammeRole.PROVIDER: OK,
    ProgrammeRole.CONSULTANT: FORBIDDEN,
    ProgrammeRole.FACILITATOR: FORBIDDEN,
    ProgrammeRole.COMMITTEE_MEMBER: FORBIDDEN,
}


def test_every_role_is_in_the_matrix():
    assert set(ProgrammeRole.values) <= set(EXPECTED)


@pytest.fixture
def people(db):
    return people_by_role(provider_member=ProviderMembershipFactory().user)


@pytest.mark.parametrize("url", [URL, f"{URL}?departement=33", EXPORT])
@pytest.mark.parametrize("role", list(EXPECTED))
def test_permission_matrix(client, people, role, url):
    user = None if role == "anonymous" else people[role]
    assert_status(client, user, url, EXPECTED[role], f"{role} on {url}")


def test_a_forbidden_htmx_request_gets_no_rows(client, people):
    client.force_login(people[ProgrammeRole.CONSULTANT])
    response = client.get(URL, headers=HTMX)
    assert response.status_code == 403
    assert "data-needs-register" not in response.content.decode()


# --- What the page shows --------------------------------------------------------------------------------------


def needing(count, commune, *themes):
    for _ in range(count):
        structure = StructureFactory(commune=commune)
        response = submitted_diagnostic(structure, employer(structure))
        response.needs.all().delete()
        Need.objects.bulk_create([Need(response=response, structure=structure, theme=theme) for theme in themes])


def session_at(commune, *themes, title="Formation"):
    formation = FormationFactory(title=title)
    for theme in themes:
        formation.themes.create(theme=theme)
    return SessionFactory(action=ActionFactory(formation=formation, commune=commune))


def text(response):
    content = re.sub(r"<[^>]+>", " ", response.content.decode()).replace("&nbsp;", " ").replace("\xa0", " ")
    return re.sub(r"\s+", " ", content).replace("&#x27;", "'")


def row_html(response, kind, code, theme):
    match = re.search(
        rf'<tr data-need="{kind}-{code}-{theme}" data-status="(\w+)"[^>]*>(.*?)</tr>', response.content.decode(), re.S
    )
    return match and (
        match.group(1),
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(2)).replace("&nbsp;", " ")),
    )


@pytest.fixture
def gironde_needs(bordeaux):
    needing(5, bordeaux, GPEC)
    needing(2, bordeaux, AFEST)
    session_at(bordeaux, AFEST, title="AFEST pour les tuteurs")


@pytest.mark.parametrize("role", [ProgrammeRole.FUNDER, ProgrammeRole.PROVIDER])
def test_funders_and_providers_see_small_counts_masked_and_why(client, gironde_needs, role):
    client.force_login(user_with_role(role))
    response = client.get(URL)
    assert response.status_code == 200
    status, gpec = row_html(response, "departement", "33", GPEC)
    assert status == "non_couvert"
    assert " 5 " in gpec and "Non couvert" in gpec
    # 2 structures need AFEST: not listed at all, and the page says why.
    assert 'data-need="departement-33-afest' not in response.content.decode()
    assert "AFEST pour les tuteurs" not in response.content.decode()
    assert "Les besoins que moins de 5 structures d'un territoire partagent ne sont pas listés" in text(response)


def test_the_coordinator_sees_every_figure(client, gironde_needs):
    client.force_login(user_with_role(ProgrammeRole.COORDINATOR))
    response = client.get(URL)
    content = text(response)
    assert "donnée masquée" not in content
    status, afest = row_html(response, "departement", "33", AFEST)
    assert status == "sous_le_seuil"
    assert " 2 " in afest and "AFEST pour les tuteurs" in afest and "1 session" in afest
    assert "2 besoins non couverts" in content  # the département and its EPCI
    assert "Proposer une session" not in content  # coordinators do not propose sessions here


def test_uncovered_needs_come_first_and_are_highlighted(client, gironde_needs, bordeaux):
    needing(5, bordeaux, ProgrammeTheme.MANAGEMENT.value)
    session_at(bordeaux, ProgrammeTheme.MANAGEMENT.value)
    client.force_login(user_with_role(ProgrammeRole.COORDINATOR))
    html = client.get(URL).content.decode()
    statuses = re.findall(r'data-status="(\w+)"', html)
    assert statuses == sorted(statuses, key=["non_couvert", "couvert", "sous_le_seuil"].index)
    assert re.search(r'data-status="non_couvert" class="table-warning"', html)


def test_a_provider_is_offered_to_propose_a_session_next_to_an_uncovered_need(client, gironde_needs):
    user = ProviderMembershipFactory().user
    client.force_login(user)
    html = client.get(URL).content.decode()
    create = reverse("training:create")
    assert html.count(f'href="{create}?besoin={GPEC}" data-propose') == 2  # the département and its EPCI, GPEC
    _, gpec = row_html(client.get(URL), "departement", "33", GPEC)
    assert "Proposer une session" in gpec


def test_an_offer_proposed_for_an_uncovered_need_carries_its_theme_and_covers_it(client, gironde_needs, bordeaux):
    load_lheo_labels()  # the funders offered
    user = ProviderMembershipFactory().user
    client.force_login(user)
    create = f"{reverse('training:create')}?besoin={GPEC}"
    assert "répond au besoin non couvert «&nbsp;GPEC" in client.get(create).content.decode()
    # A title the rules do not read as GPEC: the need it answers tags it all the same.
    data = offer_data(bordeaux, title="Rédiger une fiche de poste", session_start_date=f"{in_days(30):%d/%m/%Y}")
    assert client.post(create, data).status_code == 302
    formation = Formation.objects.get(title="Rédiger une fiche de poste")
    assert GPEC in set(formation.themes.values_list("theme", flat=True))
    assert formation.themes_edited_by == user
    assert "besoin non couvert « GPEC »" in formation.changes.get(action=OfferChangeAction.THEMES).note
    assert row_html(client.get(URL), "departement", "33", GPEC)[0] == "couvert"


def test_an_unknown_need_in_the_link_is_ignored(client, bordeaux):
    load_lheo_labels()
    client.force_login(ProviderMembershipFactory().user)
    create = f"{reverse('training:create')}?besoin=inconnu"
    assert "data-answered-need" not in client.get(create).content.decode()
    client.post(create, offer_data(bordeaux, title="Rédiger une fiche de poste"))
    assert Formation.objects.get().themes_edited_at is None


def test_a_new_session_nearby_covers_the_need_on_the_page(client, gironde_needs, bordeaux):
    client.force_login(user_with_role(ProgrammeRole.FUNDER))
    assert row_html(client.get(URL), "departement", "33", GPEC)[0] == "non_couvert"
    session_at(bordeaux, GPEC, title="GPEC en pratique")
    status, gpec = row_html(client.get(URL), "departement", "33", GPEC)
    assert status == "couvert"
    assert "GPEC en pratique" in gpec


def test_filters_are_in_the_url_and_shown(client, gironde_needs, perigueux):
    needing(1, perigueux, GPEC)
    client.force_login(user_with_role(ProgrammeRole.COORDINATOR))
    response = client.get(URL, {"departement": "24"})
    html = response.content.decode()
    assert 'data-need="departement-24-gpec"' in html
    assert 'data-need="departement-33' not in html
    assert "Filtres actifs" in html
    response = client.get(URL, {"theme": AFEST})
    assert 'data-need="departement-33-afest"' in response.content.decode()
    assert "gpec" not in re.findall(r'data-need="([^"]+)"', response.content.decode())[0]
    response = client.get(URL, {"non_couverts": "on"})
    assert set(re.findall(r'data-status="(\w+)"', response.content.decode())) == {"non_couvert"}


def test_htmx_gets_the_results_and_the_filters_out_of_band(client, gironde_needs):
    client.force_login(user_with_role(ProgrammeRole.FUNDER))
    html = client.get(URL, {"departement": "33"}, headers=HTMX).content.decode()
    assert "<html" not in html
    assert "data-needs-register" in html
    assert 'hx-swap-oob="true"' in html


def test_export_gives_the_same_rows_masked_the_same_way(client, gironde_needs):
    client.force_login(user_with_role(ProgrammeRole.FUNDER))
    response = client.get(EXPORT, {"departement": "33"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content))["Besoins"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == EXPORT_HEADER
    by_key = {(row[1], row[3]): row for row in rows[1:]}
    assert by_key[("33", GPEC)][5] == 5 and by_key[("33", GPEC)][7] == "Non couvert"
    assert ("33", AFEST) not in by_key  # needed by 2 structures
    summary = dict(row[:2] for row in load_workbook(BytesIO(response.content))["Synthèse"].iter_rows(values_only=True))
    assert summary["Non listés"].startswith("Les besoins que moins de 5 structures")


def test_export_for_the_coordinator_shows_every_figure(client, gironde_needs):
    client.force_login(user_with_role(ProgrammeRole.COORDINATOR))
    sheet = load_workbook(BytesIO(client.get(EXPORT).content))["Besoins"]
    by_key = {(row[1], row[3]): row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert by_key[("33", AFEST)][5] == 2
    assert by_key[("33", AFEST)][9] == "AFEST pour les tuteurs"


@pytest.mark.parametrize(
    "role, shown",
    [
        (ProgrammeRole.COORDINATOR, True),
        (ProgrammeRole.FUNDER, True),
        (ProgrammeRole.PROVIDER, True),
        (ProgrammeRole.CONSULTANT, False),
        (ProgrammeRole.COMMITTEE_MEMBER, False),
    ],
)
def test_the_home_page_card(client, db, role, shown):
    client.force_login(user_with_role(role))
    html = client.get(reverse("www:home")).content.decode()
    assert (html.count(f'href="{URL}"') == 1) is shown
    assert (f'href="{URL}"' in html) is shown


def test_the_query_count_does_not_grow_with_the_rows(client, bordeaux, perigueux):
    client.force_login(user_with_role(ProgrammeRole.FUNDER))
    needing(5, bordeaux, GPEC)
    few = count_queries(lambda: client.get(URL))
    needing(5, perigueux, GPEC, AFEST)
    session_at(perigueux, AFEST)
    session_at(bordeaux, GPEC)
    many = count_queries(lambda: client.get(URL))
    assert few == many
