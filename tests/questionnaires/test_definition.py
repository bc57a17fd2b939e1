import copy
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from horizon.questionnaires import definition

SAMPLE = Path(__file__).parent / "fixtures" / "sample.yaml"


@pytest.fixture
def sample():
    return definition.load(SAMPLE)


def test_the_sample_definition_is_valid(sample):
    assert definition.validate(sample) == []


def test_content_hash_is_stable_and_changes_with_content(sample):
    same = copy.deepcopy(sample)
    assert definition.content_hash(sample) == definition.content_hash(same)
    same["sections"][0]["questions"][0]["label"] = "Autre libellé"
    assert definition.content_hash(sample) != definition.content_hash(same)


def test_questions_inherit_their_section_dimension(sample):
    dimensions = {q["name"]: q["dimension"] for q in definition.questions(sample)}
    assert dimensions["fiches_de_poste"] == "organisation"
    assert dimensions["plan_formation"] == "formation"


def _broken(sample, path, value):
    broken = copy.deepcopy(sample)
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return definition.validate(broken)


@pytest.mark.parametrize(
    "path, value, message",
    [
        (("code",), "", "« code » est obligatoire"),
        (("sections", 0, "questions", 1, "name"), "fiches_de_poste", "déjà utilisé"),
        (("sections", 0, "questions", 1, "name"), "Pas Stable", "identifiant stable"),
        (("sections", 0, "questions", 1, "type"), "slider", "type inconnu « slider »"),
        (
            ("sections", 0, "questions", 1, "choices"),
            [{"value": "a", "label": "A", "points": 1}],
            "au moins deux choix",
        ),
        (
            ("sections", 0, "questions", 0, "levels"),
            [{"value": 2, "label": "b"}, {"value": 1, "label": "a"}],
            "croissantes",
        ),
        (("sections", 0, "questions", 1, "choices", 0, "points"), None, "donner des points"),
        (("sections", 0, "dimension"), "inconnue", "dimension inconnue « inconnue »"),
        (("sections", 1, "questions", 2, "variants"), ["eti"], "variante(s) inconnue(s) : eti"),
        (
            ("sections", 1, "questions", 1, "show_if"),
            {"question": "plus_tard", "equals": 1},
            "pas une question posée avant",
        ),
        (
            ("sections", 1, "questions", 1, "show_if"),
            {"question": "plan_formation", "contains": 1},
            "equals, in ou answered",
        ),
        (("sections", 1, "questions", 1, "show_if"), {"python": "1 == 1"}, "mal formée"),
        (("sections", 1, "questions", 1, "min"), 9, "« min » < « max »"),
        (("sections", 0, "questions", 2, "need_if"), "peut-être", "« need_if » vaut"),
        (("levels",), {"min": 4, "max": 0}, "min < max"),
    ],
)
def test_validation_names_each_problem_in_french(sample, path, value, message):
    errors = _broken(sample, path, value)
    assert any(message in error for error in errors), errors


def test_unreadable_files_are_explained(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: [unclosed", encoding="utf-8")
    with pytest.raises(definition.DefinitionError, match="YAML invalide"):
        definition.load(bad)
    bad.write_text("- une liste\n", encoding="utf-8")
    with pytest.raises(definition.DefinitionError, match="un dictionnaire YAML"):
        definition.load(bad)


def test_check_command_accepts_a_valid_file_and_rejects_a_broken_one(tmp_path, capsys):
    call_command("check_questionnaires", str(SAMPLE))
    assert "✓ sample.yaml" in capsys.readouterr().out
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "code: x\ntitle: X\nsections:\n  - title: S\n    questions:\n      - {name: q, type: slider, label: Q}\n"
    )
    with pytest.raises(CommandError, match="1 définition"):
        call_command("check_questionnaires", str(broken))
    assert "type inconnu « slider »" in capsys.readouterr().out
