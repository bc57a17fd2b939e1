from django import forms
from django.core.exceptions import ValidationError

from horizon.organisations.models import Collective, Structure
from horizon.utils.forms import BootstrapFormMixin


class CollectiveForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Collective
        fields = ["name", "kind", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class AddStructureForm(BootstrapFormMixin, forms.Form):
    structure = forms.CharField(
        label="SIRET ou numéro RNA",
        help_text="14 chiffres pour le SIRET, W suivi de 9 chiffres pour le RNA.",
    )

    def __init__(self, *args, collective, **kwargs):
        self.collective = collective
        super().__init__(*args, **kwargs)

    def clean_structure(self):
        identifier = self.cleaned_data["structure"].replace(" ", "").upper()
        structure = (
            Structure.objects.filter(siret=identifier).first() or Structure.objects.filter(rna=identifier).first()
        )
        if structure is None:
            raise ValidationError(f"Aucune structure du registre n'a le SIRET ou le RNA « {identifier} ».")
        if self.collective.structures.filter(pk=structure.pk).exists():
            raise ValidationError(f"« {structure} » fait déjà partie du collectif.")
        return structure
