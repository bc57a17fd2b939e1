"""The inputs of a question, by type, and the few plain forms of the response pages.

Questions come from data (definition files), so their inputs are described here as small objects that the
templates (responses/includes/question*.html) render; the names of the inputs are the questions' names.
"""

import json
from dataclasses import dataclass, field

from django import forms

from horizon.questionnaires.answers import MAX_LONG_TEXT, MAX_SHORT_TEXT
from horizon.questionnaires.definition import NOT_APPLICABLE, SPECIAL_ANSWERS, UNKNOWN, allows
from horizon.utils.forms import BootstrapFormMixin

CHOICE_TYPES = ("ladder", "single_choice", "multiple_choice", "yes_no", "scale")


@dataclass
class Option:
    value: str
    label: str
    description: str = ""
    checked: bool = False
    special: bool = False  # "Non applicable" / "Je ne sais pas"
    id: str = ""


@dataclass
class Feedback:
    """What the status region next to a question says after a save."""

    state: str  # saved | error | conflict | readonly
    message: str
    revealed: int = 0  # questions that a saved answer made appear


@dataclass
class QuestionField:
    question: dict
    revision: int  # the response's revision this field's value was read at
    options: list = field(default_factory=list)
    text: str = ""  # the value of a text or number input
    feedback: Feedback | None = None

    @property
    def name(self):
        return self.question["name"]

    @property
    def kind(self):
        return self.question["type"]

    @property
    def label(self):
        return self.question["label"]

    @property
    def help(self):
        return self.question.get("help", "")

    @property
    def evidence(self):
        """Whether documents may be attached to the answer (see responses/includes/attachments.html)."""
        return bool(self.question.get("evidence"))

    @property
    def is_choice(self):
        return self.kind in CHOICE_TYPES

    @property
    def input_type(self):
        return "checkbox" if self.kind == "multiple_choice" else "radio"

    @property
    def regular_options(self):
        return [option for option in self.options if not option.special]

    @property
    def special_options(self):
        return [option for option in self.options if option.special]

    @property
    def unit(self):
        return self.question.get("unit", "")

    @property
    def max_length(self):
        return MAX_SHORT_TEXT if self.kind == "short_text" else MAX_LONG_TEXT

    @property
    def initial(self):
        """The stored value as JSON: a section saved without JavaScript only sends what differs from it."""
        return json.dumps(self.question.get("value"))

    @property
    def trigger(self):
        """When htmx saves: on every change, and for texts also after a pause in typing."""
        if self.is_choice:
            return "change"
        return "input changed delay:800ms, change"

    @property
    def params(self):
        """The only values an autosave sends: the question's own, and the revision it was shown at."""
        return f"question,{self.name},rev-{self.name}"

    @property
    def vals(self):
        return json.dumps({"question": self.name})

    @property
    def invalid(self):
        return self.feedback is not None and self.feedback.state == "error"


def _is(value, option_value):
    return value is not None and str(value) == option_value


def question_field(question, revision, raw=None, feedback=None):
    """The inputs of a question showing its stored value (`question["value"]`), or `raw` as posted when the post
    was refused (so that nothing typed is lost)."""
    value = question.get("value")
    posted = raw is not None
    kind, name = question["type"], question["name"]
    options = []
    if kind == "ladder":
        options = [
            Option(str(level["value"]), level["label"], level.get("description", "")) for level in question["levels"]
        ]
    elif kind in ("single_choice", "multiple_choice"):
        options = [
            Option(str(choice["value"]), choice["label"], choice.get("description", ""))
            for choice in question["choices"]
        ]
    elif kind == "yes_no":
        options = [Option("yes", "Oui"), Option("no", "Non")]
    elif kind == "scale":
        for number in range(question["min"], question["max"] + 1):
            label = str(number)
            if number == question["min"] and question.get("min_label"):
                label = f"{number} — {question['min_label']}"
            elif number == question["max"] and question.get("max_label"):
                label = f"{number} — {question['max_label']}"
            options.append(Option(str(number), label))
    if kind != "multiple_choice":
        options += [
            Option(special, SPECIAL_ANSWERS[special], special=True)
            for special in (NOT_APPLICABLE, UNKNOWN)
            if kind in CHOICE_TYPES and allows(question, special)
        ]
    for position, option in enumerate(options):
        option.id = f"id_{name}_{position}"
        if posted:
            chosen = raw if isinstance(raw, list) else [raw]
            option.checked = option.value in chosen
        elif kind == "multiple_choice":
            option.checked = isinstance(value, list) and any(_is(item, option.value) for item in value)
        else:
            option.checked = _is(value, option.value)
    text = ""
    if kind not in CHOICE_TYPES:
        if posted:
            text = raw if isinstance(raw, str) else ""
        elif value is not None:
            text = str(value).replace(".", ",") if kind == "number" else str(value)
    return QuestionField(question=question, revision=revision, options=options, text=text, feedback=feedback)


class ReopenForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label="Motif de la réouverture",
        max_length=255,
        help_text="Il est conservé dans l'historique de la réponse et visible par la structure.",
        error_messages={"required": "Indiquez le motif de la réouverture."},
    )
