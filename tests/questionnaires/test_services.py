"""Publishing, saving as you go (with conflicts between colleagues), submitting and reopening."""

import copy
from pathlib import Path

import pytest

from horizon.questionnaires import services
from horizon.questionnaires.definition import load
from horizon.questionnaires.enums import ResponseEventKind, ResponseStatus
from tests.factories.accounts import UserFactory
from tests.factories.organisations import StructureFactory

SAMPLE = load(Path(__file__).parent / "fixtures" / "sample.yaml")


@pytest.fixture
def version(db):
    return services.publish(SAMPLE)[0]


@pytest.fixture
def response(version):
    return services.start(version, StructureFactory(), UserFactory(), variant="pme")


def test_publishing_freezes_a_new_version_only_when_the_content_changes(db):
    first, created = services.publish(SAMPLE)
    assert created and first.number == 1
    again, created = services.publish(copy.deepcopy(SAMPLE))
    assert not created and again == first
    changed = copy.deepcopy(SAMPLE)
    changed["sections"][0]["questions"][0]["label"] = "Vos postes sont-ils décrits par écrit ?"
    second, created = services.publish(changed)
    assert created and second.number == 2
    first.refresh_from_db()
    assert first.content["sections"][0]["questions"][0]["label"] == "Vos postes sont-ils décrits ?"


def test_an_invalid_definition_is_never_published(db):
    broken = copy.deepcopy(SAMPLE)
    broken["sections"][0]["questions"][0]["type"] = "slider"
    with pytest.raises(services.DefinitionInvalid, match="type inconnu"):
        services.publish(broken)


def test_answers_are_saved_as_people_go_and_bad_ones_explained(response):
    user = UserFactory()
    response, errors = services.save_answers(response, {"fiches_de_poste": "3", "organigramme": "bof"}, 0, user)
    assert response.answers == {"fiches_de_poste": 3}
    assert errors == {"organigramme": "Choisissez une des réponses proposées."}
    assert response.revision == 1
    response, _ = services.save_answers(response, {"fiches_de_poste": ""}, 1, user)
    assert response.answers == {} and response.revision == 2


def test_a_stale_page_merges_other_questions_but_never_overwrites_a_colleague(response):
    alice, bob = UserFactory(), UserFactory()
    services.save_answers(response, {"fiches_de_poste": "2"}, 0, alice)  # revision 1
    # Bob's page was loaded at revision 0: another question merges…
    response, _ = services.save_answers(response, {"organigramme": "jour"}, 0, bob)
    assert response.answers == {"fiches_de_poste": 2, "organigramme": "jour"}
    # …the same question with another value is refused with what Alice wrote, and nothing is stored.
    with pytest.raises(services.ConflictError) as conflict:
        services.save_answers(response, {"fiches_de_poste": "4", "plan_formation": "yes"}, 0, bob)
    assert conflict.value.conflicts == {"fiches_de_poste": {"value": 2, "user_id": alice.pk}}
    response.refresh_from_db()
    assert response.answers == {"fiches_de_poste": 2, "organigramme": "jour"}
    # The same value is no conflict, and once Bob has seen the current revision he may change it.
    services.save_answers(response, {"fiches_de_poste": "2"}, 0, bob)
    response, _ = services.save_answers(response, {"fiches_de_poste": "4"}, response.revision, bob)
    assert response.answers["fiches_de_poste"] == 4


def test_submit_scores_freezes_and_reopen_is_recorded(response):
    user, coordinator = UserFactory(), UserFactory()
    services.save_answers(response, {"fiches_de_poste": "4", "organigramme": "jour", "plan_formation": "no"}, 0, user)
    results = services.submit(response, user)
    assert results["organisation"].level == 4
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED and response.submitted_by == user
    assert {r.dimension: r.level for r in response.results.all()} == {"organisation": 4, "formation": 0}

    with pytest.raises(services.NotEditable, match="n'est plus modifiable"):
        services.save_answers(response, {"fiches_de_poste": "1"}, response.revision, user)
    with pytest.raises(services.NotEditable, match="motif"):
        services.reopen(response, coordinator, "  ")

    services.reopen(response, coordinator, "Erreur sur l'effectif")
    response.refresh_from_db()
    assert response.status == ResponseStatus.DRAFT and not response.results.exists()
    assert [(e.kind, e.note) for e in response.events.all()] == [
        (ResponseEventKind.STARTED, ""),
        (ResponseEventKind.SUBMITTED, ""),
        (ResponseEventKind.REOPENED, "Erreur sur l'effectif"),
    ]


def test_a_new_version_never_changes_past_responses_or_scores(response):
    user = UserFactory()
    services.save_answers(response, {"fiches_de_poste": "2", "organigramme": "jour"}, 0, user)
    services.submit(response, user)
    changed = copy.deepcopy(SAMPLE)
    changed["sections"][0]["questions"][1]["choices"][2]["points"] = 0
    services.publish(changed)
    response.refresh_from_db()
    assert response.version.number == 1
    assert response.results.get(dimension="organisation").level == 3


def test_export_has_one_row_per_response_with_its_version_and_answers_by_name(response):
    from io import BytesIO

    from openpyxl import load_workbook

    from horizon.questionnaires.exports import FIXED_COLUMNS, responses_workbook

    user = UserFactory()
    services.save_answers(response, {"fiches_de_poste": "2", "dispositifs": ["afest", "cpf"]}, 0, user)
    services.submit(response, user)
    changed = copy.deepcopy(SAMPLE)
    changed["sections"][0]["questions"].append({"name": "nouvelle", "type": "short_text", "label": "Nouvelle"})
    version_2, _ = services.publish(changed)
    later = services.start(version_2, StructureFactory(), user, variant="tpe")
    services.save_answers(later, {"nouvelle": "oui"}, 0, user)

    rows = list(load_workbook(BytesIO(responses_workbook("exemple"))).active.iter_rows(values_only=True))
    header = rows[0]
    assert header[: len(FIXED_COLUMNS)] == tuple(FIXED_COLUMNS)
    assert "nouvelle" in header and "fiches_de_poste" in header
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_id[response.pk]["version"] == 1 and by_id[response.pk]["etat"] == "Envoyé"
    assert by_id[response.pk]["fiches_de_poste"] == 2
    assert by_id[response.pk]["dispositifs"] == "afest ; cpf"
    assert by_id[later.pk]["version"] == 2 and by_id[later.pk]["nouvelle"] == "oui"
    assert by_id[later.pk]["siret"] == later.structure.siret
