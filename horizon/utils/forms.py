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
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if self.is_bound and name in self.errors:
                auto_id = self[name].auto_id
                described_by = [f"{auto_id}_error"] + ([f"{auto_id}_helptext"] if field.help_text else [])
                widget.attrs["class"] += " is-invalid"
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = " ".join(described_by)
