"""The forms of training requests: the employer's request for a formation, and the change of a request's status."""

from django import forms

from horizon.training.enums import RequestStatus
from horizon.training.models import REFUSAL_REASON_REQUIRED
from horizon.utils.forms import BootstrapFormMixin
from horizon.www.training.forms import long_text

MAX_PEOPLE = 500
NO_SESSION = "Sans session précise"


class StructureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class SessionChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, labels=None, **kwargs):
        self.labels = labels or {}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self.labels.get(obj.pk, str(obj))


class RequestForm(BootstrapFormMixin, forms.Form):
    """`structures`: a queryset of the person's structures (no field when there is only one); `sessions`: the
    formation's upcoming sessions with their labels ({pk: "du … au …, Lieu"})."""

    structure = StructureChoiceField(label="Structure qui demande la formation", queryset=None)
    session = SessionChoiceField(label="Session", queryset=None, required=False, empty_label=NO_SESSION)
    people = forms.IntegerField(
        label="Nombre de personnes à former",
        min_value=1,
        max_value=MAX_PEOPLE,
        initial=1,
        error_messages={
            "required": "Indiquez le nombre de personnes à former.",
            "min_value": "Indiquez au moins une personne à former.",
            "max_value": f"Au plus {MAX_PEOPLE} personnes par demande.",
            "invalid": "Saisissez un nombre entier.",
        },
    )
    preferred_period = forms.CharField(
        label="Période souhaitée",
        max_length=255,
        required=False,
        help_text="Par exemple : « au printemps », « avant septembre », « les mardis ».",
    )
    comment = long_text(
        "Commentaire pour l'organisme", rows=4, help_text="Les postes concernés, vos contraintes, une question…"
    )

    def __init__(self, *args, structures, sessions, session_labels, single_structure=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures
        self.fields["session"].queryset = sessions
        self.fields["session"].labels = session_labels
        if single_structure is not None:  # nothing to choose: the request is for the person's only structure
            del self.fields["structure"]


class TransitionForm(BootstrapFormMixin, forms.Form):
    """One move of a request: the new status (among `allowed`) and a note (the reason, required to refuse)."""

    status = forms.ChoiceField(choices=RequestStatus.choices, widget=forms.HiddenInput())
    note = long_text("Motif", rows=3, max_length=2000)

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(value, RequestStatus(value).label) for value in allowed]
        self.fields["status"].error_messages["invalid_choice"] = "Cette action n'est pas possible pour cette demande."

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == RequestStatus.REFUSED and not (cleaned.get("note") or "").strip():
            self.add_error("note", REFUSAL_REASON_REQUIRED)
        return cleaned
