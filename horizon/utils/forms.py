from django import forms
from django.forms.renderers import TemplatesSetting
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

BLANK_LABEL = "---------"


class HorizonFormRenderer(TemplatesSetting):
    """Every `{{ form }}` renders with our accessible layout: error summary, labels, help, errors next to fields."""

    form_template_name = "components/form.html"
    field_template_name = "components/field.html"


class BootstrapFormMixin:
    """Adds Bootstrap classes and ARIA attributes to widgets, so templates never have to."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if getattr(field, "empty_label", None) == BLANK_LABEL:
                field.empty_label = "Choisir…"
            elif isinstance(field, forms.ChoiceField) and field.choices and field.choices[0] == ("", BLANK_LABEL):
                field.choices = [("", "Choisir…"), *field.choices[1:]]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        """After validation, mark each faulty field and tie it to its error message."""
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            field = self.fields[name]
            auto_id = self[name].auto_id
            described_by = [f"{auto_id}_error"] + ([f"{auto_id}_helptext"] if field.help_text else [])
            field.widget.attrs["class"] += " is-invalid"
            field.widget.attrs["aria-invalid"] = "true"
            field.widget.attrs["aria-describedby"] = " ".join(described_by)


class FieldsetsMixin:
    """Declare `fieldsets = [(legend, [field names])]` and render with components/form_fieldsets.html."""

    fieldsets = []

    def grouped_fields(self):
        return [(legend, [self[name] for name in names if name in self.fields]) for legend, names in self.fieldsets]


class FastSelect(forms.Select):
    """A single <select> rendered in Python instead of one template (and one option dict) per option: long
    lists of territories render in a millisecond instead of tens. Same markup and selection as Select."""

    allow_multiple_selected = False

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        selected = str(value[0] if isinstance(value, list | tuple) and value else value or "")
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if key == selected else "", label)
                for key, label in ((str(getattr(v, "value", v)), label) for v, label in self.choices)
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), options)


class FrenchDateField(forms.DateField):
    """A date picker (type="date") that also accepts what people type without it (31/12/2026), and refuses a year
    that is surely a typo (before 2000 or more than ten years ahead)."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    input_formats_fr = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
    earliest_year = 2000
    years_ahead = 10

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", self.input_formats_fr)
        super().__init__(**kwargs)
        self.error_messages["invalid"] = "Saisissez une date valide, par exemple 31/12/2026."

    def validate(self, value):
        super().validate(value)
        latest = timezone.localdate().year + self.years_ahead
        if value is not None and not (self.earliest_year <= value.year <= latest):
            raise forms.ValidationError(
                f"Vérifiez l'année : elle doit se situer entre {self.earliest_year} et {latest}.", code="year"
            )
