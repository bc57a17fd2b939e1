"""Answers to the HR diagnostic built from a level per theme: for the demo data, the tests and the benchmarks.

Every ladder question of a theme gets the theme's level (or "Je ne sais pas" when the level is None), the
"besoin d'accompagnement" yes/no questions say yes for the themes listed in `flagged`, and choice questions take
as many points as the level suggests. Questions of another variant are left out.
"""

from horizon.questionnaires.definition import UNKNOWN, questions


def _choices_for(question, level, scale_max):
    scored = [choice for choice in question["choices"] if choice.get("points", 0) > 0]
    if question["type"] == "single_choice":
        ranked = sorted(question["choices"], key=lambda choice: choice.get("points", 0))
        return ranked[round(level / scale_max * (len(ranked) - 1))]["value"]
    count = round(level / scale_max * len(scored))
    if count == 0:
        zero = [choice["value"] for choice in question["choices"] if choice.get("points", 0) == 0]
        return zero[:1]
    return [choice["value"] for choice in scored[:count]]


def answers_for_levels(definition, variant, levels=None, default=2, flagged=()):
    """{question name: stored answer} for a response whose themes sit at `levels` ({dimension: level or None})."""
    levels = levels or {}
    scale_max = definition.get("levels", {"max": 4})["max"]
    answers = {}
    for question in questions(definition):
        if question.get("variants") and variant not in question["variants"]:
            continue
        level = levels.get(question["dimension"], default)
        kind = question["type"]
        if kind == "yes_no" and question.get("need_if"):
            answers[question["name"]] = question["need_if"] if question["dimension"] in flagged else "no"
        elif level is None:
            if kind in ("ladder", "yes_no"):
                answers[question["name"]] = UNKNOWN
        elif kind == "ladder":
            answers[question["name"]] = min(level, max(entry["value"] for entry in question["levels"]))
        elif kind in ("single_choice", "multiple_choice"):
            answers[question["name"]] = _choices_for(question, level, scale_max)
    return answers
