"""Writes on the training offer: validation in French, a readable history of every change, sessions that follow
their action's place, platform ids that never collide.

The search index and the derived themes are refreshed after each write of a formation's own fields by modules of
their own (horizon.training.search, horizon.training.themes); these tests replace both with recorders, so that they
check that the refresh is asked for when it should be, not how it is done."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from horizon.training import services
from horizon.training.enums import DatePrecision, EntryMode, Modality, OfferChangeAction, RecruitmentState
from horizon.training.models import MANUAL_SOURCE, Action, Formation, OfferChange, Session
from tests.factories.accounts import UserFactory
from tests.factories.territories import CommuneFactory, DepartementFactory
from tests.factories.training import (
    ActionFactory,
    FormationFactory,
    ProviderFactory,
    SessionFactory,
    load_lheo_labels,
    record_refreshes,
)


@pytest.fixture(autouse=True)
def refreshed(monkeypatch):
    """[(hook name, formation ids)] the writes asked to refresh (themes, search index), instead of refreshing."""
    return record_refreshes(monkeypatch)


@pytest.fixture
def provider(db):
    return ProviderFactory(name="Cap Formation")


@pytest.fixture
def user(db):
    return UserFactory(first_name="Léa", last_name="Roux")


def formation_fields(**overrides):
    fields = {
        "title": "Rédiger une fiche de poste",
        "objective": "Savoir décrire un poste.",
        "content": "",
        "expected_results": "",
        "certifying": False,
        "certifications": [],
        "exit_level": "",
    }
    fields.update(overrides)
    return fields


def action_fields(place, **overrides):
    fields = {
        "modality": Modality.ON_SITE,
        "entry_mode": EntryMode.FIXED_DATES,
        "rhythm": "2 jours",
        "hours_total": 14,
        "price_total": Decimal("1234.50"),
        "funders": ["16", "5"],
        "cpf_eligible": False,
        "place_name": "Maison des associations",
        "address": "1 rue du Port",
        "commune": place,
    }
    fields.update(overrides)
    return fields


def _errors(callable_, *args, **kwargs):
    with pytest.raises(ValidationError) as caught:
        callable_(*args, **kwargs)
    return caught.value.message_dict


# Creation ----------------------------------------------------------------------------------------------------------


def test_create_offer_writes_formation_action_and_a_readable_history(provider, user, bordeaux, refreshed):
    load_lheo_labels()
    formation = services.create_offer(provider, user, formation_fields(), action_fields(bordeaux))

    assert formation.source == MANUAL_SOURCE
    assert formation.provider == provider
    assert formation.updated_by == user
    action = formation.actions.get()
    assert action.price_total == Decimal("1234.50")
    assert (action.latitude, action.longitude) == (bordeaux.latitude, bordeaux.longitude)
    change = formation.changes.get()
    assert change.action == OfferChangeAction.CREATED
    assert change.user == user
    assert change.note == "Offre créée sur la plateforme pour Cap Formation"
    assert change.changes["title"] == ["", "Rédiger une fiche de poste"]
    assert change.changes["price_total"] == ["", "1\u202f234,50\u00a0€"]
    assert change.changes["hours_total"] == ["", "14\u00a0h"]
    assert change.changes["modality"] == ["", "En présentiel"]
    assert change.changes["funders"] == ["", "OPCO, Entreprise"]
    assert change.changes["commune"] == ["", "Bordeaux (33)"]
    assert "certifying" not in change.changes  # what is empty or "non" at creation is left out
    assert refreshed == [("index_formations", [formation.pk]), ("refresh_derived_themes", [formation.pk])]


def test_a_free_offer_says_so_in_its_history(provider, user, bordeaux):
    formation = services.create_offer(provider, user, formation_fields(), action_fields(bordeaux, price_total=0))
    assert formation.changes.get().changes["price_total"] == ["", "0,00\u00a0€"]


def test_create_offer_with_its_first_session(provider, user, bordeaux):
    start = datetime.date(2026, 3, 12)
    formation = services.create_offer(
        provider,
        user,
        formation_fields(),
        action_fields(bordeaux),
        session_fields={"start_date": start, "end_date": start + datetime.timedelta(days=2), "recruitment_state": ""},
    )
    session = formation.sessions.get()
    assert session.recruitment_state == RecruitmentState.OPEN
    assert session.commune == bordeaux
    assert session.latitude == bordeaux.latitude
    added = formation.changes.get(action=OfferChangeAction.SESSION_ADDED)
    assert added.note == "Session du 12/03/2026 au 14/03/2026"
    assert added.changes["start_date"] == ["", "12/03/2026"]
    assert added.changes["recruitment_state"] == ["", "Inscriptions ouvertes"]


def test_platform_ids_are_unique(provider, user, bordeaux):
    first = services.create_offer(provider, user, formation_fields(), action_fields(bordeaux))
    second = services.create_offer(provider, user, formation_fields(), action_fields(bordeaux))
    assert first.source == second.source == MANUAL_SOURCE
    assert first.source_id and second.source_id and first.source_id != second.source_id
    assert first.actions.get().source_id != second.actions.get().source_id
    assert Formation.objects.filter(source=MANUAL_SOURCE).values("source_id").distinct().count() == 2


@pytest.mark.parametrize(
    ("formation_overrides", "action_overrides", "field", "message"),
    [
        ({"title": "   "}, {}, "title", "Saisissez l'intitulé de la formation."),
        ({}, {"price_total": Decimal("-1")}, "price_total", "Le prix ne peut pas être négatif."),
        ({}, {"hours_total": -3}, "hours_total", "La durée ne peut pas être négative."),
        ({}, {"commune": None}, "commune", services.PLACE_REQUIRED),
        ({}, {"commune": None, "modality": Modality.BLENDED}, "commune", services.PLACE_REQUIRED),
        ({"certifying": True}, {}, "certifications", services.CERTIFICATION_REQUIRED),
    ],
)
def test_create_offer_refuses_bad_values_in_french_and_writes_nothing(
    provider, user, bordeaux, refreshed, formation_overrides, action_overrides, field, message
):
    errors = _errors(
        services.create_offer,
        provider,
        user,
        formation_fields(**formation_overrides),
        action_fields(bordeaux, **action_overrides),
    )
    assert errors[field] == [message]
    assert not Formation.objects.exists()
    assert not OfferChange.objects.exists()
    assert refreshed == []


def test_a_distance_offer_needs_no_place(provider, user):
    formation = services.create_offer(
        provider, user, formation_fields(), action_fields(None, modality=Modality.DISTANCE, place_name="")
    )
    action = formation.actions.get()
    assert action.commune is None and action.latitude is None


def test_a_session_ending_before_it_starts_is_refused_with_the_offer(provider, user, bordeaux):
    errors = _errors(
        services.create_offer,
        provider,
        user,
        formation_fields(title=""),
        action_fields(bordeaux),
        session_fields={"start_date": datetime.date(2026, 3, 12), "end_date": datetime.date(2026, 3, 10)},
    )
    assert errors == {"title": [services.TITLE_REQUIRED], "end_date": [services.END_BEFORE_START]}
    assert not Formation.objects.exists()


def test_unknown_fields_are_a_programming_error(provider, user, bordeaux):
    with pytest.raises(TypeError):
        services.create_offer(provider, user, formation_fields(url="https://exemple.fr"), action_fields(bordeaux))


# Update ------------------------------------------------------------------------------------------------------------


@pytest.fixture
def offer(provider, user, bordeaux):
    return services.create_offer(provider, user, formation_fields(), action_fields(bordeaux))


def test_update_offer_records_only_what_changed_as_people_read_it(offer, bordeaux, refreshed):
    load_lheo_labels()
    editor = UserFactory()
    refreshed.clear()
    changed = services.update_offer(
        offer,
        editor,
        formation_fields(
            title="Rédiger une fiche de poste (2 jours)",
            certifying=True,
            exit_level="15",
            certifications=[{"type": "RNCP", "code": "35678"}],
        ),
        action_fields(bordeaux, price_total=Decimal("980"), modality=Modality.BLENDED, cpf_eligible=True),
    )
    assert set(changed) == {
        "title",
        "certifying",
        "certifications",
        "exit_level",
        "price_total",
        "modality",
        "cpf_eligible",
    }
    change = offer.changes.get(action=OfferChangeAction.UPDATED)
    assert change.user == editor
    assert change.changes == {
        "title": ["Rédiger une fiche de poste", "Rédiger une fiche de poste (2 jours)"],
        "certifying": ["non", "oui"],
        "certifications": ["", "RNCP 35678"],
        "exit_level": ["", "Niveau 5. Capacité à maitriser des savoir-faire dans un champ d'activité"],
        "price_total": ["1\u202f234,50\u00a0€", "980,00\u00a0€"],
        "modality": ["En présentiel", "Mixte (présentiel et à distance)"],
        "cpf_eligible": ["non", "oui"],
    }
    assert change.note.startswith("Modifié : intitulé, formation certifiante")
    assert services.readable_changes(change)[0] == (
        "intitulé",
        "Rédiger une fiche de poste",
        "Rédiger une fiche de poste (2 jours)",
    )
    offer.refresh_from_db()
    assert offer.updated_by == editor
    assert refreshed == [("index_formations", [offer.pk]), ("refresh_derived_themes", [offer.pk])]


def test_update_without_change_writes_nothing(offer, user, bordeaux, refreshed):
    refreshed.clear()
    fields = formation_fields(objective="Savoir décrire un poste.\r\n")  # what a browser posts back
    assert services.update_offer(offer, user, fields, action_fields(bordeaux, funders=["5", "16"])) == []
    assert offer.changes.count() == 1
    assert refreshed == []


def test_an_update_of_the_action_only_leaves_themes_and_search_alone(offer, user, bordeaux, refreshed):
    refreshed.clear()
    changed = services.update_offer(offer, user, formation_fields(), action_fields(bordeaux, rhythm="3 jours"))
    assert changed == ["rhythm"]
    assert refreshed == []


def test_update_offer_validates_the_result(offer, user):
    errors = _errors(services.update_offer, offer, user, {}, {"commune": None})
    assert errors == {"commune": [services.PLACE_REQUIRED]}
    errors = _errors(services.update_offer, offer, user, {"title": ""}, {"price_total": Decimal("-0.01")})
    assert set(errors) == {"title", "price_total"}
    assert offer.changes.count() == 1


def test_sessions_follow_their_action_when_the_place_changes(offer, user, bordeaux, merignac):
    action = offer.actions.get()
    first = services.add_session(action, user, {"start_date": datetime.date(2026, 4, 1)})
    second = services.add_session(action, user, {"start_date": datetime.date(2026, 5, 1)})
    assert first.commune == bordeaux

    services.update_offer(offer, user, {}, {"commune": merignac, "place_name": "Espace Mérignac"})

    action.refresh_from_db()
    assert (action.latitude, action.longitude) == (merignac.latitude, merignac.longitude)
    for session in (first, second):
        session.refresh_from_db()
        assert session.commune == merignac
        assert (session.latitude, session.longitude) == (merignac.latitude, merignac.longitude)
    change = offer.changes.filter(action=OfferChangeAction.UPDATED).get()
    assert change.changes["commune"] == ["Bordeaux (33)", "Mérignac (33)"]
    assert change.changes["place_name"] == ["Maison des associations", "Espace Mérignac"]


def test_sessions_leave_their_place_when_the_offer_goes_online(offer, user):
    action = offer.actions.get()
    session = services.add_session(action, user, {"start_date": datetime.date(2026, 4, 1)})
    services.update_offer(offer, user, {}, {"modality": Modality.DISTANCE, "commune": None})
    session.refresh_from_db()
    assert session.commune is None and session.latitude is None


def test_update_a_chosen_action_of_an_imported_offer(user, bordeaux, merignac):
    formation = FormationFactory(source="carif-oref", source_id="14_AF_1", indexed=False)
    first = ActionFactory(formation=formation, commune=bordeaux)
    second = ActionFactory(formation=formation, commune=bordeaux)
    services.update_offer(formation, user, {}, {"commune": merignac}, action=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.commune == bordeaux and second.commune == merignac
    change = formation.changes.get()
    assert change.note == "Modifié : commune du lieu (offre importée du flux « carif-oref »)"
    # Another offer's action cannot be slipped in.
    with pytest.raises(Action.DoesNotExist):
        services.update_offer(FormationFactory(indexed=False), user, {}, {"commune": merignac}, action=second)


def test_an_offer_without_action_gets_one(user, bordeaux):
    formation = FormationFactory(indexed=False)
    services.update_offer(formation, user, {}, action_fields(bordeaux))
    action = formation.actions.get()
    assert action.source_id and action.latitude == bordeaux.latitude


# Sessions ----------------------------------------------------------------------------------------------------------


def test_add_session_copies_the_place_and_records_it(offer, user, bordeaux, refreshed):
    refreshed.clear()
    action = offer.actions.get()
    session = services.add_session(
        action, user, {"start_date": datetime.date(2026, 9, 7), "end_date": None, "recruitment_state": "2"}
    )
    assert session.formation == offer
    assert session.commune == bordeaux and session.updated_by == user
    change = offer.changes.get(action=OfferChangeAction.SESSION_ADDED)
    assert change.note == "Session du 07/09/2026"
    assert change.changes == {"start_date": ["", "07/09/2026"], "recruitment_state": ["", "Inscriptions fermées"]}
    assert refreshed == []  # themes and search read nothing of the sessions


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"start_date": None}, {"start_date": [services.START_REQUIRED]}),
        (
            {"start_date": datetime.date(2026, 3, 12), "end_date": datetime.date(2026, 3, 11)},
            {"end_date": [services.END_BEFORE_START]},
        ),
    ],
)
def test_add_session_refuses_bad_dates(offer, user, fields, errors):
    assert _errors(services.add_session, offer.actions.get(), user, fields) == errors
    assert not Session.objects.exists()


def test_a_one_day_session_is_fine(offer, user):
    day = datetime.date(2026, 3, 12)
    session = services.add_session(offer.actions.get(), user, {"start_date": day, "end_date": day})
    assert session.end_date == day


def test_update_session_cancels_and_restores_it_never_deleting(offer, user, refreshed):
    session = services.add_session(offer.actions.get(), user, {"start_date": datetime.date(2026, 3, 12)})
    refreshed.clear()
    assert services.update_session(session, user, {"cancelled": True}) == ["cancelled"]
    session.refresh_from_db()
    assert session.closed_at is not None
    change = offer.changes.filter(action=OfferChangeAction.SESSION_UPDATED).first()
    assert change.changes == {"cancelled": ["non", "oui"]}
    assert change.note == "Session du 12/03/2026 annulée"
    assert refreshed == []

    services.update_session(session, user, {"cancelled": False})
    session.refresh_from_db()
    assert session.closed_at is None
    assert offer.changes.filter(action=OfferChangeAction.SESSION_UPDATED).first().note == (
        "Session du 12/03/2026 rétablie"
    )
    assert Session.objects.filter(pk=session.pk).exists()


def test_update_session_dates_and_state(offer, user):
    session = services.add_session(offer.actions.get(), user, {"start_date": datetime.date(2026, 3, 12)})
    changed = services.update_session(
        session,
        user,
        {"start_date": datetime.date(2026, 3, 19), "end_date": datetime.date(2026, 3, 20), "recruitment_state": "3"},
    )
    assert set(changed) == {"start_date", "end_date", "recruitment_state"}
    change = offer.changes.filter(action=OfferChangeAction.SESSION_UPDATED).get()
    assert change.changes == {
        "start_date": ["12/03/2026", "19/03/2026"],
        "end_date": ["", "20/03/2026"],
        "recruitment_state": ["Inscriptions ouvertes", "Inscriptions suspendues"],
    }
    assert change.note == "Session du 19/03/2026 au 20/03/2026"
    errors = _errors(services.update_session, session, user, {"end_date": datetime.date(2026, 3, 1)})
    assert errors == {"end_date": [services.END_BEFORE_START]}
    session.refresh_from_db()
    assert session.end_date == datetime.date(2026, 3, 20)


def test_an_imported_date_known_to_the_month_reads_as_such_and_becomes_a_day_once_retyped(user):
    formation = FormationFactory(source="carif-oref", indexed=False)
    session = SessionFactory(
        action=ActionFactory(formation=formation),
        start_date=datetime.date(2026, 9, 1),
        start_precision=DatePrecision.MONTH,
        end_date=None,
    )
    services.update_session(session, user, {"start_date": datetime.date(2026, 9, 14)})
    session.refresh_from_db()
    assert session.start_precision == DatePrecision.DAY
    assert formation.changes.get().changes["start_date"] == ["09/2026", "14/09/2026"]


def test_update_session_without_change_writes_nothing(offer, user):
    session = services.add_session(offer.actions.get(), user, {"start_date": datetime.date(2026, 3, 12)})
    assert services.update_session(session, user, {"start_date": datetime.date(2026, 3, 12), "cancelled": False}) == []
    assert not offer.changes.filter(action=OfferChangeAction.SESSION_UPDATED).exists()


# Readable values -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("1234.5"), "1\u202f234,50\u00a0€"),
        (Decimal("0"), "0,00\u00a0€"),
        (Decimal("1234567.89"), "1\u202f234\u202f567,89\u00a0€"),
        (None, ""),
    ],
)
def test_format_euros(amount, text):
    assert services.format_euros(amount) == text


@pytest.mark.parametrize(
    ("precision", "text"),
    [(DatePrecision.DAY, "05/03/2026"), (DatePrecision.MONTH, "03/2026"), (DatePrecision.YEAR, "2026")],
)
def test_format_date(precision, text):
    assert services.format_date(datetime.date(2026, 3, 5), precision) == text


def test_the_history_of_a_commune_names_its_departement(provider, user):
    landes = CommuneFactory(code="40192", name="Mont-de-Marsan", departement=DepartementFactory(code="40"))
    formation = services.create_offer(provider, user, formation_fields(), action_fields(landes))
    assert formation.changes.get().changes["commune"] == ["", "Mont-de-Marsan (40)"]
