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


# --- Restitution content (optional keys, checked when present) -----------------------------------------------


@pytest.fixture
def enriched(sample):
    """The sample with every optional restitution key filled in correctly."""
    enriched = copy.deepcopy(sample)
    enriched["variants"][0]["headcount_max"] = 10
    enriched["variants"][1].update(headcount_min=11, headcount_max=249)
    enriched["need_themes"] = [
        {"code": "fiche_de_poste", "label": "Fiche de poste"},
        {"code": "politique_rh", "label": "Politique RH"},
    ]
    enriched["dimensions"][0].update(
        intro="Des rôles clairs évitent les tensions.",
        levels_content=[
            {"level": level, "meaning": f"Niveau {level}", "next_step": f"Étape vers le niveau {level + 1}"}
            for level in range(5)
        ],
        need_themes=["fiche_de_poste", "politique_rh"],
        financing=[{"label": "OPCO", "description": "Finance le plan de développement des compétences."}],
        resources=[{"label": "Modèle de fiche de poste", "description": "Une trame d'une page."}],
    )
    return enriched


def test_complete_restitution_content_is_valid(enriched):
    assert definition.validate(enriched) == []


@pytest.mark.parametrize(
    "path, value, message",
    [
        (("variants", 0, "headcount_max"), "dix", "« headcount_max » doit être un nombre entier"),
        (("variants", 0, "headcount_max"), -1, "nombre entier de salariés (0 ou plus)"),
        (("variants", 1, "headcount_min"), True, "« headcount_min » doit être un nombre entier"),
        (("variants", 1, "headcount_min"), 11.5, "« headcount_min » doit être un nombre entier"),
        (("variants", 1, "headcount_min"), 300, "« headcount_min » doit être inférieur ou égal"),
        (("need_themes",), "fiche_de_poste", "« need_themes » est une liste"),
        (("need_themes", 1, "label"), "", "need_themes[1] : « code » et « label » sont obligatoires"),
        (("need_themes", 1, "code"), "fiche_de_poste", "« fiche_de_poste » est déclaré deux fois"),
        (("dimensions", 0, "need_themes"), ["fiche_de_poste", "gpec"], "thème(s) de besoin inconnu(s) : gpec"),
        (("dimensions", 0, "intro"), " ", "« intro » est un texte non vide"),
        (("dimensions", 0, "levels_content", 4, "level"), 3, "décrit chaque niveau de 0 à 4, une fois chacun"),
        (("dimensions", 0, "levels_content", 4, "level"), 5, "décrit chaque niveau de 0 à 4"),
        (("dimensions", 0, "levels_content", 4, "level"), "4", "décrit chaque niveau de 0 à 4"),
        (("dimensions", 0, "levels_content", 2, "next_step"), "", "le niveau 2 de « levels_content » a un"),
        (("dimensions", 0, "levels_content", 0, "meaning"), None, "le niveau 0 de « levels_content » a un"),
        (("dimensions", 0, "levels_content"), "à compléter", "décrit chaque niveau de 0 à 4"),
        (("dimensions", 0, "financing", 0, "description"), "", "chaque entrée de « financing » a un « label »"),
        (("dimensions", 0, "financing"), {"label": "OPCO"}, "chaque entrée de « financing »"),
        (("dimensions", 0, "resources"), [{"label": "Guide"}], "chaque entrée de « resources » a un « label »"),
    ],
)
def test_validation_of_restitution_content_names_each_problem(enriched, path, value, message):
    errors = _broken(enriched, path, value)
    assert any(message in error for error in errors), errors


def test_levels_content_follows_the_scale_of_the_definition(enriched):
    enriched["levels"] = {"min": 1, "max": 3}
    errors = definition.validate(enriched)
    assert any("décrit chaque niveau de 1 à 3" in error for error in errors), errors
    enriched["dimensions"][0]["levels_content"] = enriched["dimensions"][0]["levels_content"][1:4]
    assert definition.validate(enriched) == []


def test_need_themes_of_a_dimension_need_the_top_level_list(enriched):
    del enriched["need_themes"]
    errors = definition.validate(enriched)
    assert any("thème(s) de besoin inconnu(s) : fiche_de_poste, politique_rh" in error for error in errors), errors


def test_one_headcount_bound_is_enough(enriched):
    del enriched["variants"][1]["headcount_max"]
    assert definition.validate(enriched) == []
