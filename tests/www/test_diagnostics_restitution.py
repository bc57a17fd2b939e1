"""The restitution of a submitted HR diagnostic: the page (TPE and PME), the change since the previous diagnostic,
who may see it, drafts and other questionnaires, a constant number of queries, the PDF, and the link from the
response's overview."""

import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape

from horizon.diagnostics import restitution
from horizon.diagnostics.enums import DIAGNOSTIC_CODE
from horizon.diagnostics.models import Need
from horizon.programmes.enums import ProgrammeRole
from horizon.questionnaires import catalogue, services
from horizon.questionnaires.definition import load
from horizon.questionnaires.models import Response
from tests.factories.accounts import UserFactory, user_with_role
from tests.factories.diagnostics import draft_diagnostic, submitted_diagnostic
from tests.factories.organisations import StructureFactory, employer
from tests.permissions import NOT_FOUND, OK, assert_status
from tests.queries import count_queries

DEFINITION = catalogue.load_definition(DIAGNOSTIC_CODE)
LABELS = {dimension["code"]: dimension["label"] for dimension in DEFINITION["dimensions"]}
SAMPLE = load(Path(__file__).resolve().parents[1] / "questionnaires" / "fixtures" / "sample.yaml")
PARIS = ZoneInfo("Europe/Paris")


def url(response, name="restitution"):
    return reverse(f"diagnostics:{name}", args=[response.pk])


def page(client, user, response):
    client.force_login(user)
    result = client.get(url(response))
    assert result.status_code == 200
    return result.content.decode()


def between(html, start, end):
    """The markup from the element with id `start` to the one with id `end`."""
    return html[html.index(f'id="{start}"') : html.index(f'id="{end}"')]


def day(value):
    return formats.date_format(timezone.localtime(value), "j F Y")


def set_submitted_at(response, *args):
    when = datetime(*args, tzinfo=PARIS)
    Response.objects.filter(pk=response.pk).update(submitted_at=when)
    response.submitted_at = when
    return response


# --- The page -------------------------------------------------------------------------------------------------


def test_page_of_a_tpe_diagnostic(client, structure, admin):
    levels = {"organisation_fiches_de_poste": 4, "competences_formation": 3, "gpec": 0, "dialogue_social": None}
    diagnostic = submitted_diagnostic(structure, admin, levels=levels, default=2, flagged=["management_fonction_rh"])
    assert diagnostic.variant == "tpe"
    html = page(client, admin, diagnostic)

    assert "<h1" in html and "Restitution du diagnostic RH" in html
    assert "Centre social Bastide" in html
    assert f"Envoyé le {day(diagnostic.submitted_at)} par Alice Durand" in html
    assert f"version {diagnostic.version.number} du questionnaire" in html
    assert "Moins de 11 salariés" in html
    for label in LABELS.values():
        assert escape(label) in html

    strengths = between(html, "points-forts", "axes-de-progres")
    assert strengths.index(escape(LABELS["organisation_fiches_de_poste"])) < strengths.index(
        escape(LABELS["competences_formation"])
    )
    assert escape(LABELS["gpec"]) not in strengths
    axes = between(html, "axes-de-progres", "besoins")
    # Lowest first (GPEC at 0, then the flagged theme at 2), the theme not rated last.
    positions = [axes.index(escape(LABELS[code])) for code in ("gpec", "management_fonction_rh", "dialogue_social")]
    assert positions == sorted(positions)
    assert escape(LABELS["organisation_fiches_de_poste"]) not in axes

    needs = between(html, "besoins", "themes")
    stored = Need.objects.filter(response=diagnostic)
    assert stored.exists()
    for need in stored:
        assert escape(need.get_theme_display()) in needs

    details = html[html.index('id="themes"') :]
    assert "Pour garder ce niveau" in details and "Prochaine étape" in details
    assert escape(restitution.UNKNOWN_MEANING) in details
    gpec = next(d for d in DEFINITION["dimensions"] if d["code"] == "gpec")
    assert escape(gpec["levels_content"][0]["next_step"]) in details
    assert escape(gpec["financing"][0]["label"]) in details and escape(gpec["resources"][0]["label"]) in details

    assert html.count('role="img"') == 2  # the chart, drawn wide and narrow (one shown at a time)
    assert "<table" in html and '<th scope="col">Besoin d\'accompagnement</th>' in html
    assert "Évolution depuis" not in html
    assert url(diagnostic, "restitution_pdf") in html
    assert reverse("diagnostics:action_plan", args=[diagnostic.pk]) in html
    assert "Construire le plan d'action" in html
    assert reverse("responses:detail", args=[diagnostic.pk]) in html


def test_page_of_a_pme_diagnostic(client, db):
    structure = StructureFactory(name="Fédération Les Ateliers", headcount_band="12")  # 20 to 49 staff
    user = employer(structure)
    diagnostic = submitted_diagnostic(structure, user, default=3)
    assert diagnostic.variant == "pme"
    html = page(client, user, diagnostic)
    assert "Fédération Les Ateliers" in html
    assert "De 11 à 249 salariés" in html
    assert "Aucun besoin d'accompagnement n'a été repéré" in html
    strengths = between(html, "points-forts", "axes-de-progres")
    assert all(escape(label) in strengths for label in LABELS.values())


def test_evolution_since_the_previous_diagnostic(client, structure, admin):
    oldest = set_submitted_at(submitted_diagnostic(structure, admin, default=1), 2023, 2, 1, 10)
    previous = set_submitted_at(
        submitted_diagnostic(
            structure, admin, levels={"gpec": 1, "dialogue_social": 3, "egalite_diversite_handicap": None}
        ),
        2024,
        3,
        12,
        10,
    )
    latest = submitted_diagnostic(
        structure, admin, levels={"gpec": 3, "dialogue_social": 1, "egalite_diversite_handicap": 2}
    )

    html = page(client, admin, latest)
    assert "Évolution depuis le diagnostic du 12 mars 2024" in html
    evolution = between(html, "evolution", "points-forts")
    assert "En progression (1)" in evolution and "En recul (1)" in evolution
    assert "Évalués pour la première fois (1)" in evolution
    assert f"Stables ({len(LABELS) - 3})" in evolution
    assert url(previous) in evolution
    assert "En progression (+2)" in html and "En recul (−2)" in html

    # The previous diagnostic's own restitution compares with the one before it.
    html = page(client, admin, previous)
    assert f"Évolution depuis le diagnostic du {day(oldest.submitted_at)}" in html
    assert url(oldest) in html
    # And the first has nothing to compare with.
    assert "Évolution depuis" not in page(client, admin, oldest)


def test_previous_diagnostic_is_the_one_submitted_just_before(structure, admin):
    first = set_submitted_at(submitted_diagnostic(structure, admin), 2023, 2, 1, 10)
    second = set_submitted_at(submitted_diagnostic(structure, admin), 2024, 3, 12, 10)
    third = set_submitted_at(submitted_diagnostic(structure, admin), 2025, 1, 6, 9)
    draft_diagnostic(structure, admin)
    other = StructureFactory()
    set_submitted_at(submitted_diagnostic(other, employer(other)), 2024, 12, 1, 10)
    assert restitution.previous_diagnostic(third).pk == second.pk
    assert restitution.previous_diagnostic(second).pk == first.pk
    assert restitution.previous_diagnostic(first) is None
    # Sent at the same instant: the one created first comes before.
    set_submitted_at(second, 2025, 1, 6, 9)
    assert restitution.previous_diagnostic(third).pk == second.pk
    assert restitution.previous_diagnostic(second).pk == first.pk


# --- Who may see it -------------------------------------------------------------------------------------------

ROLES = ["anonymous", "no_role", "admin", "member", "other_member", *ProgrammeRole.values]
EXPECTED = {
    "admin": OK,
    "member": OK,
    "coordinator": OK,
    "no_role": NOT_FOUND,
    "other_member": NOT_FOUND,
    **{role: NOT_FOUND for role in ProgrammeRole.values if role != ProgrammeRole.COORDINATOR},
}


@pytest.fixture
def people(structure, admin, member):
    return {
        "admin": admin,
        "member": member,
        "other_member": employer(StructureFactory()),
        "no_role": UserFactory(),
        **{role: user_with_role(role) for role in ProgrammeRole.values},
    }


@pytest.fixture
def diagnostic(structure, admin):
    return submitted_diagnostic(structure, admin)


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, people, diagnostic, role):
    user = None if role == "anonymous" else people[role]
    assert_status(client, user, url(diagnostic), EXPECTED.get(role), f"{role} on the restitution")


@pytest.mark.parametrize("role", ["anonymous", "admin", "coordinator", "other_member", "consultant", "funder"])
def test_pdf_permissions(client, people, diagnostic, role):
    user = None if role == "anonymous" else people[role]
    assert_status(client, user, url(diagnostic, "restitution_pdf"), EXPECTED.get(role), f"{role} on the PDF")


def test_forged_ids_find_nothing(client, diagnostic, db):
    other = StructureFactory()
    stranger = employer(other)
    their_own = submitted_diagnostic(other, stranger)
    client.force_login(stranger)
    assert client.get(url(their_own)).status_code == 200
    assert client.get(url(diagnostic)).status_code == 404
    assert client.get(url(diagnostic, "restitution_pdf")).status_code == 404
    missing = Response.objects.order_by("-pk").first().pk + 1000
    assert client.get(reverse("diagnostics:restitution", args=[missing])).status_code == 404


@pytest.mark.parametrize("name", ["restitution", "restitution_pdf"])
def test_draft_goes_back_to_the_response_with_a_message(client, structure, admin, name):
    draft = draft_diagnostic(structure, admin)
    client.force_login(admin)
    result = client.get(url(draft, name), follow=True)
    assert result.redirect_chain == [(reverse("responses:detail", args=[draft.pk]), 302)]
    assert "n&#x27;a pas encore été envoyé" in result.content.decode()
    assert "Voir la restitution" not in result.content.decode()


def test_draft_of_another_structure_is_not_found(client, structure, admin):
    draft = draft_diagnostic(structure, admin)
    client.force_login(employer(StructureFactory()))
    assert client.get(url(draft)).status_code == 404


def test_a_reopened_diagnostic_has_no_restitution_until_sent_again(client, diagnostic, admin):
    coordinator = user_with_role(ProgrammeRole.COORDINATOR)
    services.reopen(diagnostic, coordinator, "Une réponse à corriger")
    client.force_login(admin)
    assert client.get(url(diagnostic)).status_code == 302


@pytest.mark.parametrize("name", ["restitution", "restitution_pdf"])
def test_other_questionnaire_is_not_found(client, structure, admin, name):
    version = services.publish(SAMPLE)[0]
    response = services.start(version, structure, admin, variant="tpe")
    services.submit(response, admin)
    client.force_login(admin)
    assert client.get(url(response, name)).status_code == 404
    detail = client.get(reverse("responses:detail", args=[response.pk])).content.decode()
    assert "Voir la restitution" not in detail


# --- Queries ----------------------------------------------------------------------------------------------------


def test_constant_number_of_queries(client, db):
    def queries(levels, flagged, earlier):
        structure = StructureFactory()
        user = employer(structure)
        for _ in range(earlier):
            submitted_diagnostic(structure, user, default=1)
        diagnostic = submitted_diagnostic(structure, user, levels=levels, flagged=flagged)
        client.force_login(user)
        client.get(url(diagnostic))  # warm the session
        return count_queries(lambda: client.get(url(diagnostic)))

    first = queries({}, [], 0)
    second = queries({}, [], 1)
    many = queries({"gpec": 0, "dialogue_social": None}, list(LABELS), 4)
    # The previous diagnostic's results are one more query, whatever the number of diagnostics and needs.
    assert first > 0
    assert second == many == first + 1


# --- PDF ----------------------------------------------------------------------------------------------------------


def test_pdf(client, structure, admin, tmp_path):
    previous = set_submitted_at(submitted_diagnostic(structure, admin, default=1), 2024, 3, 12, 10)
    diagnostic = submitted_diagnostic(structure, admin, levels={"gpec": 4, "dialogue_social": None})
    assert previous.pk != diagnostic.pk
    client.force_login(admin)
    result = client.get(url(diagnostic, "restitution_pdf"))
    assert result.status_code == 200
    assert result["Content-Type"] == "application/pdf"
    assert result.content.startswith(b"%PDF")
    day_code = timezone.localtime(diagnostic.submitted_at).date().isoformat()
    assert result["Content-Disposition"] == f'attachment; filename="diagnostic-rh-centre-social-bastide-{day_code}.pdf"'

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (paquet Debian poppler-utils) est absent : le texte du PDF n'est pas vérifié.")
    path = tmp_path / "restitution.pdf"
    path.write_bytes(result.content)
    extracted = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    )
    text = " ".join(extracted.stdout.split())
    assert "Centre social Bastide" in text
    for label in LABELS.values():
        assert label in text, label
    assert "Évolution depuis le diagnostic du 12 mars 2024" in text
    assert "Page 1 sur" in text
    assert restitution.UNKNOWN_MEANING.split(":")[0] in text


# --- The link from the response's overview ----------------------------------------------------------------------


def test_overview_of_a_submitted_diagnostic_links_to_its_restitution(client, diagnostic, admin):
    client.force_login(admin)
    html = client.get(reverse("responses:detail", args=[diagnostic.pk])).content.decode()
    assert "Voir la restitution" in html
    assert f'href="{url(diagnostic)}"' in html


def test_overview_of_a_draft_has_no_restitution_link(client, structure, admin):
    draft = draft_diagnostic(structure, admin)
    client.force_login(admin)
    assert "Voir la restitution" not in client.get(reverse("responses:detail", args=[draft.pk])).content.decode()
