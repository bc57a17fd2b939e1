"""A provider's own offer through its pages: the list, creating and editing offers and sessions, French errors next
to the fields, who may do what (forged ids of another provider included) and query counts.

The search index and the derived themes are refreshed by modules of their own; these tests stand in recorders for
them (see tests/training/test_services.py)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from horizon.programmes.enums import ProgrammeRole, ProgrammeTheme
from horizon.training import services
from horizon.training.enums import Modality, OfferChangeAction
from horizon.training.models import MANUAL_SOURCE, Formation, OfferChange, Session
from tests.factories.accounts import UserFactory, user_with_role
from tests.factories.organisations import StructureFactory, employer
from tests.factories.territories import CommuneFactory
from tests.factories.training import (
    ActionFactory,
    ProviderFactory,
    ProviderMembershipFactory,
    SessionFactory,
    in_days,
    load_lheo_labels,
    offer,
    offer_data,
    record_refreshes,
)
from tests.permissions import FORBIDDEN, NOT_FOUND, OK, assert_status
from tests.queries import count_queries


@pytest.fixture(autouse=True)
def refreshed(monkeypatch):
    """[(hook name, formation ids)] the writes asked to refresh (themes, search index), instead of refreshing."""
    return record_refreshes(monkeypatch)


@pytest.fixture(autouse=True)
def lheo_labels(db):
    """The funders and levels the offer form offers."""
    load_lheo_labels()


@pytest.fixture
def provider(db):
    return ProviderFactory(name="Cap Formation")


@pytest.fixture
def member(provider):
    user = user_with_role(ProgrammeRole.PROVIDER, first_name="Pierre", last_name="Laborde")
    ProviderMembershipFactory(user=user, provider=provider)
    return user


@pytest.fixture
def coordinator(db):
    return user_with_role(ProgrammeRole.COORDINATOR)


def session_data(**overrides):
    data = {"start_date": "", "end_date": "", "recruitment_state": "1"}
    data.update(overrides)
    return data


# Life cycle --------------------------------------------------------------------------------------------------------


def test_a_provider_member_creates_edits_and_schedules_an_offer(client, member, provider, bordeaux, refreshed):
    client.force_login(member)
    response = client.get(reverse("training:create"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Pour <strong>Cap Formation</strong>" in content
    assert 'name="provider"' not in content  # one provider: nothing to choose
    assert "OPCO" in content and "Code(s) obsolète(s)" not in content

    response = client.post(
        reverse("training:create"),
        offer_data(bordeaux, session_start_date="12/03/2026", session_end_date="2026-03-13"),
    )
    formation = Formation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("catalogue:offer", args=[formation.pk])
    assert formation.provider == provider and formation.source == MANUAL_SOURCE
    action = formation.actions.get()
    assert action.price_total == Decimal("1234.50")
    assert set(action.funders) == {"16", "2"}
    assert formation.sessions.get().start_date == datetime.date(2026, 3, 12)
    assert list(formation.changes.values_list("action", flat=True)) == [
        OfferChangeAction.SESSION_ADDED,
        OfferChangeAction.CREATED,
    ]
    assert ("index_formations", [formation.pk]) in refreshed

    # The edit page shows the offer, its sessions and its history, with French values.
    response = client.get(reverse("training:edit", args=[formation.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert 'value="Rédiger une fiche de poste"' in content
    assert 'value="1234,50"' in content
    assert "Du 12/03/2026 au 13/03/2026" in content
    assert "Prix total TTC : « vide » → « 1\u202f234,50\u00a0€ »" in content
    assert "importé" not in content

    response = client.post(
        reverse("training:edit", args=[formation.pk]),
        offer_data(bordeaux, title="Rédiger une fiche de poste (2 jours)", price_total="980"),
    )
    assert response.status_code == 302
    change = formation.changes.get(action=OfferChangeAction.UPDATED)
    assert change.user == member
    assert change.changes == {
        "title": ["Rédiger une fiche de poste", "Rédiger une fiche de poste (2 jours)"],
        "price_total": ["1\u202f234,50\u00a0€", "980,00\u00a0€"],
    }

    response = client.post(
        reverse("training:session_add", args=[formation.pk]),
        session_data(start_date="2026-06-01", end_date="2026-06-02", recruitment_state="1"),
    )
    assert response.status_code == 302
    assert formation.sessions.count() == 2

    session = formation.sessions.get(start_date=datetime.date(2026, 3, 12))
    response = client.get(reverse("training:session_edit", args=[session.pk]))
    assert 'name="cancelled"' in response.content.decode()
    response = client.post(
        reverse("training:session_edit", args=[session.pk]),
        session_data(start_date="2026-03-12", end_date="2026-03-13", cancelled="on"),
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.closed_at is not None
    assert Session.objects.filter(pk=session.pk).exists()
    content = client.get(reverse("training:edit", args=[formation.pk])).content.decode()
    assert "Annulée" in content
    assert "Session du 12/03/2026 au 13/03/2026 annulée" in content


def test_nothing_changed_is_said_and_not_recorded(client, member, provider, bordeaux):
    client.force_login(member)
    client.post(reverse("training:create"), offer_data(bordeaux))
    formation = Formation.objects.get()
    response = client.post(reverse("training:edit", args=[formation.pk]), offer_data(bordeaux), follow=False)
    assert response.status_code == 302
    assert formation.changes.count() == 1


def test_a_member_of_several_providers_chooses_and_cannot_forge_another(client, member, provider, bordeaux):
    second = ProviderFactory(name="Atelier Compétences")
    ProviderMembershipFactory(user=member, provider=second)
    stranger = ProviderFactory(name="Organisme voisin")
    client.force_login(member)
    content = client.get(reverse("training:create")).content.decode()
    assert "Atelier Compétences" in content and "Organisme voisin" not in content

    response = client.post(reverse("training:create"), offer_data(bordeaux, provider=stranger.pk))
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Formation.objects.exists()

    client.post(reverse("training:create"), offer_data(bordeaux, provider=second.pk))
    assert Formation.objects.get().provider == second


def test_a_coordinator_creates_an_offer_for_a_provider(client, coordinator, provider, bordeaux):
    client.force_login(coordinator)
    response = client.post(reverse("training:create"), offer_data(bordeaux))
    assert "Choisissez l&#x27;organisme de formation qui propose cette offre." in response.content.decode()
    response = client.post(reverse("training:create"), offer_data(bordeaux, provider=provider.pk))
    formation = Formation.objects.get()
    assert response.status_code == 302
    assert formation.provider == provider
    assert formation.changes.get().user == coordinator


def test_a_coordinator_edits_an_imported_offer_and_is_warned(client, coordinator, bordeaux):
    formation = offer(title="Manager une équipe", source="carif-oref", source_id="14_AF_0001")
    client.force_login(coordinator)
    content = client.get(reverse("training:edit", args=[formation.pk])).content.decode()
    assert "Offre importée du flux « carif-oref »" in content
    assert "le prochain import du flux pourra remplacer les champs qu'il transmet" in content
    response = client.post(
        reverse("training:edit", args=[formation.pk]), offer_data(bordeaux, title="Manager une équipe")
    )
    assert response.status_code == 302
    change = formation.changes.get()
    assert change.user == coordinator
    assert "offre importée du flux « carif-oref »" in change.note


def test_imported_dates_known_to_the_month_read_as_such(client, coordinator):
    formation = offer(source="carif-oref", sessions=0)
    SessionFactory(
        action=formation.actions.get(), start_date=datetime.date(2027, 1, 1), start_precision="month", end_date=None
    )
    client.force_login(coordinator)
    content = client.get(reverse("training:edit", args=[formation.pk])).content.decode()
    assert "En 01/2027" in content


def test_an_imported_offer_keeps_the_certification_codes_the_form_does_not_show(client, coordinator, bordeaux):
    formation = offer(
        certifying=True,
        certifications=[{"type": "RNCP", "code": "35678"}, {"type": "CERTIFINFO", "code": "85556"}],
        source="carif-oref",
    )
    client.force_login(coordinator)
    content = client.get(reverse("training:edit", args=[formation.pk])).content.decode()
    assert 'value="RNCP35678"' in content
    client.post(
        reverse("training:edit", args=[formation.pk]),
        offer_data(bordeaux, title=formation.title, certifying="on", certifications="rncp 35678, RS5678"),
    )
    formation.refresh_from_db()
    assert formation.certifications == [
        {"type": "CERTIFINFO", "code": "85556"},
        {"type": "RNCP", "code": "35678"},
        {"type": "RS", "code": "5678"},
    ]


def test_an_offer_with_several_actions_edits_the_one_chosen(client, member, provider, bordeaux):
    merignac = CommuneFactory(code="33281", name="Mérignac", latitude=44.8386, longitude=-0.6436)
    formation = offer(provider=provider)
    online = ActionFactory(formation=formation, remote=True)
    client.force_login(member)
    url = reverse("training:edit", args=[formation.pk]) + f"?action={online.pk}"
    content = client.get(url).content.decode()
    assert "Cette offre est proposée de plusieurs façons" in content
    client.post(url, offer_data(merignac, title=formation.title, modality=Modality.BLENDED))
    online.refresh_from_db()
    assert online.modality == Modality.BLENDED and online.commune == merignac
    assert formation.actions.exclude(pk=online.pk).get().commune == bordeaux

    # A session is added to the action chosen in the form.
    response = client.post(
        reverse("training:session_add", args=[formation.pk]),
        session_data(action=online.pk, start_date="2026-06-01"),
    )
    assert response.status_code == 302
    assert online.sessions.get().commune == merignac


# French errors next to the fields ---------------------------------------------------------------------------------


def test_create_errors_are_french_and_next_to_their_fields(client, member, bordeaux):
    client.force_login(member)
    response = client.post(
        reverse("training:create"),
        offer_data(
            None,
            title="",
            price_total="-12",
            hours_total="douze",
            certifying="on",
            session_start_date="12/03/2026",
            session_end_date="01/03/2026",
        ),
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert not Formation.objects.exists()
    assert "Le formulaire contient des erreurs" in content
    for field, message in [
        ("title", "Saisissez l&#x27;intitulé de la formation."),
        ("price_total", "Le prix ne peut pas être négatif."),
        ("hours_total", "Saisissez un nombre entier d&#x27;heures, par exemple 14."),
        ("commune", "Indiquez la commune du lieu de formation"),
        ("certifications", "Indiquez le code RNCP ou RS"),
        ("session_end_date", "La date de fin doit être identique ou postérieure à la date de début."),
    ]:
        assert f'id="id_{field}_error">{message}' in content, field
        assert f'href="#id_{field}"' in content, field
    assert 'aria-invalid="true"' in content


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"certifications": "RNCP 12, ABC"}, "certifications", "« ABC » : un code s&#x27;écrit RNCP ou RS"),
        ({"price_total": "douze euros"}, "price_total", "Saisissez un montant en euros"),
        ({"session_start_date": "31/02/2026"}, "session_start_date", "Saisissez une date valide"),
        ({"session_start_date": "12/03/1926"}, "session_start_date", "Vérifiez l&#x27;année"),
        ({"session_end_date": "12/03/2026"}, "session_start_date", "Indiquez la date de début de la session."),
        ({"commune": "", "commune_texte": "Nullepart"}, "commune", "Aucune commune ne correspond à « Nullepart »."),
    ],
)
def test_more_bad_input_is_explained(client, member, bordeaux, overrides, field, message):
    client.force_login(member)
    response = client.post(reverse("training:create"), offer_data(bordeaux, **overrides))
    assert f'id="id_{field}_error">{message}' in response.content.decode()
    assert not Formation.objects.exists()


def test_a_distance_offer_needs_no_commune_and_a_price_reads_the_french_way(client, member, provider):
    client.force_login(member)
    response = client.post(
        reverse("training:create"),
        offer_data(None, modality=Modality.DISTANCE, place_name="", address="", price_total="1\u202f250,5 €"),
    )
    assert response.status_code == 302
    assert Formation.objects.get().actions.get().price_total == Decimal("1250.50")


def test_session_errors_are_french(client, member, provider):
    formation = offer(provider=provider)
    client.force_login(member)
    url = reverse("training:session_add", args=[formation.pk])
    content = client.post(url, session_data(start_date="2026-03-12", end_date="2026-03-01")).content.decode()
    assert 'id="id_end_date_error">La date de fin doit être identique ou postérieure' in content
    content = client.post(url, session_data()).content.decode()
    assert 'id="id_start_date_error">Indiquez la date de début de la session.' in content
    assert formation.sessions.count() == 1


# Mon offre de formation --------------------------------------------------------------------------------------------


def test_mine_lists_the_providers_offers_with_their_next_session(client, member, provider):
    offer(title="Conduire l'entretien professionnel", provider=provider, sessions=2, themes=[ProgrammeTheme.GPEC])
    formation = offer(title="AFEST : se lancer", provider=provider, sessions=0)
    SessionFactory(action=formation.actions.get(), past=True)
    SessionFactory(action=formation.actions.get(), start_date=in_days(3), cancelled=True)
    offer(title="Offre retirée", provider=provider, closed=True)
    offer(title="Offre d'un autre organisme")
    client.force_login(member)
    response = client.get(reverse("training:mine"))
    content = response.content.decode()
    rows = list(response.context["page"].object_list)
    assert [row.title for row in rows] == ["AFEST : se lancer", "Conduire l'entretien professionnel"]
    assert (rows[0].next_session, rows[0].upcoming_sessions) == (None, 0)
    assert (rows[1].next_session, rows[1].upcoming_sessions) == (in_days(60), 2)
    assert "GPEC" in content
    assert in_days(60).strftime("%d/%m/%Y") in content
    assert "Offre retirée" not in content and "Offre d&#x27;un autre organisme" not in content
    assert "Retirées du flux d'import" in content

    response = client.get(reverse("training:mine"), {"etat": "retirees"})
    assert [row.title for row in response.context["page"].object_list] == ["Offre retirée"]


def test_mine_for_a_coordinator_points_to_the_catalogue(client, coordinator):
    client.force_login(coordinator)
    content = client.get(reverse("training:mine")).content.decode()
    assert reverse("catalogue:search") in content
    assert "En tant que coordinateur·rice" in content


def test_mine_runs_a_constant_number_of_queries(client, member, provider):
    client.force_login(member)

    def page():
        client.get(reverse("training:mine"))

    for index in range(3):
        offer(title=f"Offre {index}", provider=provider, sessions=2, themes=[ProgrammeTheme.GPEC])
    few = count_queries(page)
    assert few <= 10
    for index in range(25):
        offer(
            title=f"Offre bis {index}",
            provider=provider,
            sessions=3,
            themes=[ProgrammeTheme.GPEC, ProgrammeTheme.MANAGEMENT],
        )
    assert count_queries(page) == few


def test_the_edit_page_runs_a_constant_number_of_queries(client, member, provider):
    formation = offer(provider=provider, sessions=2)
    services.update_offer(formation, member, {"title": "Nouveau titre"}, {})
    client.force_login(member)

    def page():
        client.get(reverse("training:edit", args=[formation.pk]))

    few = count_queries(page)
    action = formation.actions.get()
    for index in range(10):
        SessionFactory(action=action, start_date=in_days(100 + index))
        services.update_offer(formation, member, {"title": f"Titre {index}"}, {})
    assert count_queries(page) == few


# Home --------------------------------------------------------------------------------------------------------------


def test_home_links_provider_members_to_their_offer(client, member):
    client.force_login(member)
    content = client.get(reverse("www:home")).content.decode()
    assert reverse("training:mine") in content
    assert "Mon offre de formation" in content


def test_home_of_a_member_without_the_programme_role_also_links(client, provider):
    user = UserFactory()
    ProviderMembershipFactory(user=user, provider=provider)
    client.force_login(user)
    content = client.get(reverse("www:home")).content.decode()
    assert reverse("training:mine") in content
    assert "Retrouver ma structure" not in content


def test_home_of_a_provider_without_membership_says_what_to_do(client, db):
    client.force_login(user_with_role(ProgrammeRole.PROVIDER))
    content = client.get(reverse("www:home")).content.decode()
    assert f'href="{reverse("training:mine")}"' not in content
    assert "aucun organisme de formation" in content


# Permissions -------------------------------------------------------------------------------------------------------

ROLES = [
    "anonymous",
    "employer",
    "provider_without_membership",
    "other_member",
    "member",
    "coordinator",
    "consultant",
    "facilitator",
    "committee_member",
    "funder",
]
NO_PROVIDER = ["employer", "provider_without_membership", "consultant", "facilitator", "committee_member", "funder"]
OWN = {"member": OK, "coordinator": OK, "other_member": NOT_FOUND, **dict.fromkeys(NO_PROVIDER, FORBIDDEN)}
MATRIX = {
    "mine": {"member": OK, "coordinator": OK, "other_member": OK, **dict.fromkeys(NO_PROVIDER, FORBIDDEN)},
    "create": {"member": OK, "coordinator": OK, "other_member": OK, **dict.fromkeys(NO_PROVIDER, FORBIDDEN)},
    "edit": OWN,
    "session_add": OWN,
    "session_edit": OWN,
    "imported_edit": OWN,
    "missing_edit": {
        "member": NOT_FOUND,
        "coordinator": NOT_FOUND,
        "other_member": NOT_FOUND,
        **dict.fromkeys(NO_PROVIDER, FORBIDDEN),
    },
    "missing_session_edit": {
        "member": NOT_FOUND,
        "coordinator": NOT_FOUND,
        "other_member": NOT_FOUND,
        **dict.fromkeys(NO_PROVIDER, FORBIDDEN),
    },
}


@pytest.fixture
def world(member, provider, bordeaux):
    formation = offer(title="Offre de Cap Formation", provider=provider)
    imported = offer(title="Offre importée", provider=provider, source="carif-oref")
    other = ProviderFactory(name="Organisme voisin")
    users = {
        "employer": employer(StructureFactory()),
        "provider_without_membership": user_with_role(ProgrammeRole.PROVIDER),
        "other_member": ProviderMembershipFactory(provider=other).user,
        "member": member,
        **{role: user_with_role(role) for role in ProgrammeRole.values if role != ProgrammeRole.PROVIDER},
    }
    missing = Formation.objects.order_by("-pk").first().pk + 100
    urls = {
        "mine": reverse("training:mine"),
        "create": reverse("training:create"),
        "edit": reverse("training:edit", args=[formation.pk]),
        "session_add": reverse("training:session_add", args=[formation.pk]),
        "session_edit": reverse("training:session_edit", args=[formation.sessions.get().pk]),
        "imported_edit": reverse("training:edit", args=[imported.pk]),
        "missing_edit": reverse("training:edit", args=[missing]),
        "missing_session_edit": reverse("training:session_edit", args=[missing]),
    }
    return users, urls, formation


@pytest.mark.parametrize("page", MATRIX)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, role, page):
    users, urls, _ = world
    user = None if role == "anonymous" else users[role]
    assert_status(client, user, urls[page], MATRIX[page].get(role), f"{role} on {page}")


@pytest.mark.parametrize("role", ["anonymous", "employer", "other_member", "consultant", "funder"])
@pytest.mark.parametrize("page", ["edit", "session_add", "session_edit"])
def test_nobody_else_can_post(client, world, bordeaux, role, page):
    users, urls, formation = world
    if role != "anonymous":
        client.force_login(users[role])
    data = {**offer_data(bordeaux, title="Détournée"), **session_data(start_date="2026-03-12", cancelled="on")}
    response = client.post(urls[page], data)
    expected = {"anonymous": 302, "other_member": NOT_FOUND}.get(role, FORBIDDEN)
    assert response.status_code == expected
    formation.refresh_from_db()
    assert formation.title == "Offre de Cap Formation"
    assert formation.sessions.count() == 1 and formation.sessions.get().closed_at is None
    assert not OfferChange.objects.exists()


@pytest.mark.parametrize("role", ["employer", "consultant", "committee_member"])
def test_nobody_without_a_provider_can_create(client, world, bordeaux, provider, role):
    users, urls, _ = world
    client.force_login(users[role])
    response = client.post(urls["create"], offer_data(bordeaux, provider=provider.pk))
    assert response.status_code == FORBIDDEN
    assert Formation.objects.count() == 2


@pytest.mark.parametrize("page", ["mine", "create", "edit", "session_add", "session_edit", "imported_edit"])
def test_get_never_writes(client, world, page):
    users, urls, _ = world
    client.force_login(users["member"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(urls[page])
    assert response.status_code == OK
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    # Logging in touches the session table only.
    assert [sql for sql in writes if "django_session" not in sql] == []
