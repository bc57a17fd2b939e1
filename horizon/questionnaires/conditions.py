"""Declarative display conditions: data, never code (no eval).

A condition is one of:
    {"question": NAME, "equals": VALUE}          the answer is VALUE
    {"question": NAME, "in": [VALUES]}           the answer is one of VALUES (or, for a multiple choice, contains one)
    {"question": NAME, "answered": true|false}   the question has (or has not) an answer
    {"variant": CODE} / {"variant": [CODES]}     the response is of that variant
    {"all": [CONDITIONS]} / {"any": [CONDITIONS]} / {"not": CONDITION}
"""

OPERATORS = ("equals", "in", "answered")
COMBINATORS = ("all", "any", "not")


def evaluate(condition, answers, variant=None):
    """Whether the condition holds for these answers ({question name: value}) and this variant."""
    if condition is None:
        return True
    if "all" in condition:
        return all(evaluate(part, answers, variant) for part in condition["all"])
    if "any" in condition:
        return any(evaluate(part, answers, variant) for part in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], answers, variant)
    if "variant" in condition:
        wanted = condition["variant"]
        return variant in (wanted if isinstance(wanted, list) else [wanted])
    value = answers.get(condition["question"])
    if "answered" in condition:
        return (value not in (None, "", [])) == bool(condition["answered"])
    if "equals" in condition:
        return value == condition["equals"]
    if isinstance(value, list):
        return any(item in condition["in"] for item in value)
    return value in condition["in"]


def referenced_questions(condition):
    """The question names a condition reads, for validation."""
    if not condition:
        return []
    if "all" in condition or "any" in condition:
        return [name for part in condition.get("all", condition.get("any", [])) for name in referenced_questions(part)]
    if "not" in condition:
        return referenced_questions(condition["not"])
    return [condition["question"]] if "question" in condition else []
