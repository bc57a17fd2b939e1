from django import forms
from django.forms.renderers import TemplatesSetting


class HorizonFormRenderer(TemplatesSetting):
    """Every `{{ form }}` renders with our accessible layout: error summary, labels, help, errors next to fields."""

    form_template_name = "components/form.html"
    field_template_name = "components/field.html"


class BootstrapFormMixin:
    """Adds Bootstrap classes and ARIA attributes to widgets, so templates never have to."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
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
