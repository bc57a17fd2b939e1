"""Answering a questionnaire in a real browser: an employer starts the sample questionnaire, answers as it goes
(autosave), leaves and comes back, submits; a colleague with a stale page is told about the conflict."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from horizon.organisations.enums import MembershipRole
from horizon.questionnaires import services
from horizon.questionnaires.definition import load
from horizon.questionnaires.models import Response
from tests.browser import assert_accessible, login
from tests.factories.organisations import StructureFactory, employer

pytestmark = pytest.mark.e2e

PASSWORD = "mot-de-passe-solide-42"
SAMPLE = load(Path(__file__).resolve().parents[1] / "questionnaires" / "fixtures" / "sample.yaml")


def saved(page, name):
    expect(page.locator(f"#status-{name}")).to_contain_text("Enregistré à")


def test_employer_answers_leaves_comes_back_and_submits(page, transactional_db):
    services.publish(SAMPLE)
    structure = StructureFactory(name="Centre social Bastide", headcount_band="02")
    user = employer(structure, email="direction@bastide.fr", first_name="Alice", last_name="Durand")
    login(page, user.email, PASSWORD)

    page.goto(f"/reponses/structure/{structure.pk}/")
    assert_accessible(page)
    page.get_by_role("button", name="Commencer « Questionnaire d'exemple »").click()
    page.wait_for_url("**/reponses/*/")
    assert "Questionnaire commencé" in page.content()
    assert_accessible(page)
    response = Response.objects.get(structure=structure)
    assert response.variant == "tpe"

    page.get_by_role("link", name="Commencer à répondre").click()
    page.wait_for_url(f"**/reponses/{response.pk}/section/1/")
    assert_accessible(page)
    page.get_by_role("radio", name="Une fiche par poste").check()
    saved(page, "fiches_de_poste")
    assert_accessible(page)
    assert Response.objects.get(pk=response.pk).answers == {"fiches_de_poste": 2}

    # Leave, come back: the answer is there, and the overview knows where to pick up.
    page.get_by_role("link", name="Vue d'ensemble du questionnaire").click()
    page.wait_for_url(f"**/reponses/{response.pk}/")
    assert "1 réponse sur 3" in page.content()
    page.get_by_role("link", name="Reprendre là où vous en étiez").click()
    page.wait_for_url(f"**/reponses/{response.pk}/section/1/#q-organigramme")
    expect(page.get_by_role("radio", name="Une fiche par poste")).to_be_checked()

    group = page.get_by_role("group", name="Avez-vous un organigramme ?")
    group.get_by_role("radio", name="Non", exact=True).check()
    saved(page, "organigramme")
    page.get_by_role("group", name="Souhaitez-vous être accompagné sur ce thème ?").get_by_role(
        "radio", name="Oui", exact=True
    ).check()
    saved(page, "besoin_organisation")

    page.get_by_role("link", name="Section suivante : Formation").click()
    page.wait_for_url(f"**/reponses/{response.pk}/section/2/")
    assert_accessible(page)
    follow_up = page.get_by_role("group", name="Dans quelle mesure est-il suivi ?")
    expect(follow_up).to_be_hidden()
    page.get_by_role("group", name="Avez-vous un plan de développement des compétences ?").get_by_role(
        "radio", name="Oui", exact=True
    ).check()
    saved(page, "plan_formation")
    expect(page.locator("#status-plan_formation")).to_contain_text("Une nouvelle question est apparue")
    expect(follow_up).to_be_visible()
    follow_up.get_by_role("radio", name="4", exact=True).check()
    saved(page, "plan_formation_suivi")
    page.get_by_role("checkbox", name="AFEST").check()
    saved(page, "dispositifs")

    page.get_by_label("Salariés formés l'an dernier").fill("trois")
    expect(page.locator("#status-effectif_forme")).to_contain_text("Saisissez un nombre")
    expect(page.get_by_label("Salariés formés l'an dernier")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.get_by_label("Salariés formés l'an dernier").fill("3")
    saved(page, "effectif_forme")
    expect(page.get_by_label("Salariés formés l'an dernier")).not_to_have_attribute("aria-invalid", "true")
    page.get_by_label("Commentaire").fill("Plan revu chaque année avec le CSE.")
    saved(page, "commentaire")
    assert_accessible(page)
    assert Response.objects.get(pk=response.pk).answers == {
        "fiches_de_poste": 2,
        "organigramme": "non",
        "besoin_organisation": "yes",
        "plan_formation": "yes",
        "plan_formation_suivi": 4,
        "dispositifs": ["afest"],
        "effectif_forme": 3,
        "commentaire": "Plan revu chaque année avec le CSE.",
    }

    page.get_by_role("link", name="Terminer et envoyer").click()
    page.wait_for_url(f"**/reponses/{response.pk}/envoyer/")
    assert "Vous avez répondu à toutes les questions" in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="Confirmer l'envoi").click()
    page.wait_for_url(f"**/reponses/{response.pk}/")
    assert "Le questionnaire a été envoyé." in page.content()
    assert "Niveau" in page.locator("#resultats-titre + p + div").inner_text()
    assert_accessible(page)
    assert not Response.objects.get(pk=response.pk).is_draft

    page.goto(f"/reponses/{response.pk}/section/1/")
    assert page.get_by_role("radio").count() == 0
    assert "Une fiche par poste" in page.content()
    assert_accessible(page)


def test_a_colleague_with_a_stale_page_is_told_of_the_conflict(page, browser, live_server, transactional_db):
    version, _ = services.publish(SAMPLE)
    structure = StructureFactory(name="Centre social Bastide", headcount_band="02")
    alice = employer(structure, email="alice@bastide.fr", first_name="Alice", last_name="Durand")
    bruno = employer(structure, MembershipRole.MEMBER, email="bruno@bastide.fr", first_name="Bruno", last_name="Petit")
    response = services.start(version, structure, alice, variant="tpe")
    section = f"/reponses/{response.pk}/section/1/"

    # Bruno's browser enforces the real Content-Security-Policy: autosave needs no inline script.
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    try:
        other = context.new_page()
        other.set_default_timeout(10_000)
        login(other, bruno.email, PASSWORD)
        other.goto(section)  # Bruno's page, loaded before Alice answers

        login(page, alice.email, PASSWORD)
        page.goto(section)
        question = "Souhaitez-vous être accompagné sur ce thème ?"
        page.get_by_role("group", name=question).get_by_role("radio", name="Non", exact=True).check()
        saved(page, "besoin_organisation")

        group = other.get_by_role("group", name=question)
        group.get_by_role("radio", name="Oui", exact=True).check()
        status = other.locator("#status-besoin_organisation")
        expect(status).to_contain_text(
            "Une autre personne (Alice Durand) a répondu « Non » entre-temps. Votre réponse n'a pas été enregistrée."
        )
        expect(group.get_by_role("radio", name="Non", exact=True)).to_be_checked()
        assert_accessible(other)
        assert Response.objects.get(pk=response.pk).answers == {"besoin_organisation": "no"}

        # Another question from the same page still saves, and once warned Bruno may change the answer.
        other.get_by_role("radio", name="Aucune fiche de poste").check()
        saved(other, "fiches_de_poste")
        group.get_by_role("radio", name="Oui", exact=True).check()
        saved(other, "besoin_organisation")
        assert Response.objects.get(pk=response.pk).answers == {"besoin_organisation": "yes", "fiches_de_poste": 0}
    finally:
        context.close()
