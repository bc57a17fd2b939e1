"""CommuneField: a commune chosen by typing its name or postal code, with an accessible autocomplete.

With JavaScript, the person picks an option and the hidden input carries its INSEE code. Without it, or when the
code is missing, the typed text is enough when it names a single commune: "Bordeaux", "Bordeaux (33)", "33000".
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from horizon.territories.models import Commune, Departement, Epci, Region

TEXT_SUFFIX = "_texte"
MAX_TEXT_LENGTH = 200


@dataclass(frozen=True)
class TypedCommune:
    """What the widget posts: the code the autocomplete chose (may be empty) and the visible text (None when only
    the code was posted, as a script or a test may do)."""

    code: str
    text: str | None


class CommuneWidget(forms.Widget):
    template_name = "territories/widgets/commune_autocomplete.html"

    def value_from_datadict(self, data, files, name):
        text = data.get(name + TEXT_SUFFIX)
        return TypedCommune(code=(data.get(name) or "").strip(), text=None if text is None else text.strip())

    def value_omitted_from_data(self, data, files, name):
        return name not in data and name + TEXT_SUFFIX not in data

    def get_context(self, name, value, attrs):
        """`value` is what CommuneField.prepare_value gives: a Commune, or the text that named none."""
        context = super().get_context(name, value, attrs)
        field_id = context["widget"]["attrs"].get("id") or name
        code, text = "", ""
        if isinstance(value, Commune):
            code, text = value.code, value.label
        elif isinstance(value, TypedCommune):
            text = value.text or ""
        context["widget"].update(
            code=code,
            text=text,
            text_name=name + TEXT_SUFFIX,
            listbox_id=f"{field_id}_listbox",
            url=reverse("territories:communes"),
        )
        return context


class CommuneField(forms.ModelChoiceField):
    """A ModelChoiceField on Commune keyed by INSEE code, whose widget is an autocomplete (see the module)."""

    widget = CommuneWidget
    default_error_messages = {
        "ambiguous": "Choisissez une commune dans la liste : plusieurs communes correspondent à « %(text)s ».",
        "unknown": "Aucune commune ne correspond à « %(text)s ».",
    }
    default_help_text = (
        "Nom ou code postal, par exemple « Bordeaux » ou « 33000 ». "
        "Si plusieurs communes portent ce nom, précisez le département : « Saint-Denis (93) »."
    )

    def __init__(self, queryset=None, *, help_text="", **kwargs):
        queryset = Commune.objects.all() if queryset is None else queryset
        super().__init__(queryset, help_text=help_text or self.default_help_text, **kwargs)

    def to_python(self, value):
        if isinstance(value, Commune) or value in self.empty_values:
            return value or None
        if not isinstance(value, TypedCommune):  # a code, from initial data
            value = TypedCommune(code=str(value), text=None)
        return self._resolve(value)

    def _resolve(self, typed):
        if typed.text is None:
            return self._by_code(typed.code) if typed.code else None
        text = typed.text[:MAX_TEXT_LENGTH]
        if not text:
            return None
        if typed.code and (chosen := self.queryset.filter(pk=typed.code).named(text).first()):
            return chosen
        candidates = list(self.queryset.named(text)[:2]) or self.queryset.search(text, limit=2)
        if len(candidates) == 1:
            return candidates[0]
        code = "ambiguous" if candidates else "unknown"
        raise ValidationError(self.error_messages[code], code=code, params={"text": text})

    def _by_code(self, code):
        try:
            return self.queryset.get(pk=code)
        except Commune.DoesNotExist:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": code}
            ) from None

    def prepare_value(self, value):
        """For the widget: the commune the value names (its label is shown), else the typed value as it is."""
        if isinstance(value, Commune) or value in self.empty_values:
            return value
        try:
            return self.to_python(value) or value
        except ValidationError:
            return value

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        try:
            commune = self.to_python(data)
        except ValidationError:
            return True
        initial_code = initial.pk if isinstance(initial, Commune) else initial or ""
        return (commune.pk if commune else "") != str(initial_code)


def bound_territory_choices(form):
    """Bound the form's `departement` and `epci` choices to the programmes' regions (all of France when no
    programme names a region); once a département is chosen, only its EPCI are offered."""
    departements = Departement.objects.all()
    regions = Region.objects.filter(programme__isnull=False)
    if regions.exists():
        departements = departements.filter(region__in=regions)
    form.fields["departement"].queryset = departements
    chosen = form.data.get("departement")
    communes = (
        Commune.objects.filter(departement_id=chosen)
        if chosen
        else Commune.objects.filter(departement__in=departements)
    )
    form.fields["epci"].queryset = Epci.objects.filter(siren__in=communes.values("epci_id")).order_by("name")
