"""Training offers suggested for a structure's diagnosed needs: the section of the restitution, the "Mes formations"
page, the link on the home page, who may see them, and a constant number of queries."""

import pytest
from django.urls import reverse
from django.utils import timezone

from horizon.organisations.enums import MembershipRole
from horizon.programmes.enums import ProgrammeRole
from horizon.training.matching import suggestions_by_structure, suggestions_for
from tests.factories.accounts import UserFactory, user_with_role
from tests.factories.diagnostics import submitted_diagnostic
from tests.factories.organisations import MembershipFactory, StructureFactory, employer
from tests.factories.training import in_days, offer
from tests.permissions import FORBIDDEN, OK, assert_status
from tests.queries import count_queries

GPEC, MANAGEMENT, QVCT = "gpec", "management", "qvct_teletravail"
SUGGESTIONS = reverse("training:suggestions")


@pytest.fixture
def structure(db):
    return StructureFactory(name="Centre social Bastide", opco="Uniformation")  # in Bordeaux


@pytest.fixture
def admin(structure):
    return employer(structure, first_name="Alice")


@pytest.fixture
def diagnostic(structure, admin):
    """Needs found: GPEC only (every other theme at level 2, above the threshold)."""
    return submitted_diagnostic(structure, admin, levels={"gpec": 0}, default=2)


@pytest.fixture
def catalogue(merignac, perigueux):
    """Offers for GPEC near Bordeaux, far away, at a distance, past, closed; and offers for other themes."""
    return {
        "near": offer("GPEC à Mérignac", themes=[GPEC], action={"commune": merignac, "priced": True}),
        "far": offer("GPEC à Périgueux", themes=[GPEC], action={"commune": perigueux}),
        "remote": offer("GPEC à distance", themes=[GPEC], action={"remote": True}),
        "past": offer("GPEC déjà commencée", themes=[GPEC], action={"commune": merignac}, session={"past": True}),
        "closed": offer("GPEC retirée", themes=[GPEC], action={"commune": merignac}, closed=True),
        "full": offer(
            "GPEC complète", themes=[GPEC], action={"commune": merignac}, session={"registrations_closed": True}
        ),
        "management": offer("Manager une équipe", themes=[MANAGEMENT], action={"commune": merignac}),
    }


def restitution_page(client, user, diagnostic):
    client.force_login(user)
    result = client.get(reverse("diagnostics:restitution", args=[diagnostic.pk]))
    assert result.status_code == 200
    return result.content.decode()


def block(html, structure):
    """The part of "Mes formations" about one structure."""
    start = html.index(f'id="structure-{structure.pk}"')
    return html[start : html.index("</section>", start)]


def section(html):
    return html[html.index('id="formations"') : html.index('id="themes"')]


def suggested(client, user, diagnostic):
    """The offers the restitution loads into its "Formations pour vos besoins" section (htmx)."""
    client.force_login(user)
    url = reverse("diagnostics:restitution_suggestions", args=[diagnostic.pk])
    result = client.get(url, HTTP_HX_REQUEST="true")
    assert result.status_code == 200
    return result.content.decode()


# --- The restitution ---------------------------------------------------------------------------------------------


def test_restitution_shows_offers_for_its_needs_near_or_remote(client, admin, diagnostic, catalogue):
    html = restitution_page(client, admin, diagnostic)
    assert '<a href="#formations">Formations pour vos besoins</a>' in html
    assert html.index('id="besoins"') < html.index('id="formations"') < html.index('id="themes"')
    loader = reverse("diagnostics:restitution_suggestions", args=[diagnostic.pk])
    assert f'hx-get="{loader}"' in section(html) and f'href="{loader}"' in section(html)
    assert f'href="{SUGGESTIONS}">Voir toutes les formations suggérées</a>' in section(html)
    shown = suggested(client, admin, diagnostic)
    for key in ("near", "remote"):
        assert f'href="{reverse("catalogue:offer", args=[catalogue[key].pk])}"' in shown
    for key in ("far", "past", "closed", "full", "management"):
        assert catalogue[key].title not in shown, key
    # Near first (GPEC + 5 km + OPCO), with its reasons.
    assert shown.index("GPEC à Mérignac") < shown.index("GPEC à distance")
    assert "Répond à votre besoin : GPEC" in shown
    assert "À 5 km de votre structure" in shown
    assert "Finançable par votre OPCO (Uniformation)" in shown
    assert "Organisme certifié Qualiopi" in shown
    assert "À distance : sans déplacement" in shown
    # Without JavaScript, the same offers on a page of their own.
    page = client.get(loader).content.decode()
    assert "GPEC à Mérignac" in page and "<h1>Formations pour vos besoins</h1>" in page


def test_restitution_without_offers_says_so(client, admin, diagnostic, perigueux):
    offer("GPEC à Périgueux", themes=[GPEC], action={"commune": perigueux})
    shown = suggested(client, admin, diagnostic)
    assert "Aucune formation ouverte aux inscriptions ne répond pour l'instant" in shown
    assert "GPEC à Périgueux" not in shown


def test_restitution_without_needs_has_no_section(client, admin, structure, catalogue):
    html = restitution_page(client, admin, submitted_diagnostic(structure, admin, default=2))
    assert 'id="formations"' not in html


def test_restitution_of_an_older_diagnostic_uses_its_own_needs(client, admin, structure, catalogue):
    older = submitted_diagnostic(structure, admin, levels={"gpec": 0}, default=2)
    submitted_diagnostic(structure, admin, levels={"management_fonction_rh": 0}, default=2)
    shown = suggested(client, admin, older)
    assert "GPEC à Mérignac" in shown and "Manager une équipe" not in shown


def test_restitution_shows_at_most_six_shared_among_needs(client, admin, structure, merignac):
    for index in range(8):
        offer(f"GPEC {index}", themes=[GPEC], action={"commune": merignac, "priced": True})
    for index in range(3):
        offer(f"QVCT {index}", themes=[QVCT], action={"commune": merignac})
    diagnostic = submitted_diagnostic(structure, admin, levels={"gpec": 0, "sante_securite_qvct": 0}, default=2)
    shown = suggested(client, admin, diagnostic)
    assert shown.count("data-suggestion-reasons") == 6
    # The GPEC offers all rank first (funded by the OPCO), yet the two needs share the places in turn.
    assert sum(f">GPEC {index}</a>" in shown for index in range(8)) == 3
    assert sum(f">QVCT {index}</a>" in shown for index in range(3)) == 3
    assert shown.count("Répond à votre besoin : QVCT et télétravail") == 3


def test_restitution_query_count_does_not_grow(client, admin, structure, merignac):
    diagnostic = submitted_diagnostic(structure, admin, levels={"gpec": 0}, default=2)
    client.force_login(admin)
    url = reverse("diagnostics:restitution_suggestions", args=[diagnostic.pk])
    client.get(url, HTTP_HX_REQUEST="true")
    offer("GPEC 0", themes=[GPEC], action={"commune": merignac})
    one = count_queries(lambda: client.get(url, HTTP_HX_REQUEST="true"))
    for index in range(1, 6):
        offer(f"GPEC {index}", themes=[GPEC, MANAGEMENT], sessions=2, action={"commune": merignac})
        offer(f"À distance {index}", themes=[GPEC], action={"remote": True})
    many = count_queries(lambda: client.get(url, HTTP_HX_REQUEST="true"))
    assert one == many


# --- The gathering -----------------------------------------------------------------------------------------------


def test_suggestions_for_uses_the_current_needs_and_the_radius(structure, admin, diagnostic, catalogue, settings):
    today = timezone.localdate()
    titles = [suggestion.title for suggestion in suggestions_for(structure, today)]
    assert titles == ["GPEC à Mérignac", "GPEC à distance"]
    settings.MATCHING_RADIUS_KM = 150  # Périgueux is about 110 km away
    titles = [suggestion.title for suggestion in suggestions_for(structure, today)]
    assert "GPEC à Périgueux" in titles


def test_permanent_entries_and_next_joinable_session(structure, admin, diagnostic, merignac):
    today = timezone.localdate()
    offer(
        "GPEC en continu",
        themes=[GPEC],
        action={"commune": merignac, "permanent": True},
        session={"ongoing": True},
    )
    formation = offer("GPEC deux dates", themes=[GPEC], sessions=2, action={"commune": merignac})
    found = {suggestion.title: suggestion for suggestion in suggestions_for(structure, today)}
    assert "Entrée possible dès maintenant" in found["GPEC en continu"].reasons
    first = formation.sessions.order_by("start_date").first().start_date
    assert found["GPEC deux dates"].candidate.next_start == first == in_days(60)


def test_a_structure_without_a_place_gets_remote_offers_only(admin, catalogue):
    structure = StructureFactory(commune=None)
    user = employer(structure)
    submitted_diagnostic(structure, user, levels={"gpec": 0}, default=2)
    titles = [suggestion.title for suggestion in suggestions_for(structure, timezone.localdate())]
    assert titles == ["GPEC à distance"]
    assert suggestions_by_structure([structure], timezone.localdate())[structure.pk].located is False


# --- "Mes formations" --------------------------------------------------------------------------------------------


def test_only_an_administrator_is_sent_to_complete_an_unlocated_structure(client, catalogue):
    structure = StructureFactory(commune=None)
    admin = employer(structure)
    member = employer(structure, MembershipRole.MEMBER)
    submitted_diagnostic(structure, admin, levels={"gpec": 0}, default=2)
    edit = reverse("structures:edit", args=[structure.pk])
    client.force_login(admin)
    assert f'href="{edit}"' in client.get(SUGGESTIONS).content.decode()
    client.force_login(member)
    html = client.get(SUGGESTIONS).content.decode()
    assert f'href="{edit}"' not in html and "peut compléter son profil" in html


def test_my_trainings_page(client, structure, admin, diagnostic, catalogue):
    undiagnosed = StructureFactory(name="Atelier Vélo Solidaire")
    MembershipFactory(structure=undiagnosed, user=admin)
    client.force_login(admin)
    html = client.get(SUGGESTIONS).content.decode()
    assert "<h1>Mes formations</h1>" in html
    ours = block(html, structure)
    assert "Besoin : GPEC" in ours
    assert "GPEC à Mérignac" in ours and "GPEC à distance" in ours
    for key in ("far", "past", "closed", "full", "management"):
        assert catalogue[key].title not in ours, key
    assert "Besoin : Management" not in ours
    assert reverse("diagnostics:restitution", args=[diagnostic.pk]) in ours
    theirs = block(html, undiagnosed)
    assert "pas encore fait son diagnostic RH" in theirs
    assert reverse("responses:structure", args=[undiagnosed.pk]) in theirs


def test_my_trainings_need_without_offer(client, structure, admin):
    submitted_diagnostic(structure, admin, levels={"dialogue_social": 0}, default=2)
    client.force_login(admin)
    html = client.get(SUGGESTIONS).content.decode()
    assert "Besoin : Dialogue social" in html
    assert "Aucune formation ouverte aux inscriptions ne répond à ce besoin" in html


def test_my_trainings_without_needs(client, structure, admin):
    submitted_diagnostic(structure, admin, default=2)
    client.force_login(admin)
    html = client.get(SUGGESTIONS).content.decode()
    assert "n'a repéré aucun besoin d'accompagnement" in html


@pytest.mark.parametrize(
    "who, expected",
    [
        ("anonymous", None),
        ("no_role", FORBIDDEN),
        ("admin", OK),
        *[(role, FORBIDDEN) for role in ProgrammeRole.values],
    ],
)
def test_my_trainings_permissions(client, admin, diagnostic, who, expected):
    users = {"anonymous": None, "no_role": UserFactory(), "admin": admin}
    user = users[who] if who in users else user_with_role(who)
    assert_status(client, user, SUGGESTIONS, expected, who)


@pytest.mark.parametrize(
    "who, expected",
    [("admin", OK), ("coordinator", OK), ("other_employer", 404), ("consultant", 404), ("funder", 404)],
)
def test_the_suggestions_of_a_diagnostic_follow_its_restitution_permissions(client, admin, diagnostic, who, expected):
    users = {
        "admin": lambda: admin,
        "coordinator": lambda: user_with_role(ProgrammeRole.COORDINATOR),
        "other_employer": lambda: employer(StructureFactory(name="Autre structure")),
        "consultant": lambda: user_with_role(ProgrammeRole.CONSULTANT),
        "funder": lambda: user_with_role(ProgrammeRole.FUNDER),
    }
    client.force_login(users[who]())
    url = reverse("diagnostics:restitution_suggestions", args=[diagnostic.pk])
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == expected


def test_another_structures_employer_sees_only_theirs(client, structure, diagnostic, catalogue):
    other = StructureFactory(name="Ressourcerie du Lac")
    other_admin = employer(other)
    submitted_diagnostic(other, other_admin, levels={"management_fonction_rh": 0}, default=2)
    client.force_login(other_admin)
    html = client.get(SUGGESTIONS).content.decode()
    assert "Ressourcerie du Lac" in html and "Manager une équipe" in html
    assert "Centre social Bastide" not in html
    assert f'id="structure-{structure.pk}"' not in html
    assert "GPEC à Mérignac" not in html


def test_my_trainings_query_count_does_not_grow(client, structure, admin, diagnostic, merignac):
    client.force_login(admin)
    client.get(SUGGESTIONS)
    offer("GPEC 0", themes=[GPEC], action={"commune": merignac})
    one = count_queries(lambda: client.get(SUGGESTIONS))
    for index in range(4):
        other = StructureFactory()
        MembershipFactory(structure=other, user=admin)
        submitted_diagnostic(other, admin, levels={"gpec": 0, "management_fonction_rh": 0}, default=2)
        offer(f"GPEC {index}", themes=[GPEC, MANAGEMENT], sessions=2, action={"commune": merignac})
        offer(f"À distance {index}", themes=[MANAGEMENT], action={"remote": True})
    StructureFactory()  # not theirs
    MembershipFactory(structure=StructureFactory(), user=admin)  # theirs, never diagnosed
    many = count_queries(lambda: client.get(SUGGESTIONS))
    assert one == many


# --- The home page -----------------------------------------------------------------------------------------------


def test_home_links_to_my_trainings_for_diagnosed_structures_only(client, structure, admin, diagnostic):
    undiagnosed = StructureFactory()
    MembershipFactory(structure=undiagnosed, user=admin)
    client.force_login(admin)
    html = client.get(reverse("www:home")).content.decode()
    assert f'href="{SUGGESTIONS}#structure-{structure.pk}">Mes formations</a>' in html
    assert f"#structure-{undiagnosed.pk}" not in html


def test_dates_are_joinable_ones(structure, admin, diagnostic, merignac):
    start = in_days(90)
    offer("GPEC au printemps", themes=[GPEC], action={"commune": merignac}, session={"start_date": start})
    (suggestion,) = suggestions_for(structure, timezone.localdate())
    assert suggestion.candidate.next_start == start
    assert any(reason.startswith("Prochaine session le ") for reason in suggestion.reasons)
