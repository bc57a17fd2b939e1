"""The definitions shipped in horizon/questionnaires/definitions, and the HR diagnostic's content in particular.

No database: the definitions are data files, and scoring is a pure function.
"""

from pathlib import Path

import pytest

from horizon.questionnaires import conditions, definition, scoring

DEFINITIONS_DIR = Path(definition.__file__).parent / "definitions"
DEFINITIONS = sorted(DEFINITIONS_DIR.glob("*.yaml"))
DIAGNOSTIC = DEFINITIONS_DIR / "diagnostic-rh.yaml"

THEMES = [
    "organisation_fiches_de_poste",
    "recrutement_integration_apprentissage",
    "competences_formation",
    "parcours_professionnels",
    "gpec",
    "remuneration_temps_de_travail",
    "sante_securite_qvct",
    "dialogue_social",
    "egalite_diversite_handicap",
    "management_fonction_rh",
    "benevoles_gouvernance",
]
NEED_THEMES = [
    "fiche_de_poste",
    "recrutement_apprentissage",
    "formation_competences",
    "parcours_professionnels",
    "gpec",
    "politique_rh",
    "afest",
    "management",
    "qvct_teletravail",
    "dialogue_social",
    "egalite_diversite",
]
VARIANTS = ["tpe", "pme"]


def test_there_are_definitions_to_check():
    assert DEFINITIONS, f"aucune définition dans {DEFINITIONS_DIR}"
    assert DIAGNOSTIC in DEFINITIONS


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda path: path.name)
def test_every_definition_is_valid(path):
    assert definition.validate(definition.load(path)) == []


@pytest.fixture(scope="module")
def diagnostic():
    return definition.load(DIAGNOSTIC)


def _in_variant(question, variant):
    return not question.get("variants") or variant in question["variants"]


def _section(diagnostic, theme):
    return next(section for section in diagnostic["sections"] if section["dimension"] == theme)


# --- Structure ------------------------------------------------------------------------------------------------


def test_header(diagnostic):
    assert diagnostic["code"] == "diagnostic-rh"
    assert diagnostic["title"] == "Diagnostic RH"
    assert diagnostic["description"]
    assert diagnostic["levels"] == {"min": 0, "max": 4}
    variants = {variant["code"]: variant for variant in diagnostic["variants"]}
    assert variants["tpe"]["label"] == "Moins de 11 salariés"
    assert variants["tpe"]["headcount_max"] == 10
    assert variants["pme"]["label"] == "De 11 à 249 salariés"
    assert (variants["pme"]["headcount_min"], variants["pme"]["headcount_max"]) == (11, 249)


def test_the_eleven_themes_in_order_with_one_section_each(diagnostic):
    assert [dimension["code"] for dimension in diagnostic["dimensions"]] == THEMES
    assert [section["dimension"] for section in diagnostic["sections"]] == THEMES
    for section in diagnostic["sections"]:
        assert section["title"] and section["intro"], section["dimension"]


def test_need_themes_are_the_programme_themes_and_each_is_fed(diagnostic):
    assert [theme["code"] for theme in diagnostic["need_themes"]] == NEED_THEMES
    assert all(theme["label"] for theme in diagnostic["need_themes"])
    fed = {code for dimension in diagnostic["dimensions"] for code in dimension["need_themes"]}
    assert fed == set(NEED_THEMES)


@pytest.mark.parametrize("theme", THEMES)
def test_each_theme_has_its_restitution_content(diagnostic, theme):
    dimension = next(d for d in diagnostic["dimensions"] if d["code"] == theme)
    assert dimension["label"] and dimension["intro"]
    assert dimension["need_threshold"] == 1
    assert [entry["level"] for entry in dimension["levels_content"]] == [0, 1, 2, 3, 4]
    assert all(entry["meaning"].strip() and entry["next_step"].strip() for entry in dimension["levels_content"])
    assert dimension["need_themes"]
    assert 1 <= len(dimension["financing"]) <= 4
    assert 1 <= len(dimension["resources"]) <= 3


@pytest.mark.parametrize("theme", THEMES)
def test_each_theme_has_four_questions_ending_with_the_need_question(diagnostic, theme):
    questions = _section(diagnostic, theme)["questions"]
    assert len(questions) >= 4
    need = questions[-1]
    assert need["name"] == f"besoin_{theme}"
    assert need["type"] == "yes_no"
    assert need["label"] == "Souhaitez-vous être accompagné·e sur ce thème ?"
    assert need["need_if"] == "yes"
    assert "points" not in need and "variants" not in need and "show_if" not in need
    assert definition.points_range(need) is None


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("theme", THEMES)
def test_each_variant_scores_each_theme_with_at_least_three_questions(diagnostic, theme, variant):
    scored = [
        question
        for question in _section(diagnostic, theme)["questions"]
        if _in_variant(question, variant) and "show_if" not in question and definition.points_range(question)
    ]
    assert len(scored) >= 3, [question["name"] for question in scored]


def test_the_tpe_path_is_shorter_and_the_pme_path_fits_in_forty_minutes(diagnostic):
    asked = {variant: [q for q in definition.questions(diagnostic) if _in_variant(q, variant)] for variant in VARIANTS}
    assert len(asked["tpe"]) < len(asked["pme"])
    assert 55 <= len(asked["pme"]) <= 70


@pytest.mark.parametrize("name", ["ds_cse", "ds_accords", "eg_index", "gpec_cartographie", "gpec_pyramide_ages"])
def test_what_does_not_apply_under_eleven_staff_is_not_asked_to_a_tpe(diagnostic, name):
    question = next(q for q in definition.questions(diagnostic) if q["name"] == name)
    assert question["variants"] == ["pme"]


def test_ladders_have_five_levels_and_most_questions_are_ladders(diagnostic):
    questions = list(definition.questions(diagnostic))
    ladders = [q for q in questions if q["type"] == "ladder"]
    for ladder in ladders:
        assert [level["value"] for level in ladder["levels"]] == [0, 1, 2, 3, 4], ladder["name"]
    assert len(ladders) > len(questions) / 2


# --- Scoring plausible answer sets ----------------------------------------------------------------------------


def _answer_all(diagnostic, variant, pick, **overrides):
    """Answers to every question this variant is asked, in order (so that conditions see earlier answers)."""
    answers = {}
    for question in definition.questions(diagnostic):
        if not _in_variant(question, variant) or not conditions.evaluate(question.get("show_if"), answers, variant):
            continue
        value = overrides.get(question["name"], pick(question))
        if value is not None:
            answers[question["name"]] = value
    return answers


def _unknown(question):
    return definition.UNKNOWN if definition.allows(question, definition.UNKNOWN) else None


def _best(question):
    kind = question["type"]
    if kind == "ladder":
        return max(level["value"] for level in question["levels"])
    if kind == "single_choice":
        return max(question["choices"], key=lambda choice: choice["points"])["value"]
    if kind == "multiple_choice":
        return [choice["value"] for choice in question["choices"] if choice["points"] > 0]
    if kind == "yes_no":
        return "no" if question.get("need_if") == "yes" else "yes"
    if kind == "number":
        return 6
    return None


def _worst(question):
    kind = question["type"]
    if kind == "ladder":
        return min(level["value"] for level in question["levels"])
    if kind == "single_choice":
        return min(question["choices"], key=lambda choice: choice["points"])["value"]
    if kind == "multiple_choice":
        return [choice["value"] for choice in question["choices"] if choice["points"] == 0]
    if kind == "yes_no":
        return "no"
    if kind == "number":
        return 0
    return None


@pytest.mark.parametrize("variant", VARIANTS)
def test_all_je_ne_sais_pas_gives_no_level_and_a_need_everywhere(diagnostic, variant):
    results = scoring.score(diagnostic, _answer_all(diagnostic, variant, _unknown), variant)
    assert list(results) == THEMES
    for result in results.values():
        assert result.level is None and result.need_support, result


@pytest.mark.parametrize("variant", VARIANTS)
def test_all_best_answers_give_level_four_and_no_need(diagnostic, variant):
    answers = _answer_all(diagnostic, variant, _best)
    assert "rec_suivi_alternant" in answers  # shown because they had apprentices
    results = scoring.score(diagnostic, answers, variant)
    assert {theme: result.level for theme, result in results.items()} == dict.fromkeys(THEMES, 4)
    assert not any(result.need_support for result in results.values())


@pytest.mark.parametrize("variant", VARIANTS)
def test_asking_for_support_flags_a_need_even_at_level_four(diagnostic, variant):
    answers = _answer_all(diagnostic, variant, _best, besoin_gpec="yes", besoin_dialogue_social="yes")
    results = scoring.score(diagnostic, answers, variant)
    assert {theme for theme, result in results.items() if result.need_support} == {"gpec", "dialogue_social"}
    assert results["gpec"].level == 4


@pytest.mark.parametrize("variant", VARIANTS)
def test_all_lowest_answers_give_level_zero_and_a_need_everywhere(diagnostic, variant):
    results = scoring.score(diagnostic, _answer_all(diagnostic, variant, _worst), variant)
    for result in results.values():
        assert result.level == 0 and result.need_support, result


def test_a_seven_person_association(diagnostic):
    """A small association: some practices in place, a weak spot on health and safety, no apprentices."""
    answers = {
        # organisation: 1/4, 2/4, 2/4, 2 tools of 5 → mean 0.4125 → level 2
        "org_fiches_de_poste": 1,
        "org_qui_fait_quoi": 2,
        "org_charge_travail": 2,
        "org_outils": ["planning", "documents"],
        "org_changements": 0,  # a PME question: not asked to a TPE, so not counted
        "besoin_organisation_fiches_de_poste": "no",
        # recruitment: 1/4, 3 of 5 formalities, 1/4, never had apprentices 0/2 → mean 0.275 → level 1
        "rec_recrutement": 1,
        "rec_formalites": ["dpae", "contrat", "mutuelle"],
        "rec_integration": 1,
        "rec_alternance": "jamais",
        "rec_suivi_alternant": 4,  # hidden by its condition: not counted
        # health and safety: 0, 1/4, 1/3, 1/4, telework not applicable → mean 0.208 → level 1
        "sst_duerp": 0,
        "sst_prevention": 1,
        "sst_referent": "direction",
        "sst_qvct": 1,
        "sst_teletravail": "na",
        "besoin_sante_securite_qvct": "yes",
        # governance: 3/4, 2/4, unknown, 2/4 → mean 0.583 → level 2
        "gov_role_employeur": 3,
        "gov_delegations": 2,
        "gov_benevoles_salaries": "unknown",
        "gov_formation_benevoles": 2,
    }
    results = scoring.score(diagnostic, answers, "tpe")
    assert results["organisation_fiches_de_poste"].level == 2
    assert not results["organisation_fiches_de_poste"].need_support
    assert results["recrutement_integration_apprentissage"].level == 1
    assert results["recrutement_integration_apprentissage"].need_support
    assert results["sante_securite_qvct"].level == 1
    assert results["sante_securite_qvct"].not_applicable == 1
    assert results["sante_securite_qvct"].need_support
    assert results["benevoles_gouvernance"].level == 2
    assert results["benevoles_gouvernance"].unknown == 1
    assert not results["benevoles_gouvernance"].need_support
    # themes left untouched: no level, no need (nothing said either way)
    assert results["gpec"].level is None and not results["gpec"].need_support


def test_a_sixty_person_association_without_equality_index(diagnostic):
    """A PME that never heard of the equality index: the index question weighs on the theme like the others."""
    answers = {
        "eg_femmes_hommes": 2,
        "eg_index": 0,
        "eg_pratiques": ["criteres", "horaires"],
        "eg_handicap": 2,
        "eg_discriminations": 1,
        "besoin_egalite_diversite_handicap": "no",
        "ds_parler_du_travail": 3,
        "ds_information": 3,
        "ds_desaccords": 2,
        "ds_expression_tpe": 0,  # a TPE question: not asked to a PME
        "ds_cse": 3,
        "ds_accords": 2,
        "besoin_dialogue_social": "no",
    }
    results = scoring.score(diagnostic, answers, "pme")
    # (0.5 + 0 + 0.4 + 0.5 + 0.25) / 5 = 0.33 → 1.32 → level 1
    assert results["egalite_diversite_handicap"].level == 1
    assert results["egalite_diversite_handicap"].need_support
    # (0.75 + 0.75 + 0.5 + 0.75 + 0.5) / 5 = 0.65 → 2.6 → level 3
    assert results["dialogue_social"].level == 3
    assert results["dialogue_social"].scored == 5
    assert not results["dialogue_social"].need_support
