"""The account pages in a real browser (system Chromium), on a phone-sized screen, with axe-core on each."""

import pytest
from django.urls import reverse

from horizon.accounts.models import User
from horizon.organisations.enums import MembershipRole
from horizon.organisations.models import Membership
from horizon.organisations.services import create_invitation
from tests.browser import assert_accessible
from tests.factories.organisations import StructureFactory, employer

pytestmark = pytest.mark.e2e

PASSWORD = "Une-phrase-de-passe-2024"


@pytest.fixture
def page(phone_page):
    """Every account page is walked on a phone-sized screen."""
    return phone_page


def fill_signup(page, with_email=True):
    if with_email:
        page.get_by_label("Adresse e-mail").fill("dominique.durand@exemple.fr")
    page.locator("#id_first_name").fill("Dominique")
    page.locator("#id_last_name").fill("Durand")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)


def test_signup_profile_and_password_reset_on_a_phone(page, transactional_db):
    page.goto("/compte/connexion/")
    page.get_by_role("link", name="Créer un compte").click()
    assert_accessible(page)

    fill_signup(page)
    page.get_by_role("button", name="Créer mon compte").click()
    # Consent missing: the error is next to the checkbox and the page stays accessible.
    assert "Vous devez accepter les conditions générales" in page.locator("#id_consent_error").inner_text()
    assert_accessible(page)

    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_label("J'ai lu et j'accepte").check()
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url(f"**{reverse('structures:find')}")
    assert User.objects.filter(email="dominique.durand@exemple.fr").exists()

    page.goto("/compte/profil/")
    assert_accessible(page)
    page.get_by_label("Fonction").fill("Directrice")
    page.get_by_role("button", name="Enregistrer").click()
    assert "Votre profil a été mis à jour." in page.content()
    assert User.objects.get(email="dominique.durand@exemple.fr").job_title == "Directrice"

    page.get_by_role("link", name="Modifier mon mot de passe").click()
    assert_accessible(page)

    with page.expect_download() as download:
        page.goto("/compte/profil/")
        page.get_by_role("link", name="Télécharger mes données").click()
    assert download.value.suggested_filename.endswith(".json")

    page.context.clear_cookies()
    page.goto("/compte/mot-de-passe/oublie/")
    assert_accessible(page)
    page.get_by_label("Adresse e-mail").fill("dominique.durand@exemple.fr")
    page.get_by_role("button", name="Recevoir le lien").click()
    page.wait_for_url("**/mot-de-passe/oublie/envoye/")
    assert_accessible(page)


def test_invitation_sign_up_in_the_browser(page, transactional_db):
    structure = StructureFactory(name="Crèche Les Petits Pas")
    invitation = create_invitation(
        structure, "alex.petit@exemple.fr", MembershipRole.MEMBER, by=employer(structure, first_name="Claude")
    )
    page.goto(f"/compte/invitation/{invitation.token}/")
    assert_accessible(page)
    assert page.get_by_label("Adresse e-mail").is_disabled()
    fill_signup(page, with_email=False)
    page.get_by_label("J'ai lu et j'accepte").check()
    page.get_by_role("button", name="Créer mon compte et rejoindre la structure").click()
    page.wait_for_url(f"**{reverse('structures:detail', args=[structure.pk])}")
    assert Membership.objects.filter(user__email="alex.petit@exemple.fr", structure=structure).exists()

    page.goto(f"/compte/invitation/{invitation.token}/")
    assert "Invitation déjà utilisée" in page.content()
    assert_accessible(page)
