from pathlib import Path

import pytest

from horizon.questionnaires import definition
from horizon.questionnaires.answers import InvalidAnswer, clean_answer

QUESTIONS = {
    q["name"]: q for q in definition.questions(definition.load(Path(__file__).parent / "fixtures" / "sample.yaml"))
}


@pytest.mark.parametrize(
    "name, raw, expected",
    [
        ("fiches_de_poste", "3", 3),
        ("fiches_de_poste", "unknown", "unknown"),
        ("fiches_de_poste", "na", "na"),
        ("fiches_de_poste", "", None),
        ("organigramme", "jour", "jour"),
        ("plan_formation", "yes", "yes"),
        ("plan_formation_suivi", "5", 5),
        ("entretiens_pme", "2", 2),
        ("dispositifs", ["cpf", "afest"], ["afest", "cpf"]),
        ("dispositifs", [], None),
        ("effectif_forme", "12", 12),
        ("effectif_forme", "7,5", 7.5),
        ("commentaire", "  Rien à signaler  ", "Rien à signaler"),
    ],
)
def test_clean_answer(name, raw, expected):
    assert clean_answer(QUESTIONS[name], raw) == expected


@pytest.mark.parametrize(
    "name, raw, message",
    [
        ("fiches_de_poste", "7", "niveaux proposés"),
        ("entretiens_pme", "1", "niveaux proposés"),
        ("fiches_de_poste", "beaucoup", "niveaux proposés"),
        ("organigramme", "unknown", "n'est pas proposé"),
        ("organigramme", "peut-etre", "réponses proposées"),
        ("plan_formation", "oui", "oui ou par non"),
        ("plan_formation_suivi", "6", "niveaux proposés"),
        ("dispositifs", ["afest", "rien"], "Choix inconnu : rien"),
        ("effectif_forme", "douze", "Saisissez un nombre"),
        ("effectif_forme", "nan", "Saisissez un nombre"),
        ("commentaire", "x" * 10_001, "trop long"),
    ],
)
def test_bad_answers_are_refused_in_french(name, raw, message):
    with pytest.raises(InvalidAnswer, match=message):
        clean_answer(QUESTIONS[name], raw)
