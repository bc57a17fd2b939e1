"""Scoring and conditions, table-tested without the database."""

from pathlib import Path

import pytest

from horizon.questionnaires import conditions, definition, scoring

SAMPLE = definition.load(Path(__file__).parent / "fixtures" / "sample.yaml")


@pytest.mark.parametrize(
    "condition, answers, variant, expected",
    [
        (None, {}, None, True),
        ({"question": "a", "equals": "yes"}, {"a": "yes"}, None, True),
        ({"question": "a", "equals": "yes"}, {"a": "no"}, None, False),
        ({"question": "a", "in": ["x", "y"]}, {"a": "y"}, None, True),
        ({"question": "a", "in": ["x"]}, {"a": ["z", "x"]}, None, True),
        ({"question": "a", "answered": True}, {"a": ""}, None, False),
        ({"question": "a", "answered": False}, {}, None, True),
        ({"variant": "tpe"}, {}, "tpe", True),
        ({"variant": ["pme"]}, {}, "tpe", False),
        ({"all": [{"question": "a", "equals": 1}, {"variant": "pme"}]}, {"a": 1}, "pme", True),
        ({"any": [{"question": "a", "equals": 2}, {"variant": "pme"}]}, {"a": 1}, "tpe", False),
        ({"not": {"question": "a", "equals": 1}}, {"a": 1}, None, False),
    ],
)
def test_conditions(condition, answers, variant, expected):
    assert conditions.evaluate(condition, answers, variant) is expected


def levels(answers, variant="pme"):
    return {code: result.level for code, result in scoring.score(SAMPLE, answers, variant).items()}


@pytest.mark.parametrize(
    "answers, variant, expected",
    [
        ({}, "pme", {"organisation": None, "formation": None}),
        # ladder 4/4 and choice 2/2 → 4
        ({"fiches_de_poste": 4, "organigramme": "jour"}, "pme", {"organisation": 4, "formation": None}),
        # ladder 2/4 = 0.5, choice 0/2 = 0 → mean 0.25 → level 1
        ({"fiches_de_poste": 2, "organigramme": "non"}, "pme", {"organisation": 1, "formation": None}),
        # mean 0.625 → 2.5 → rounded half up to 3
        ({"fiches_de_poste": 3, "organigramme": "ancien"}, "pme", {"organisation": 3, "formation": None}),
        # "je ne sais pas" and "non applicable" do not count
        ({"fiches_de_poste": "unknown", "organigramme": "jour"}, "pme", {"organisation": 4, "formation": None}),
        ({"fiches_de_poste": "na", "organigramme": "non"}, "pme", {"organisation": 0, "formation": None}),
        # yes (1/1) + scale 3 on 1..5 (0.5) + multiple choice afest (1 of 2) → (1 + 0.5 + 0.5) / 3 → 2.67 → 3
        (
            {"plan_formation": "yes", "plan_formation_suivi": 3, "dispositifs": ["afest"]},
            "pme",
            {"organisation": None, "formation": 3},
        ),
        # the follow-up is hidden when there is no plan: its stale answer does not count
        ({"plan_formation": "no", "plan_formation_suivi": 5}, "pme", {"organisation": None, "formation": 0}),
        # the PME-only question does not count in the TPE variant
        ({"plan_formation": "yes", "entretiens_pme": 0}, "tpe", {"organisation": None, "formation": 4}),
        ({"plan_formation": "yes", "entretiens_pme": 0}, "pme", {"organisation": None, "formation": 2}),
        # an unknown choice value earns nothing rather than crashing
        ({"organigramme": "peut-etre"}, "pme", {"organisation": None, "formation": None}),
    ],
)
def test_levels(answers, variant, expected):
    assert levels(answers, variant) == expected


def test_need_for_support():
    results = scoring.score(SAMPLE, {"fiches_de_poste": 4, "organigramme": "jour"}, "pme")
    assert not results["organisation"].need_support
    flagged = scoring.score(SAMPLE, {"fiches_de_poste": 4, "organigramme": "jour", "besoin_organisation": "yes"}, "pme")
    assert flagged["organisation"].need_support
    low = scoring.score(SAMPLE, {"fiches_de_poste": 1, "organigramme": "non"}, "pme")
    assert low["organisation"].level == 1 and low["organisation"].need_support  # 0.125 × 4 = 0.5 → 1
    all_unknown = scoring.score(SAMPLE, {"fiches_de_poste": "unknown", "organigramme": "unknown"}, "pme")
    assert all_unknown["organisation"].level is None and all_unknown["organisation"].need_support
    assert all_unknown["organisation"].unknown == 2
    assert not scoring.score(SAMPLE, {}, "pme")["formation"].need_support


def test_counts_per_dimension():
    result = scoring.score(SAMPLE, {"fiches_de_poste": "na", "organigramme": "jour"}, "tpe")["organisation"]
    assert (result.scored, result.not_applicable, result.unanswered) == (1, 1, 1)


def test_visible_questions_follow_variant_and_conditions():
    names = [q["name"] for q in scoring.visible_questions(SAMPLE, {"plan_formation": "no"}, "tpe")]
    assert "entretiens_pme" not in names and "plan_formation_suivi" not in names
    names = [q["name"] for q in scoring.visible_questions(SAMPLE, {"plan_formation": "yes"}, "pme")]
    assert "entretiens_pme" in names and "plan_formation_suivi" in names
