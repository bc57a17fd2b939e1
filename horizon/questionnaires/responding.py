"""Answering a questionnaire, beyond the life cycle of services.py: what each section asks this response, how far
it got, answers put into words, starting or resuming a draft, and saving the fields of a page each with the
revision it was shown at. Every write goes through services.py; nothing here knows about HTTP.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from horizon.organisations.models import Structure

from . import catalogue, services
from .answers import InvalidAnswer, clean_answer
from .conditions import evaluate
from .definition import SPECIAL_ANSWERS
from .enums import ResponseStatus
from .models import Response


class NotPublished(Exception):
    """The questionnaire has no published version; the message is in French."""


def is_answered(value):
    return value not in (None, "", [])


def _in_variant(question, variant):
    return not question.get("variants") or variant in question["variants"]


@dataclass
class Section:
    """One section of a response: its questions of the response's variant, those shown given the answers."""

    index: int  # from 1, as in URLs
    title: str
    intro: str
    questions: list  # every question of the variant, shown or not
    visible: list  # the questions whose condition holds
    answered: int

    @property
    def total(self):
        return len(self.visible)

    @property
    def unanswered(self):
        return [question for question in self.visible if not question["answered"]]

    @property
    def complete(self):
        return self.answered == self.total


def sections(response, answers=None):
    """The sections that ask this response something (those with questions of its variant), in order."""
    definition = response.version.content
    answers = response.answers if answers is None else answers
    variant = response.variant or None
    result = []
    for index, section in enumerate(definition.get("sections", []), start=1):
        in_variant = []
        for question in section.get("questions", []):
            if _in_variant(question, variant):
                value = answers.get(question["name"])
                in_variant.append(
                    {
                        **question,
                        "dimension": question.get("dimension", section.get("dimension")),
                        "shown": evaluate(question.get("show_if"), answers, variant),
                        "value": value,
                        "answered": is_answered(value),
                        "display": display_value(question, value),
                    }
                )
        if in_variant:
            visible = [question for question in in_variant if question["shown"]]
            result.append(
                Section(
                    index=index,
                    title=section.get("title", f"Section {index}"),
                    intro=section.get("help", section.get("intro", "")),
                    questions=in_variant,
                    visible=visible,
                    answered=sum(1 for question in visible if question["answered"]),
                )
            )
    return result


def find_section(all_sections, index):
    """(previous, section, next) for the section of that index, or None when the response does not ask it."""
    for position, section in enumerate(all_sections):
        if section.index == index:
            previous = all_sections[position - 1] if position > 0 else None
            following = all_sections[position + 1] if position + 1 < len(all_sections) else None
            return previous, section, following
    return None


def resume_section(all_sections):
    """Where to pick up: the first section with a shown question still unanswered (None when all are)."""
    return next((section for section in all_sections if not section.complete), None)


def progress(all_sections):
    """(answered, total) over the whole response."""
    return sum(s.answered for s in all_sections), sum(s.total for s in all_sections)


def _number(value):
    """12000.5 → "12 000,5" (French: thin space between thousands, decimal comma)."""
    return f"{value:,}".replace(",", "\u202f").replace(".", ",")


def display_value(question, value):
    """The answer in French words, as the person chose it ("" when unanswered)."""
    if not is_answered(value):
        return ""
    if isinstance(value, str) and value in SPECIAL_ANSWERS:
        return SPECIAL_ANSWERS[value]
    kind = question["type"]
    if kind == "ladder":
        level = next((level for level in question.get("levels", []) if level["value"] == value), None)
        return level["label"] if level else str(value)
    if kind == "single_choice":
        choice = next((choice for choice in question.get("choices", []) if choice["value"] == value), None)
        return choice["label"] if choice else str(value)
    if kind == "multiple_choice":
        labels = {choice["value"]: choice["label"] for choice in question.get("choices", [])}
        return ", ".join(labels.get(item, str(item)) for item in value)
    if kind == "yes_no":
        return {"yes": "Oui", "no": "Non"}.get(value, str(value))
    if kind == "scale":
        return f"{value} sur {question['max']}"
    if kind == "number":
        unit = question.get("unit")
        return f"{_number(value)} {unit}" if unit else _number(value)
    return str(value)


def has_changed(question, raw, initial):
    """Whether a posted field differs from the answer its page showed (`initial`, the stored value)."""
    try:
        return clean_answer(question, raw) != initial
    except InvalidAnswer:
        return True


@transaction.atomic
def start_or_resume(code, structure, user):
    """(response, created): the structure's draft of that questionnaire if there is one, else a new response on
    the current version, of the variant that suits the structure's size. Raises NotPublished."""
    # Two colleagues clicking "Commencer" at once get the same draft: the structure's row serialises them.
    list(Structure.objects.select_for_update().filter(pk=structure.pk).values_list("pk", flat=True))
    draft = (
        Response.objects.filter(structure=structure, version__code=code, status=ResponseStatus.DRAFT)
        .order_by("-created_at", "-pk")
        .first()
    )
    if draft:
        return draft, False
    version = catalogue.current_version(code)
    if version is None:
        raise NotPublished(f"Le questionnaire « {code} » n'est pas publié : il ne peut pas encore être commencé.")
    variant = catalogue.variant_for(version.content, structure)
    return services.start(version, structure, user, variant=variant), True


@dataclass
class SaveResult:
    response: Response  # as it is after the saves
    saved: list = field(default_factory=list)  # names stored (or already holding that value)
    errors: dict = field(default_factory=dict)  # name → French message; nothing stored for them
    conflicts: dict = field(default_factory=dict)  # name → {"value", "user_id"}: a colleague's answer kept

    @property
    def ok(self):
        return not self.errors and not self.conflicts


def save_fields(response, fields, user):
    """Save each field, {name: (raw, seen revision)}, on its own: a conflict or an error on one field never
    blocks the others, and each field is compared with the revision its own input was shown at.

    Raises services.NotEditable when the response is no longer a draft.
    """
    result = SaveResult(response=response)
    for name, (raw, seen_revision) in fields.items():
        try:
            saved, errors = services.save_answers(response, {name: raw}, seen_revision, user)
        except services.ConflictError as exc:
            result.conflicts.update(exc.conflicts)
            continue
        result.response = saved
        if errors:
            result.errors.update(errors)
        else:
            result.saved.append(name)
    if result.response is response:  # nothing went through: read the current state
        result.response = Response.objects.select_related("version", "structure").get(pk=response.pk)
    return result


def authors(user_ids):
    """{user id: user} for the people named in conflicts."""
    ids = {user_id for user_id in user_ids if user_id is not None}
    return get_user_model().objects.in_bulk(ids) if ids else {}


def dimension_results(response):
    """[(dimension of the definition, its DimensionResult or None)] in the definition's order."""
    stored = {result.dimension: result for result in response.results.all()}
    return [(dimension, stored.get(dimension["code"])) for dimension in response.version.content.get("dimensions", [])]
