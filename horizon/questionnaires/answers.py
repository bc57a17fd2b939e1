"""One answer, as posted by a form, checked and converted to what is stored. Pure functions.

Stored values: a choice's `value` (single choice), a list of values (multiple choice), an int (ladder, scale),
a number (number), a string (texts), "yes" / "no" (yes/no), or the special answers "na" / "unknown" where the
question allows them. An empty answer is None.
"""

from decimal import Decimal, InvalidOperation

from .definition import NOT_APPLICABLE, SPECIAL_ANSWERS, UNKNOWN, allows

MAX_SHORT_TEXT = 255
MAX_LONG_TEXT = 10_000


class InvalidAnswer(ValueError):
    """The answer cannot be stored; the message (French) can be shown next to the question."""


def clean_answer(question, raw):
    """The value to store for `raw` (a string, or a list of strings for a multiple choice)."""
    kind = question["type"]
    if kind == "multiple_choice":
        values = [raw] if isinstance(raw, str) else list(raw or [])
        values = [value for value in values if value != ""]
        allowed = [choice["value"] for choice in question["choices"]]
        unknown = [value for value in values if value not in allowed]
        if unknown:
            raise InvalidAnswer(f"Choix inconnu : {', '.join(unknown)}.")
        return [value for value in allowed if value in values] or None
    raw = (raw or "").strip() if isinstance(raw, str) else raw
    if raw in (None, ""):
        return None
    for special in (NOT_APPLICABLE, UNKNOWN):
        if raw == special:
            if not allows(question, special):
                raise InvalidAnswer(f"« {SPECIAL_ANSWERS[special]} » n'est pas proposé pour cette question.")
            return raw
    if kind == "single_choice":
        if raw not in [str(choice["value"]) for choice in question["choices"]]:
            raise InvalidAnswer("Choisissez une des réponses proposées.")
        return next(choice["value"] for choice in question["choices"] if str(choice["value"]) == raw)
    if kind == "yes_no":
        if raw not in ("yes", "no"):
            raise InvalidAnswer("Répondez par oui ou par non.")
        return raw
    if kind in ("ladder", "scale"):
        allowed = (
            [level["value"] for level in question["levels"]]
            if kind == "ladder"
            else range(question["min"], question["max"] + 1)
        )
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = None
        if value not in allowed:
            raise InvalidAnswer("Choisissez un des niveaux proposés.")
        return value
    if kind == "number":
        return _clean_number(question, raw)
    limit = MAX_SHORT_TEXT if kind == "short_text" else MAX_LONG_TEXT
    if len(raw) > limit:
        raise InvalidAnswer(f"Ce texte est trop long ({len(raw)} caractères, {limit} au plus).")
    return raw


def _clean_number(question, raw):
    try:
        number = Decimal(str(raw).replace("\u202f", "").replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise InvalidAnswer("Saisissez un nombre, par exemple 12 ou 7,5.") from None
    if not number.is_finite():
        raise InvalidAnswer("Saisissez un nombre, par exemple 12 ou 7,5.")
    if "min" in question and number < question["min"]:
        raise InvalidAnswer(f"Le nombre doit être au moins {question['min']}.")
    if "max" in question and number > question["max"]:
        raise InvalidAnswer(f"Le nombre doit être au plus {question['max']}.")
    return int(number) if number == number.to_integral_value() else float(number)
