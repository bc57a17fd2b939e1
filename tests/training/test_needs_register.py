"""The register of needs: the besoin non couvert rule (pure), the grid of sessions (pure), and the register built from
the database (threshold, radius, remote and closed sessions, a new session that covers, query count)."""

import pytest

from horizon.diagnostics.models import Need
from horizon.programmes.enums import ProgrammeTheme
from horizon.training.needs_register import (
    BELOW_THRESHOLD,
    COVERED,
    DEPARTEMENT,
    EPCI,
    UNCOVERED,
    SessionGrid,
    needs_register,
    status_of,
)
from tests.factories.accounts import ProgrammeFactory
from tests.factories.diagnostics import submitted_diagnostic
from tests.factories.organisations import StructureFactory, employer
from tests.factories.territories import CommuneFactory, DepartementFactory, EpciFactory, RegionFactory
from tests.factories.training import ActionFactory, FormationFactory, SessionFactory
from tests.queries import count_queries

GPEC = ProgrammeTheme.GPEC.value
AFEST = ProgrammeTheme.AFEST.value


# --- Pure parts -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "needing, reached, k, expected",
    [
        (0, 0, 5, BELOW_THRESHOLD),
        (4, 0, 5, BELOW_THRESHOLD),
        (4, 4, 5, BELOW_THRESHOLD),
        (5, 0, 5, UNCOVERED),
        (5, 2, 5, UNCOVERED),
        (5, 3, 5, COVERED),
        (6, 3, 5, COVERED),  # exactly half is covered
        (7, 3, 5, UNCOVERED),
        (2, 0, 2, UNCOVERED),
        (1, 0, 1, UNCOVERED),
    ],
)
def test_status_of(needing, reached, k, expected):
    assert status_of(needing, reached, k) == expected


BORDEAUX = (44.83802, -0.579635)
LIBOURNE = (44.915, -0.2436)  # about 28 km from Bordeaux
ARCACHON = (44.6586, -1.1689)  # about 51 km
PERIGUEUX = (45.1846, 0.7214)  # about 108 km


@pytest.mark.parametrize(
    "km, expected",
    [
        (10, ["bordeaux"]),
        (30, ["bordeaux", "libourne"]),
        (60, ["bordeaux", "libourne", "arcachon"]),
        (200, ["bordeaux", "libourne", "arcachon", "perigueux"]),
    ],
)
def test_the_grid_finds_the_sessions_within_the_radius_nearest_first(km, expected):
    grid = SessionGrid(
        [("perigueux", *PERIGUEUX), ("arcachon", *ARCACHON), ("libourne", *LIBOURNE), ("bordeaux", *BORDEAUX)], km
    )
    found = grid.within(44.84, -0.58)
    assert [key for _, key in found] == expected
    assert all(distance <= km for distance, _ in found)


def test_the_grid_sees_across_cell_borders():
    grid = SessionGrid([("east", 0.0, 0.26)], 30)  # 28.9 km east of (0, 0), in the next cell
    assert [key for _, key in grid.within(0.0, 0.0)] == ["east"]
    assert grid.within(0.0, -0.02) == []  # 31.1 km


# --- From the database ----------------------------------------------------------------------------------------


@pytest.fixture
def libourne(bordeaux):
    return CommuneFactory(
        code="33243",
        name="Libourne",
        departement=bordeaux.departement,
        epci=EpciFactory(siren="243301504", name="CA du Libournais", departement_codes="33"),
        latitude=LIBOURNE[0],
        longitude=LIBOURNE[1],
    )


def needing(count, commune, *themes):
    """`count` structures of `commune` whose latest diagnostic found exactly `themes`."""
    for _ in range(count):
        structure = StructureFactory(commune=commune)
        response = submitted_diagnostic(structure, employer(structure))
        response.needs.all().delete()
        Need.objects.bulk_create([Need(response=response, structure=structure, theme=theme) for theme in themes])


def session_at(commune, *themes, **session_kwargs):
    formation = FormationFactory()
    for theme in themes:
        formation.themes.create(theme=theme)
    action_kwargs = session_kwargs.pop("action", {})
    action = ActionFactory(formation=formation, commune=commune, **action_kwargs)
    return SessionFactory(action=action, **session_kwargs)


def row(register, kind, code, theme):
    matches = [r for r in register.rows if (r.kind, r.code, r.theme) == (kind, code, theme)]
    return matches[0] if matches else None


def test_counts_by_departement_and_epci_and_theme(bordeaux, perigueux):
    needing(3, bordeaux, GPEC, AFEST)
    needing(2, perigueux, GPEC)
    register = needs_register(entitled=True)
    assert row(register, DEPARTEMENT, "33", GPEC).structures.count == 3
    assert row(register, EPCI, bordeaux.epci_id, AFEST).structures.count == 3
    assert row(register, DEPARTEMENT, "24", GPEC).structures.count == 2
    assert row(register, DEPARTEMENT, "24", AFEST) is None
    assert row(register, DEPARTEMENT, "33", GPEC).name == "Gironde (33)"


def test_below_the_threshold_a_need_is_never_uncovered(bordeaux, settings):
    needing(4, bordeaux, GPEC)
    assert row(needs_register(entitled=True), DEPARTEMENT, "33", GPEC).status == BELOW_THRESHOLD
    settings.UNCOVERED_NEED_MIN_STRUCTURES = 4
    assert row(needs_register(entitled=True), DEPARTEMENT, "33", GPEC).status == UNCOVERED


def test_a_new_nearby_session_covers_the_need(bordeaux, libourne):
    needing(5, bordeaux, GPEC)
    before = row(needs_register(entitled=True), DEPARTEMENT, "33", GPEC)
    assert before.status == UNCOVERED
    assert before.sessions == 0
    assert before.nearest is None
    session = session_at(libourne, GPEC)  # 28 km away
    after = row(needs_register(entitled=True), DEPARTEMENT, "33", GPEC)
    assert after.status == COVERED
    assert after.reached.count == 5
    assert after.sessions == 1
    assert after.nearest.pk == session.pk
    assert after.nearest.commune == "Libourne"
    assert 25 < after.nearest.distance_km < 30


def test_a_session_beyond_the_radius_does_not_cover(bordeaux, libourne, settings):
    needing(5, bordeaux, GPEC)
    session_at(libourne, GPEC)
    settings.UNCOVERED_NEED_RADIUS_KM = 20
    assert row(needs_register(entitled=True), DEPARTEMENT, "33", GPEC).status == UNCOVERED
    settings.UNCOVERED_NEED_RADIUS_KM = 30
    assert row(needs_register(entitled=True), DEPARTEMENT, "33", GPEC).status == COVERED


def test_a_session_of_another_theme_does_not_cover(bordeaux):
    needing(5, bordeaux, GPEC)
    session_at(bordeaux, AFEST)
    assert row(needs_register(entitled=True), DEPARTEMENT, "33", GPEC).status == UNCOVERED


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cancelled": True},
        {"registrations_closed": True},
        {"past": True},
        {"action": {"closed_at": "2020-01-01T00:00:00Z"}},
    ],
    ids=["cancelled", "registrations closed", "past", "action withdrawn"],
)
def test_a_session_one_cannot_join_does_not_cover(bordeaux, kwargs):
    needing(5, bordeaux, GPEC)
    session_at(bordeaux, GPEC, **kwargs)
    assert row(needs_register(entitled=True), DEPARTEMENT, "33", GPEC).status == UNCOVERED


def test_a_withdrawn_formation_does_not_cover(bordeaux):
    needing(5, bordeaux, GPEC)
    session = session_at(bordeaux, GPEC)
    session.formation.closed_at = session.created_at
    session.formation.save()
    assert row(needs_register(entitled=True), DEPARTEMENT, "33", GPEC).status == UNCOVERED


def test_a_remote_offer_does_not_cover_but_a_blended_one_does(bordeaux):
    needing(5, bordeaux, GPEC)
    formation = FormationFactory()
    formation.themes.create(theme=GPEC)
    SessionFactory(action=ActionFactory(formation=formation, remote=True))
    assert row(needs_register(entitled=True), DEPARTEMENT, "33", GPEC).status == UNCOVERED
    session_at(bordeaux, GPEC, action={"blended": True})
    assert row(needs_register(entitled=True), DEPARTEMENT, "33", GPEC).status == COVERED


def test_fewer_than_half_of_the_structures_near_an_offer_leave_it_uncovered(bordeaux, perigueux, settings):
    # Dordogne: 3 structures in Périgueux, 2 in Bordeaux (moved there for the test): a session in Bordeaux reaches 2.
    needing(3, perigueux, GPEC)
    for _ in range(2):
        structure = StructureFactory(commune=perigueux, latitude=BORDEAUX[0], longitude=BORDEAUX[1])
        response = submitted_diagnostic(structure, employer(structure))
        response.needs.all().delete()
        Need.objects.create(response=response, structure=structure, theme=GPEC)
    session_at(bordeaux, GPEC)
    dordogne = row(needs_register(entitled=True), DEPARTEMENT, "24", GPEC)
    assert (dordogne.structures.count, dordogne.reached.count, dordogne.status) == (5, 2, UNCOVERED)
    session_at(perigueux, GPEC)
    assert row(needs_register(entitled=True), DEPARTEMENT, "24", GPEC).status == COVERED


def test_only_the_latest_diagnostic_counts(bordeaux):
    needing(5, bordeaux, GPEC)
    structure = Need.objects.filter(theme=GPEC).first().structure
    submitted_diagnostic(structure, employer(structure)).needs.all().delete()
    assert row(needs_register(entitled=True), DEPARTEMENT, "33", GPEC).structures.count == 4


def test_uncovered_first_then_covered_then_below(bordeaux, libourne):
    needing(6, bordeaux, GPEC, AFEST)
    needing(1, bordeaux, ProgrammeTheme.MANAGEMENT.value)
    session_at(bordeaux, AFEST)
    statuses = [r.status for r in needs_register(entitled=True).rows]
    assert statuses == sorted(statuses, key=[UNCOVERED, COVERED, BELOW_THRESHOLD].index)
    assert statuses[0] == UNCOVERED


def test_filters(bordeaux, libourne, perigueux):
    needing(1, bordeaux, GPEC)
    needing(1, libourne, AFEST)
    needing(1, perigueux, GPEC)
    gironde = bordeaux.departement
    rows = {(r.kind, r.code, r.theme) for r in needs_register(departement=gironde, entitled=True).rows}
    assert rows == {
        (DEPARTEMENT, "33", GPEC),
        (DEPARTEMENT, "33", AFEST),
        (EPCI, bordeaux.epci_id, GPEC),
        (EPCI, libourne.epci_id, AFEST),
    }
    rows = {(r.kind, r.code, r.theme) for r in needs_register(epci=libourne.epci, entitled=True).rows}
    assert rows == {(EPCI, libourne.epci_id, AFEST)}
    rows = {(r.kind, r.code) for r in needs_register(theme=GPEC, entitled=True).rows}
    assert rows == {(DEPARTEMENT, "33"), (EPCI, bordeaux.epci_id), (DEPARTEMENT, "24"), (EPCI, perigueux.epci_id)}


def test_uncovered_only(bordeaux):
    needing(5, bordeaux, GPEC, AFEST)
    session_at(bordeaux, AFEST)
    register = needs_register(uncovered_only=True, entitled=True)
    assert {r.theme for r in register.rows} == {GPEC}
    assert all(r.status == UNCOVERED for r in register.rows)


def test_needs_of_fewer_than_k_structures_are_not_listed_to_people_not_entitled(bordeaux, libourne):
    needing(5, bordeaux, GPEC)
    needing(2, bordeaux, AFEST)
    session_at(bordeaux, AFEST)
    register = needs_register(entitled=False)
    gpec = row(register, DEPARTEMENT, "33", GPEC)
    assert gpec.structures.count == 5 and gpec.status == UNCOVERED
    # Even masked, a row would tell that some structure of the territory needs AFEST.
    assert row(register, DEPARTEMENT, "33", AFEST) is None
    assert register.left_out and not register.has_masked
    assert register.left_out_note.startswith("Les besoins que moins de 5 structures")
    entitled = needs_register(entitled=True)
    assert row(entitled, DEPARTEMENT, "33", AFEST).structures.count == 2
    assert not entitled.left_out


def test_a_count_of_fewer_than_k_structures_reached_is_masked(bordeaux):
    arcachon = CommuneFactory(
        code="33009",
        name="Arcachon",
        departement=bordeaux.departement,
        epci=EpciFactory(siren="243301165", name="CA du Bassin d'Arcachon Sud", departement_codes="33"),
        latitude=ARCACHON[0],
        longitude=ARCACHON[1],
    )
    needing(3, bordeaux, AFEST)
    needing(2, arcachon, AFEST)
    session_at(arcachon, AFEST)
    register = needs_register(entitled=False)
    afest = row(register, DEPARTEMENT, "33", AFEST)
    assert afest.structures.count == 5 and afest.status == UNCOVERED
    assert afest.reached.masked and afest.sessions == 1
    assert register.has_masked and register.masked_reason == "moins de 5 structures : donnée masquée"
    assert row(needs_register(entitled=True), DEPARTEMENT, "33", AFEST).reached.count == 2


def test_a_territory_with_fewer_than_k_diagnosed_structures_lists_nothing(libourne):
    needing(3, libourne, GPEC)
    register = needs_register(entitled=False)
    assert register.rows == [] and register.left_out


def test_the_programmes_regions_bound_the_territories(bordeaux):
    marne = CommuneFactory(
        code="51454",
        name="Reims",
        departement=DepartementFactory(code="51", name="Marne", region=RegionFactory(code="44", name="Grand Est")),
        epci=EpciFactory(siren="200067213", name="CU du Grand Reims", departement_codes="51"),
        latitude=49.2535,
        longitude=4.0551,
    )
    needing(1, bordeaux, GPEC)
    needing(1, marne, GPEC)
    assert {r.code for r in needs_register(entitled=True).rows if r.kind == DEPARTEMENT} == {"33", "51"}
    ProgrammeFactory(region=bordeaux.departement.region)
    assert {r.code for r in needs_register(entitled=True).rows if r.kind == DEPARTEMENT} == {"33"}
    assert {r.code for r in needs_register(entitled=True).rows if r.kind == EPCI} == {bordeaux.epci_id}


def test_the_query_count_does_not_grow_with_the_rows(bordeaux, libourne, perigueux):
    needing(2, bordeaux, GPEC)
    session_at(bordeaux, GPEC)
    few = count_queries(lambda: needs_register(entitled=True))
    needing(3, libourne, GPEC, AFEST)
    needing(3, perigueux, AFEST)
    session_at(libourne, AFEST)
    session_at(perigueux, GPEC, AFEST)
    many = count_queries(lambda: needs_register(entitled=True))
    assert few == many <= 5
