from django import forms
from django.utils import timezone

from horizon.diagnostics.action_plans import OTHER_THEME_LABEL
from horizon.diagnostics.enums import ActionStatus
from horizon.utils.forms import BootstrapFormMixin, FrenchDateField


class ActionForm(BootstrapFormMixin, forms.Form):
    """An action of the plan. `themes`: [(dimension code, label)] of the diagnostic; "" is "Autre"."""

    title = forms.CharField(
        label="Action",
        max_length=255,
        help_text="Ce qu'il faut faire, en une phrase courte qui commence par un verbe.",
        error_messages={"required": "Dites en quelques mots ce qu'il faut faire."},
    )
    dimension = forms.ChoiceField(
        label="Thème du diagnostic",
        required=False,
        help_text="Le thème du diagnostic que cette action fait progresser, ou « Autre ».",
    )
    description = forms.CharField(
        label="Précisions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Les étapes, les appuis possibles, ce qui montrera que c'est fait.",
    )
    owner = forms.CharField(
        label="Responsable",
        max_length=150,
        required=False,
        help_text="La personne ou l'équipe qui s'en charge (par exemple : la directrice, Camille Martin).",
    )
    due_date = FrenchDateField(
        label="Échéance",
        required=False,
        help_text="Date à laquelle l'action doit être faite (jj/mm/aaaa).",
    )
    status = forms.ChoiceField(
        label="État",
        choices=ActionStatus.choices,
        help_text="Pour renoncer à l'action, choisissez « Abandonné » : elle reste visible dans le plan, avec son "
        "historique, et peut être reprise.",
    )

    def __init__(self, *args, themes=(), with_status=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dimension"].choices = [*themes, ("", OTHER_THEME_LABEL)]
        if not with_status:
            del self.fields["status"]

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def clean_owner(self):
        return " ".join(self.cleaned_data["owner"].split())


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="État",
        choices=ActionStatus.choices,
        error_messages={
            "required": "Choisissez un état.",
            "invalid_choice": "Choisissez un état de la liste.",
        },
    )


class AgreementForm(BootstrapFormMixin, forms.Form):
    direction_name = forms.CharField(
        label="Nom pour la direction",
        max_length=150,
        help_text="Prénom et nom de la personne qui a validé le plan pour la direction (ou le conseil "
        "d'administration).",
        error_messages={"required": "Indiquez le nom de la personne qui a validé le plan pour la direction."},
    )
    staff_representative_name = forms.CharField(
        label="Nom du/de la représentant·e des salarié·es",
        max_length=150,
        help_text="Un·e élu·e du CSE ; sans représentant·e élu·e, un·e salarié·e désigné·e par l'équipe.",
        error_messages={
            "required": "Indiquez le nom de la personne qui a validé le plan pour les salarié·es.",
        },
    )
    agreed_on = FrenchDateField(
        label="Date de la validation",
        help_text="Le jour où le plan a été validé ensemble (jj/mm/aaaa), aujourd'hui au plus tard.",
        error_messages={"required": "Indiquez la date de la validation."},
    )

    def clean_direction_name(self):
        return " ".join(self.cleaned_data["direction_name"].split())

    def clean_staff_representative_name(self):
        return " ".join(self.cleaned_data["staff_representative_name"].split())

    def clean_agreed_on(self):
        value = self.cleaned_data["agreed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("La date de validation ne peut pas être dans le futur.")
        return value
