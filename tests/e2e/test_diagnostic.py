"""The HR diagnostic in a real browser, as the director of a 7-person association takes it: every question of the
TPE variant answered (autosaved), a break halfway and a resume, submission, the restitution and its PDF, then the
action plan built from it, one action moved on and the plan agreed."""

import re
import shutil
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from horizon.diagnostics.models import ActionPlan, Need
from horizon.questionnaires.models import Response
from tests.browser import assert_accessible, login
from tests.factories.diagnostics import diagnostic_version
from tests.factories.organisations import StructureFactory, employer

pytestmark = pytest.mark.e2e

PASSWORD = "mot-de-passe-solide-42"
# The rung chosen on every ladder of a section (by section number), and the themes where support is asked.
RUNG = {1: 1, 2: 0, 3: 2, 4: 1, 5: 0, 6: 3, 7: 2, 8: 3, 9: 1, 10: 4, 11: 4}
ASK_FOR_SUPPORT = {1}


def answer_visible_questions(page, section):
    """Answer every shown, still unanswered question of the section page; answers may reveal new ones."""
    answered = set()
    while True:
        slots = [
            slot
            for slot in page.locator(".question-slot:not([hidden]) .question").all()
            if slot.locator("[id^=status-]").first.get_attribute("id") not in answered
        ]
        if not slots:
            return len(answered)
        for slot in slots:
            status = slot.locator(".question-status")
            name = status.get_attribute("id").removeprefix("status-")
            radios = slot.locator("input[type=radio]")
            if name.startswith("besoin_"):
                choice = "yes" if section in ASK_FOR_SUPPORT else "no"
                slot.locator(f"input[type=radio][value={choice}]").check()
            elif slot.locator("input[type=checkbox]").count():
                slot.locator("input[type=checkbox]").first.check()
            elif radios.count():
                regular = slot.locator("input[type=radio]:not([value=na]):not([value=unknown])")
                regular.nth(min(RUNG[section], regular.count() - 1)).check()
            elif slot.locator("input[inputmode=decimal]").count():
                slot.locator("input[inputmode=decimal]").fill("3")
                slot.locator("input[inputmode=decimal]").blur()
            else:
                slot.locator("textarea, input[type=text]").first.fill("Rien à ajouter.")
                slot.locator("textarea, input[type=text]").first.blur()
            expect(status).to_contain_text("Enregistré à")
            answered.add(f"status-{name}")


def test_a_small_association_takes_the_diagnostic_and_builds_its_action_plan(page, transactional_db, tmp_path):
    diagnostic_version()
    structure = StructureFactory(name="Association Les Petits Pas", headcount_band="02")
    user = employer(structure, email="direction@petitspas.fr", first_name="Claire", last_name="Martin")
    login(page, user.email, PASSWORD)

    page.goto(f"/reponses/structure/{structure.pk}/")
    page.get_by_role("button", name="Commencer « Diagnostic RH »").click()
    page.wait_for_url("**/reponses/*/")
    response = Response.objects.get(structure=structure)
    assert response.variant == "tpe"
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Commencer à répondre")).click()

    section = 1
    while True:
        page.wait_for_url(f"**/reponses/{response.pk}/section/{section}/**")
        if section in (1, 6):
            assert_accessible(page)
        assert answer_visible_questions(page, section) >= 4
        if section == 5:
            # A break halfway: the overview knows what is done and where to pick up.
            page.goto(f"/reponses/{response.pk}/")
            expect(page.get_by_role("link", name=re.compile("^Reprendre là où vous en étiez"))).to_be_visible()
            page.get_by_role("link", name=re.compile("^Reprendre là où vous en étiez")).click()
            section += 1
            continue
        following = page.get_by_role("link", name=re.compile("^Section suivante"))
        if not following.count():
            break
        following.click()
        section += 1
    assert section == 11
    answers = Response.objects.get(pk=response.pk).answers
    assert answers["besoin_organisation_fiches_de_poste"] == "yes"

    page.get_by_role("link", name="Terminer et envoyer").click()
    expect(page.get_by_text("Vous avez répondu à toutes les questions")).to_be_visible()
    page.get_by_role("button", name="Confirmer l'envoi").click()
    page.get_by_role("link", name="Voir la restitution").first.click()
    page.wait_for_url(f"**/diagnostics/{response.pk}/")
    assert_accessible(page)
    expect(page.get_by_role("heading", name="Points forts")).to_be_visible()
    expect(page.get_by_role("heading", name="Axes de progrès")).to_be_visible()
    expect(page.get_by_role("img").first).to_be_visible()  # the maturity chart
    assert Need.objects.filter(response=response, theme="fiche_de_poste").exists()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le PDF").first.click()
    pdf = tmp_path / "restitution.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "Association Les Petits Pas" in text and "Dialogue social" in text

    page.get_by_role("link", name="Construire le plan d'action").first.click()
    page.wait_for_url(f"**/diagnostics/{response.pk}/plan-d-action/")
    assert_accessible(page)
    page.get_by_role("button", name="Construire le plan d'action").click()
    plan = ActionPlan.objects.get(response=response)
    first = plan.actions.order_by("position").first()
    expect(page.locator(f"#action-{first.pk}")).to_be_visible()
    page.locator(f"#status-{first.pk}").select_option("in_progress")
    with page.expect_response(lambda answer: answer.url.endswith(f"/actions/{first.pk}/etat/")):
        page.locator(f"#status-submit-{first.pk}").click()
    expect(page.locator(f"#action-{first.pk} .badge").first).to_contain_text("En cours")
    first.refresh_from_db()
    assert first.status == "in_progress"
    assert_accessible(page)

    page.goto(f"/diagnostics/plans/{plan.pk}/validation/")
    page.get_by_label(re.compile("direction", re.I)).first.fill("Claire Martin")
    page.get_by_label(re.compile("salarié", re.I)).first.fill("Yanis Benali")
    page.get_by_label(re.compile("date", re.I)).first.fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Enregistrer la validation").click()
    page.wait_for_url(f"**/diagnostics/{response.pk}/plan-d-action/**")
    plan.refresh_from_db()
    assert plan.is_agreed and plan.staff_representative_name == "Yanis Benali"
    expect(page.get_by_text(re.compile("Validé le"))).to_be_visible()

    page.goto(f"/structures/{structure.pk}/")
    expect(page.get_by_text(re.compile("plan d'action", re.I)).first).to_be_visible()
    assert_accessible(page)
