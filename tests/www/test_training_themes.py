"""The coordinators' page that chooses an offer's programme themes: who may open it and post to it, what it shows,
saving a choice (rows, "chosen by", history), French errors, and going back to the derived themes."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from horizon.programmes.enums import ProgrammeRole
from horizon.programmes.enums import ProgrammeTheme as T
from horizon.training.enums import OfferChangeAction, ThemeOrigin
from horizon.training.models import FormationTheme, OfferChange
from horizon.training.themes import RESET_NOTE, refresh_derived_themes
from tests.factories.accounts import UserFactory, user_with_role
from tests.factories.organisations import employer
from tests.factories.training import FormationFactory, ProviderMembershipFactory
from tests.permissions import FORBIDDEN, NOT_FOUND, OK, assert_status


@pytest.fixture
def offer(db):
    return FormationFactory(
        title="Manager une équipe au quotidien",
        objective="Prévenir les risques psychosociaux de son équipe.",
        formacodes=["32032"],
        themes=[T.MANAGEMENT],
        indexed=False,
    )


def url(formation):
    return reverse("training:themes", args=[formation.pk])


def offer_url(formation):
    return reverse("catalogue:offer", args=[formation.pk])


def last_message(response):
    """The message the offer's page will show (the redirect is not followed: earlier ones are still queued)."""
    return str(list(get_messages(response.wsgi_request))[-1])


def themes_of(formation):
    return {(row.theme, row.origin) for row in FormationTheme.objects.filter(formation=formation)}


# --- Permission matrix ---------------------------------------------------------------------------------------

OTHER_ROLES = [role for role in ProgrammeRole.values if role != ProgrammeRole.COORDINATOR]
EXPECTED = {
    "coordinator": OK,
    "no_role": FORBIDDEN,
    "employer_admin": FORBIDDEN,
    "provider_member": FORBIDDEN,  # even of the offer's own provider
    **dict.fromkeys(OTHER_ROLES, FORBIDDEN),
}
ROLES = ["anonymous", *EXPECTED]


def person(role, offer, structure, coordinator):
    if role == "anonymous":
        return None
    if role == "coordinator":
        return coordinator
    if role == "no_role":
        return UserFactory()
    if role == "employer_admin":
        return employer(structure)
    if role == "provider_member":
        return ProviderMembershipFactory(provider=offer.provider).user
    return user_with_role(role)


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_of_the_page(client, offer, structure, coordinator, role):
    user = person(role, offer, structure, coordinator)
    assert_status(client, user, url(offer), EXPECTED.get(role), role)


@pytest.mark.parametrize("role", [role for role in ROLES if role != "coordinator"])
def test_nobody_but_coordinators_can_post(client, offer, structure, coordinator, role):
    user = person(role, offer, structure, coordinator)
    if user is not None:
        client.force_login(user)
    for data in ({"themes": [T.GPEC]}, {"reset": "1"}):
        response = client.post(url(offer), data)
        assert response.status_code == (302 if user is None else FORBIDDEN)
        if user is None:
            assert response["Location"].startswith(reverse("accounts:login"))
    assert themes_of(offer) == {(T.MANAGEMENT, ThemeOrigin.DERIVED)}
    assert not OfferChange.objects.filter(formation=offer).exists()


def test_an_unknown_offer_is_not_found(client, coordinator, offer):
    assert_status(client, coordinator, reverse("training:themes", args=[offer.pk + 1000]), NOT_FOUND)
    assert client.post(reverse("training:themes", args=[offer.pk + 1000]), {"themes": [T.GPEC]}).status_code == 404


def test_other_methods_are_refused(client, coordinator, offer):
    client.force_login(coordinator)
    assert client.put(url(offer)).status_code == 405


# --- What the page shows -------------------------------------------------------------------------------------


def test_the_page_shows_the_current_and_suggested_themes(client, coordinator, offer):
    client.force_login(coordinator)
    response = client.get(url(offer))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Manager une équipe au quotidien" in page
    assert offer.provider.name in page
    # Current: the derived row, with its origin.
    assert "Déduits automatiquement" in page
    assert "déduit des codes et du texte" in page
    # Suggested by the rules: management (code 32032 and words) and QVCT (« risques psychosociaux »).
    suggested = page.split('id="suggested-title"')[1].split("</section>")[0]
    assert "<li>Management</li>" in suggested and "<li>QVCT et télétravail</li>" in suggested
    assert "32032" in suggested
    # One checkbox per theme, in a fieldset with its legend; the current theme is ticked.
    assert page.count('type="checkbox" name="themes"') == len(T)
    assert "<legend>Thèmes auxquels l'offre répond</legend>" in page
    assert 'value="management" class="form-check-input" id="id_themes_7" checked' in page
    assert page.count(">suggéré</span>") == 2
    # No reset button while the themes follow the rules.
    assert "Revenir aux thèmes déduits automatiquement" not in page


def test_a_chosen_offer_shows_who_chose_and_the_reset_button(client, coordinator, offer):
    client.force_login(coordinator)
    client.post(url(offer), {"themes": [T.GPEC]})
    page = client.get(url(offer)).content.decode()
    assert "Choisis par la coordination" in page
    assert str(coordinator) in page
    assert "choisi par la coordination" in page  # the row's origin
    assert "Revenir aux thèmes déduits automatiquement" in page


# --- Saving --------------------------------------------------------------------------------------------------


def test_post_saves_the_chosen_themes_with_their_history(client, coordinator, offer):
    client.force_login(coordinator)
    response = client.post(url(offer), {"themes": [T.GPEC, T.FICHE_DE_POSTE], "note": "  Retenue pour  le GPEC "})
    assert response.status_code == 302
    assert response["Location"] == offer_url(offer)
    assert themes_of(offer) == {(T.GPEC, ThemeOrigin.MANUAL), (T.FICHE_DE_POSTE, ThemeOrigin.MANUAL)}
    offer.refresh_from_db()
    assert offer.themes_edited_by == coordinator
    assert offer.themes_edited_at is not None
    change = OfferChange.objects.get(formation=offer)
    assert change.action == OfferChangeAction.THEMES
    assert change.user == coordinator
    assert change.changes == {"themes": ["Management", "Fiche de poste, GPEC"]}
    assert change.note == "Retenue pour le GPEC"
    assert last_message(response) == "Thèmes de l'offre enregistrés : Fiche de poste, GPEC."


def test_posting_the_same_choice_again_records_nothing(client, coordinator, offer):
    client.force_login(coordinator)
    client.post(url(offer), {"themes": [T.GPEC]})
    response = client.post(url(offer), {"themes": [T.GPEC]})
    assert response.status_code == 302
    assert OfferChange.objects.filter(formation=offer).count() == 1
    assert last_message(response) == "Aucune modification : l'offre porte déjà ces thèmes."


def test_no_theme_at_all_is_a_valid_choice(client, coordinator, offer):
    client.force_login(coordinator)
    assert client.post(url(offer), {"note": "Hors programme"}).status_code == 302
    assert themes_of(offer) == set()
    assert OfferChange.objects.get(formation=offer).changes == {"themes": ["Management", "aucun"]}


def test_an_unknown_theme_is_refused_in_french(client, coordinator, offer):
    client.force_login(coordinator)
    response = client.post(url(offer), {"themes": ["numerique"]})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Le formulaire contient des erreurs" in page
    assert "Sélectionnez un choix valide. numerique n’en fait pas partie." in page
    assert 'aria-describedby="themes-help id_themes_error"' in page
    assert themes_of(offer) == {(T.MANAGEMENT, ThemeOrigin.DERIVED)}
    assert not OfferChange.objects.filter(formation=offer).exists()


def test_a_chosen_offer_is_no_longer_touched_by_the_rules(client, coordinator, offer):
    client.force_login(coordinator)
    client.post(url(offer), {"themes": [T.GPEC]})
    refresh_derived_themes([offer.pk])
    assert themes_of(offer) == {(T.GPEC, ThemeOrigin.MANUAL)}


# --- Back to the rules ---------------------------------------------------------------------------------------


def test_reset_gives_the_offer_back_to_the_rules(client, coordinator, offer):
    client.force_login(coordinator)
    client.post(url(offer), {"themes": [T.GPEC]})
    response = client.post(url(offer), {"reset": "1"})
    assert response.status_code == 302
    assert response["Location"] == offer_url(offer)
    offer.refresh_from_db()
    assert offer.themes_edited_by is None and offer.themes_edited_at is None
    assert themes_of(offer) == {(T.MANAGEMENT, ThemeOrigin.DERIVED), (T.QVCT_TELETRAVAIL, ThemeOrigin.DERIVED)}
    reset = OfferChange.objects.filter(formation=offer).first()
    assert reset.action == OfferChangeAction.THEMES
    assert reset.changes == {"themes": ["GPEC", "Management, QVCT et télétravail"]}
    assert reset.note == RESET_NOTE
    assert last_message(response) == (
        "Les thèmes de l'offre sont de nouveau déduits automatiquement de ses codes et de son texte : "
        "Management, QVCT et télétravail."
    )
