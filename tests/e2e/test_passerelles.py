"""From the diagnostic to a training, in a real browser: the employer of a small structure in Bordeaux reads the
formations suggested for its needs on the restitution, opens a GPEC offer near Bordeaux and asks for it; the
provider's member finds the request in their list and accepts it; the employer sees it accepted."""

import pytest
from playwright.sync_api import expect

from horizon.training.enums import RequestStatus
from horizon.training.models import RequestEvent, TrainingRequest
from tests.browser import assert_accessible, login
from tests.factories.accounts import UserFactory
from tests.factories.diagnostics import submitted_diagnostic
from tests.factories.organisations import StructureFactory, employer
from tests.factories.training import ProviderFactory, ProviderMembershipFactory, in_days, offer

pytestmark = pytest.mark.e2e

PASSWORD = "mot-de-passe-solide-42"
GPEC, MANAGEMENT = "gpec", "management"


def test_employer_asks_for_a_suggested_training_and_the_provider_accepts(
    page, browser, live_server, transactional_db, merignac
):
    structure = StructureFactory(name="Centre social Bastide", headcount_band="02", opco="Uniformation")  # Bordeaux
    alice = employer(structure, email="direction@bastide.fr", first_name="Alice", last_name="Durand")
    diagnostic = submitted_diagnostic(structure, alice, levels={"gpec": 0}, default=2)  # one need: GPEC
    assert set(diagnostic.needs.values_list("theme", flat=True)) == {GPEC}

    provider = ProviderFactory(name="Formations Atlantique", qualiopi=True)
    formation = offer(
        "Construire sa GPEC en petite structure",
        sessions=2,
        themes=[GPEC],
        provider=provider,
        action={"commune": merignac, "priced": True},
    )
    offer("Manager une équipe", themes=[MANAGEMENT], action={"commune": merignac})  # answers no need
    first_session = formation.sessions.order_by("start_date").first()
    assert first_session.start_date == in_days(60)
    bruno = ProviderMembershipFactory(
        provider=provider,
        user=UserFactory(email="bruno@formations-atlantique.fr", first_name="Bruno", last_name="Petit"),
    ).user

    # The employer reads the restitution and its suggestions.
    login(page, alice.email, PASSWORD)
    page.goto(f"/diagnostics/{diagnostic.pk}/")
    section = page.locator("#formations")
    expect(section.get_by_role("heading", name="Formations pour vos besoins")).to_be_visible()
    suggestion = section.get_by_role("link", name="Construire sa GPEC en petite structure")
    expect(suggestion).to_be_visible()
    expect(section.get_by_role("link", name="Manager une équipe")).to_have_count(0)
    expect(section).to_contain_text("Formations Atlantique")
    expect(section).to_contain_text("de votre structure")  # the distance, as a reason
    assert_accessible(page)

    # The offer page, then the request form.
    suggestion.click()
    page.wait_for_url(f"**/formations/{formation.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Construire sa GPEC en petite structure")
    assert_accessible(page)
    page.get_by_role("link", name="Demander cette formation").click()
    page.wait_for_url(f"**/offre-de-formation/demandes/nouvelle/{formation.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Demander cette formation")
    expect(page.locator("#contenu")).to_contain_text("Pour la structure Centre social Bastide")
    assert_accessible(page)
    page.get_by_label("Session").select_option(str(first_session.pk))
    page.get_by_label("Nombre de personnes à former").fill("2")
    page.get_by_label("Période souhaitée").fill("avant l'été")
    page.get_by_label("Commentaire pour l'organisme").fill("Pour la directrice et la référente RH.")
    page.get_by_role("button", name="Envoyer la demande").click()

    page.wait_for_url("**/offre-de-formation/demandes/*/")
    training_request = TrainingRequest.objects.get()
    assert page.url.endswith(f"/offre-de-formation/demandes/{training_request.pk}/")
    assert training_request.status == RequestStatus.SENT
    assert (training_request.structure, training_request.formation, training_request.session) == (
        structure,
        formation,
        first_session,
    )
    assert (training_request.people, training_request.preferred_period, training_request.comment) == (
        2,
        "avant l'été",
        "Pour la directrice et la référente RH.",
    )
    assert training_request.requested_by == alice
    expect(page.locator(".badge", has_text="Envoyée")).to_be_visible()
    expect(page.get_by_role("button", name="Accepter la demande")).to_have_count(0)
    assert_accessible(page)

    # The provider's member, in another browser, finds the request and accepts it.
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    try:
        other = context.new_page()
        other.set_default_timeout(10_000)
        login(other, bruno.email, PASSWORD)
        other.goto("/offre-de-formation/demandes/")
        row = other.get_by_role("row").filter(has_text="Centre social Bastide")
        expect(row).to_contain_text("Envoyée")
        assert_accessible(other)
        row.get_by_role("link", name="Construire sa GPEC en petite structure").click()
        other.wait_for_url(f"**/offre-de-formation/demandes/{training_request.pk}/")
        expect(other.get_by_text("avant l'été")).to_be_visible()
        assert_accessible(other)
        other.get_by_role("button", name="Accepter la demande").click()
        other.wait_for_url(f"**/offre-de-formation/demandes/{training_request.pk}/")
        expect(other.locator(".badge", has_text="Acceptée")).to_be_visible()
        expect(other.get_by_role("button", name="Confirmer l'inscription")).to_be_visible()
        assert_accessible(other)
    finally:
        context.close()

    training_request.refresh_from_db()
    assert training_request.status == RequestStatus.ACCEPTED
    event = RequestEvent.objects.filter(request=training_request).order_by("created_at", "pk").last()
    assert (event.from_status, event.to_status, event.user) == (RequestStatus.SENT, RequestStatus.ACCEPTED, bruno)

    # The employer sees it accepted, in the list and on the request.
    page.goto("/offre-de-formation/demandes/")
    expect(page.get_by_role("row").filter(has_text="Centre social Bastide")).to_contain_text("Acceptée")
    assert_accessible(page)
    page.get_by_role("link", name="Construire sa GPEC en petite structure").click()
    page.wait_for_url(f"**/offre-de-formation/demandes/{training_request.pk}/")
    expect(page.locator(".badge", has_text="Acceptée")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Envoyée → Acceptée")).to_contain_text("par Bruno Petit")
    assert_accessible(page)
