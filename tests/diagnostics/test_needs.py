"""Needs: which programme themes a submitted diagnostic calls for, stored as rows, current per structure."""

import pytest

from horizon.diagnostics.models import Need
from horizon.diagnostics.needs import needed_themes
from horizon.organisations.enums import ChangeAction
from horizon.programmes.enums import ProgrammeRole, ProgrammeTheme
from horizon.questionnaires import catalogue, services
from horizon.questionnaires.scoring import DimensionScore
from tests.factories.accounts import user_with_role
from tests.factories.diagnostics import submitted_diagnostic
from tests.factories.organisations import StructureFactory, employer
from tests.factories.territories import CommuneFactory, DepartementFactory, EpciFactory

DEFINITION = {
    "dimensions": [
        {"code": "a", "need_themes": ["gpec", "management"]},
        {"code": "b", "need_themes": ["management"]},
        {"code": "c", "need_themes": ["afest"]},
        {"code": "d"},
    ]
}


def result(code, need):
    return DimensionScore(code, 1, 0.25, 3, 0, 0, 0, need)


@pytest.mark.parametrize(
    "needs, expected",
    [
        ({}, {}),
        ({"a": True}, {"gpec": ["a"], "management": ["a"]}),
        ({"a": True, "b": True}, {"gpec": ["a"], "management": ["a", "b"]}),
        ({"b": True, "c": False}, {"management": ["b"]}),
        ({"d": True}, {}),  # a dimension feeding no programme theme
    ],
)
def test_needed_themes(needs, expected):
    results = {code: result(code, flag) for code, flag in needs.items()}
    assert needed_themes(DEFINITION, results) == expected


def test_the_diagnostic_speaks_the_programme_themes():
    definition = catalogue.load_definition("diagnostic-rh")
    assert [theme["code"] for theme in definition["need_themes"]] == ProgrammeTheme.values
    assert [theme["label"] for theme in definition["need_themes"]] == ProgrammeTheme.labels


@pytest.fixture
def structure(db):
    return StructureFactory(headcount_band="02")


@pytest.fixture
def admin(structure):
    return employer(structure)


def test_a_submitted_diagnostic_records_its_needs_and_the_history(structure, admin):
    response = submitted_diagnostic(structure, admin, levels={"gpec": 0, "dialogue_social": None}, default=3)
    needs = {need.theme: need.dimensions for need in Need.objects.filter(response=response)}
    assert needs == {"gpec": ["gpec"], "dialogue_social": ["dialogue_social"]}
    assert structure.changes.filter(action=ChangeAction.DIAGNOSTIC_SUBMITTED, user=admin).count() == 1


def test_a_flagged_need_counts_even_at_a_good_level(structure, admin):
    response = submitted_diagnostic(structure, admin, default=4, flagged=["management_fonction_rh"])
    assert set(Need.objects.filter(response=response).values_list("theme", flat=True)) == {
        "management",
        "politique_rh",
    }


def test_current_needs_are_those_of_the_latest_diagnostic(structure, admin):
    first = submitted_diagnostic(structure, admin, default=0)
    second = submitted_diagnostic(structure, admin, levels={"gpec": 1}, default=3)
    first.refresh_from_db()
    assert not first.is_latest and second.is_latest
    assert set(Need.objects.current().values_list("theme", flat=True)) == {"gpec"}
    assert Need.objects.filter(response=first).count() > 1  # history is kept


def test_reopening_the_latest_diagnostic_makes_the_previous_one_current_again(structure, admin):
    first = submitted_diagnostic(structure, admin, levels={"afest": 0}, default=3)
    second = submitted_diagnostic(structure, admin, levels={"gpec": 0}, default=3)
    services.reopen(second, user_with_role(ProgrammeRole.COORDINATOR), "Réponses saisies par erreur")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_latest and not second.is_latest
    assert not Need.objects.filter(response=second).exists()
    assert set(Need.objects.current().values_list("theme", flat=True)) == set(
        Need.objects.filter(response=first).values_list("theme", flat=True)
    )


def test_needs_are_queryable_by_territory(db):
    here = CommuneFactory()
    landes = DepartementFactory(code="40", name="Landes")
    mont = EpciFactory(siren="244000675", name="Mont-de-Marsan Agglomération", departement_codes="40")
    there = CommuneFactory(code="40192", name="Mont-de-Marsan", departement=landes, epci=mont)
    for commune in (here, here, there):
        structure = StructureFactory(commune=commune, headcount_band="02")
        submitted_diagnostic(structure, employer(structure), levels={"gpec": 0}, default=3)
    gpec = Need.objects.current().filter(theme=ProgrammeTheme.GPEC)
    assert gpec.in_territory(departement=here.departement).count() == 2
    assert gpec.in_territory(departement=landes).count() == 1
    assert gpec.in_territory(epci=mont).count() == 1
