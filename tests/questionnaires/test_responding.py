"""What answering needs beyond the life cycle: sections of a response, progress, answers in words, start or
resume, and saving several fields each with its own revision."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from horizon.questionnaires import responding, services
from horizon.questionnaires.definition import load
from tests.factories.accounts import UserFactory
from tests.factories.organisations import StructureFactory

SAMPLE = load(Path(__file__).parent / "fixtures" / "sample.yaml")
QUESTIONS = {q["name"]: q for section in SAMPLE["sections"] for q in section["questions"]}


def fake_response(answers, variant="pme"):
    return SimpleNamespace(version=SimpleNamespace(content=SAMPLE), answers=answers, variant=variant)


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("fiches_de_poste", None, ""),
        ("fiches_de_poste", 4, "Fiches revues chaque année en entretien"),
        ("fiches_de_poste", "na", "Non applicable"),
        ("fiches_de_poste", "unknown", "Je ne sais pas"),
        ("organigramme", "non", "Non"),
        ("besoin_organisation", "yes", "Oui"),
        ("plan_formation_suivi", 4, "4 sur 5"),
        ("dispositifs", ["afest", "cpf"], "AFEST, CPF"),
        ("dispositifs", [], ""),
        ("effectif_forme", 12, "12 personnes"),
        ("effectif_forme", 7.5, "7,5 personnes"),
        ("effectif_forme", 12000, "12\u202f000 personnes"),
        ("commentaire", "Rien à signaler", "Rien à signaler"),
    ],
)
def test_answers_in_words(name, value, expected):
    assert responding.display_value(QUESTIONS[name], value) == expected


def test_sections_count_the_shown_questions_of_the_variant():
    sections = responding.sections(fake_response({"fiches_de_poste": 2, "plan_formation": "no"}))
    assert [(s.index, s.answered, s.total) for s in sections] == [(1, 1, 3), (2, 1, 5)]
    assert responding.progress(sections) == (2, 8)
    assert responding.resume_section(sections).index == 1
    tpe = responding.sections(fake_response({"plan_formation": "yes"}, variant="tpe"))
    assert [q["name"] for q in tpe[1].visible] == [
        "plan_formation",
        "plan_formation_suivi",
        "dispositifs",
        "effectif_forme",
        "commentaire",
    ]
    assert "entretiens_pme" not in [q["name"] for q in tpe[1].questions]


def test_resume_is_none_when_everything_shown_is_answered():
    answers = {
        "fiches_de_poste": 2,
        "organigramme": "non",
        "besoin_organisation": "no",
        "plan_formation": "no",
        "entretiens_pme": 2,
        "dispositifs": ["cpf"],
        "effectif_forme": 1,
        "commentaire": "—",
    }
    sections = responding.sections(fake_response(answers))
    assert responding.resume_section(sections) is None
    previous, section, following = responding.find_section(sections, 2)
    assert (previous.index, section.index, following) == (1, 2, None)
    assert responding.find_section(sections, 3) is None


@pytest.mark.parametrize(
    "name, raw, initial, changed",
    [
        ("fiches_de_poste", "2", 2, False),
        ("fiches_de_poste", "3", 2, True),
        ("fiches_de_poste", "", None, False),
        ("dispositifs", ["cpf", "afest"], ["afest", "cpf"], False),
        ("effectif_forme", "7,5", 7.5, False),
        ("effectif_forme", "sept", None, True),  # invalid: sent, so that the error is shown
        ("commentaire", " texte ", "texte", False),
    ],
)
def test_has_changed_compares_with_the_answer_the_page_showed(name, raw, initial, changed):
    assert responding.has_changed(QUESTIONS[name], raw, initial) is changed


@pytest.fixture
def version(db):
    return services.publish(SAMPLE)[0]


def test_start_or_resume_gives_back_the_draft(version):
    structure, user = StructureFactory(headcount_band="11"), UserFactory()
    response, created = responding.start_or_resume("exemple", structure, user)
    assert created and response.variant == "tpe"  # the sample's variants have no size bounds: the first
    again, created = responding.start_or_resume("exemple", structure, user)
    assert again == response and not created
    services.submit(response, user)
    third, created = responding.start_or_resume("exemple", structure, user)
    assert created and third != response


def test_start_or_resume_refuses_an_unpublished_questionnaire(db):
    with pytest.raises(responding.NotPublished, match="n'est pas publié"):
        responding.start_or_resume("inconnu", StructureFactory(), UserFactory())


def test_save_fields_keeps_each_field_apart(version):
    alice, bruno = UserFactory(), UserFactory()
    response = services.start(version, StructureFactory(), alice, variant="pme")
    services.save_answers(response, {"organigramme": "jour"}, 0, alice)  # revision 1
    result = responding.save_fields(
        response,
        {
            "organigramme": ("non", 0),  # stale: Alice's answer stays
            "effectif_forme": ("beaucoup", 0),  # invalid
            "fiches_de_poste": ("3", 0),  # fine
        },
        bruno,
    )
    assert result.conflicts == {"organigramme": {"value": "jour", "user_id": alice.pk}}
    assert list(result.errors) == ["effectif_forme"] and result.saved == ["fiches_de_poste"]
    assert not result.ok
    assert result.response.answers == {"organigramme": "jour", "fiches_de_poste": 3}
    response.refresh_from_db()
    assert response.answers == {"organigramme": "jour", "fiches_de_poste": 3}
