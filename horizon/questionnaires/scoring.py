"""Scoring: answers → a maturity level per dimension, and whether support is needed. Pure functions.

Each scored question gives a ratio between 0 and 1: (points − lowest) / (highest − lowest) of its own range.
A dimension's level is the weighted mean of its ratios on the definition's scale (0 to 4 by default), rounded
half up. "Non applicable", "Je ne sais pas", unanswered and hidden questions (other variant, `show_if` false)
do not count. A dimension needs support when its level is at or below its `need_threshold` (default: one above
the lowest level), when a yes/no question answered as its `need_if` says so, or when nothing could be scored
because every answer was "Je ne sais pas".
"""

import math
from dataclasses import dataclass

from .conditions import evaluate
from .definition import NOT_APPLICABLE, UNKNOWN, points_range, questions


@dataclass(frozen=True)
class DimensionScore:
    dimension: str
    level: int | None  # None when no answer could be scored
    ratio: float | None
    scored: int
    unknown: int
    not_applicable: int
    unanswered: int
    need_support: bool


def visible_questions(definition, answers, variant=None):
    """The questions this response is asked, in order: those of its variant whose condition holds."""
    for question in questions(definition):
        if question.get("variants") and variant not in question["variants"]:
            continue
        if evaluate(question.get("show_if"), answers, variant):
            yield question


def question_points(question, value):
    """The points an answer earns, or None when it earns none (not scored, special answer, unknown choice)."""
    kind = question["type"]
    if kind == "single_choice":
        return next((c["points"] for c in question["choices"] if c["value"] == value and "points" in c), None)
    if kind == "multiple_choice":
        if not isinstance(value, list):
            return None
        return sum(c.get("points", 0) for c in question["choices"] if c["value"] in value)
    if kind in ("ladder", "scale"):
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if kind == "yes_no":
        return question.get("points", {}).get(value)
    return None


def question_ratio(question, value):
    points, bounds = question_points(question, value), points_range(question)
    if points is None or bounds is None or bounds[0] == bounds[1]:
        return None
    low, high = bounds
    return min(max((points - low) / (high - low), 0.0), 1.0)


def _round_half_up(value):
    return int(math.floor(value + 0.5))


class _Tally:
    def __init__(self):
        self.weights = self.weighted_sum = 0.0
        self.scored = self.unknown = self.not_applicable = self.unanswered = 0
        self.flagged = False

    def add(self, question, value):
        if value in (None, "", []):
            self.unanswered += 1
        elif value == UNKNOWN:
            self.unknown += 1
        elif value == NOT_APPLICABLE:
            self.not_applicable += 1
        else:
            if question["type"] == "yes_no" and question.get("need_if") == value:
                self.flagged = True
            ratio = question_ratio(question, value)
            if ratio is not None:
                weight = question.get("weight", 1)
                self.weights += weight
                self.weighted_sum += weight * ratio
                self.scored += 1


def score(definition, answers, variant=None):
    """{dimension code: DimensionScore} for every dimension of the definition."""
    scale = definition.get("levels", {"min": 0, "max": 4})
    low, high = scale["min"], scale["max"]
    tallies = {dimension["code"]: _Tally() for dimension in definition.get("dimensions", [])}
    for question in visible_questions(definition, answers, variant):
        if question["dimension"] in tallies:
            tallies[question["dimension"]].add(question, answers.get(question["name"]))
    results = {}
    for dimension in definition.get("dimensions", []):
        tally = tallies[dimension["code"]]
        ratio = tally.weighted_sum / tally.weights if tally.weights else None
        level = None if ratio is None else low + _round_half_up(ratio * (high - low))
        threshold = dimension.get("need_threshold", low + 1)
        results[dimension["code"]] = DimensionScore(
            dimension=dimension["code"],
            level=level,
            ratio=ratio,
            scored=tally.scored,
            unknown=tally.unknown,
            not_applicable=tally.not_applicable,
            unanswered=tally.unanswered,
            need_support=tally.flagged
            or (level is not None and level <= threshold)
            or (level is None and tally.unknown > 0),
        )
    return results
