"""The forms of a provider's offer: the offer itself (its formation and its action) in fieldsets, and its sessions.

The rules an offer must follow live in horizon.training.services; the forms ask them in `clean()` so that each
broken rule is shown next to its field, and the services check them again when they write.
"""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from horizon.referentials.models import LheoCode
from horizon.training import services
from horizon.training.enums import EntryMode, Modality, RecruitmentState
from horizon.training.models import Action, Provider
from horizon.utils.forms import BootstrapFormMixin, FastSelect, FieldsetsMixin, FrenchDateField
from horizon.utils.text import normalize
from horizon.www.territories.forms import CommuneField

# dict-niveaux: the levels of the 2019 nomenclature (11–18) and the two "no level" codes; the older codes (2–8)
# are offered only to an offer that already carries one.
CURRENT_LEVEL_CODES = ["0", "1", "11", "12", "13", "14", "15", "16", "17", "18"]
OBSOLETE_FUNDER_CODES = {"1"}  # "Code(s) obsolète(s)"
OTHER_FUNDER_CODE = "0"
CERTIFICATION_CODE = re.compile(r"^(RNCP|RS)[\s\-]*(\d{1,10})$", re.IGNORECASE)
MAX_HOURS = 99_999
MAX_TEXT_LENGTH = 3000


def long_text(label, rows, help_text="", max_length=MAX_TEXT_LENGTH):
    """An optional multi-line text field of `rows` lines."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


class EuroField(forms.DecimalField):
    """An amount in euros typed the French way: "1 250", "1 250,50", "1250.5 €"."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    default_error_messages = {"invalid": "Saisissez un montant en euros, par exemple 1 250 ou 1 250,50."}

    def __init__(self, **kwargs):
        super().__init__(max_digits=10, decimal_places=2, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f€]", "", value).replace(",", ".")
        return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:.2f}".replace(".", ",")
        return value


class CheckboxGroupField(forms.MultipleChoiceField):
    """Checkboxes grouped in a fieldset whose legend is the field's label."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("template_name", "training/includes/checkbox_group.html")
        super().__init__(**kwargs)


def _lheo_choices(codes_by_dictionary):
    """{dictionary: {code: label}} for the LHEO dictionaries the offer form needs, in one query."""
    labels = {dictionary: {} for dictionary in codes_by_dictionary}
    for dictionary, code, label in LheoCode.objects.filter(dictionary__in=codes_by_dictionary).values_list(
        "dictionary", "code", "label"
    ):
        labels[dictionary][code] = label
    return labels


def certification_text(certifications):
    """The RNCP and RS codes of an offer as the form shows them: "RNCP34567, RS5678"."""
    texts = []
    for certification in certifications or []:
        kind, code = certification.get("type", ""), str(certification.get("code", ""))
        if kind in services.CERTIFICATION_TYPES:
            texts.append(code if code.upper().startswith(kind) else f"{kind}{code}")
    return ", ".join(texts)


def offer_initial(formation, action):
    """The form's values for an existing offer (`action` may be None)."""
    initial = {name: getattr(formation, name) for name in services.FORMATION_FIELDS}
    initial["certifications"] = certification_text(formation.certifications)
    if action is not None:
        initial.update({name: getattr(action, name) for name in services.ACTION_FIELDS})
    return initial


class OfferForm(FieldsetsMixin, BootstrapFormMixin, forms.Form):
    """An offer: what is taught (the formation) and how and where (its action)."""

    title = forms.CharField(
        label="Intitulé",
        max_length=255,
        error_messages={"required": services.TITLE_REQUIRED},
        help_text="Tel qu'il apparaîtra dans le catalogue, par exemple « Rédiger une fiche de poste ».",
    )
    objective = long_text("Objectif", rows=4, help_text="Ce que les personnes sauront faire à l'issue de la formation.")
    content = long_text("Contenu", rows=6, help_text="Le programme : les thèmes abordés, les méthodes, les outils.")
    expected_results = long_text(
        "Résultats attendus",
        rows=3,
        help_text="Ce qui est obtenu à la fin : attestation, certification, compétences validées…",
    )
    certifying = forms.BooleanField(label="Formation certifiante", required=False)
    certifications = forms.CharField(
        label="Codes RNCP ou RS",
        required=False,
        max_length=200,
        help_text="Obligatoires pour une formation certifiante. Séparez-les par des virgules, par exemple "
        "« RNCP34567, RS5678 ».",
    )
    exit_level = forms.ChoiceField(label="Niveau de sortie", required=False)
    modality = forms.ChoiceField(label="Modalité", choices=Modality.choices, initial=Modality.ON_SITE)
    entry_mode = forms.ChoiceField(label="Entrées et sorties", choices=EntryMode.choices, initial=EntryMode.FIXED_DATES)
    rhythm = long_text(
        "Rythme",
        rows=2,
        help_text="Par exemple : 2 jours par mois, en journée ; ou temps plein, 35 heures par semaine.",
    )
    hours_total = forms.IntegerField(
        label="Durée en heures",
        required=False,
        max_value=MAX_HOURS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": "Saisissez un nombre entier d'heures, par exemple 14."},
        help_text="Le nombre total d'heures de formation.",
    )
    price_total = EuroField(
        label="Prix total TTC (€)",
        required=False,
        help_text="Le prix pour une personne, toutes taxes comprises ; 0 si la formation est gratuite.",
    )
    funders = CheckboxGroupField(
        label="Financements possibles", required=False, help_text="Ceux qui peuvent prendre en charge les frais."
    )
    cpf_eligible = forms.BooleanField(label="Éligible au CPF (Mon Compte Formation)", required=False)
    place_name = forms.CharField(
        label="Nom du lieu",
        required=False,
        max_length=255,
        help_text="Par exemple : Maison des associations, salle Garonne.",
    )
    address = forms.CharField(label="Adresse", required=False, max_length=255)
    commune = CommuneField(
        required=False,
        label="Commune",
        help_text="Obligatoire pour une formation en présentiel ou mixte. Nom ou code postal, par exemple "
        "« Bordeaux » ou « 33000 ».",
    )

    fieldsets = [
        (
            "L'offre",
            ["title", "objective", "content", "expected_results", "certifying", "certifications", "exit_level"],
        ),
        (
            "Organisation",
            ["modality", "entry_mode", "rhythm", "hours_total", "price_total", "funders", "cpf_eligible"],
        ),
        ("Lieu", ["place_name", "address", "commune"]),
    ]

    def __init__(self, *args, formation=None, **kwargs):
        self.formation = formation
        super().__init__(*args, **kwargs)
        current_level = self.initial.get("exit_level") or ""
        current_funders = set(self.initial.get("funders") or [])
        labels = _lheo_choices([services.LEVELS_DICTIONARY, services.FUNDERS_DICTIONARY])
        levels = labels[services.LEVELS_DICTIONARY]
        level_codes = [code for code in CURRENT_LEVEL_CODES if code in levels]
        if current_level and current_level not in level_codes:
            level_codes.append(current_level)
        self.fields["exit_level"].choices = [("", "Non précisé")] + [
            (code, services.short_label(levels.get(code, code))) for code in level_codes
        ]
        funders = labels[services.FUNDERS_DICTIONARY]
        kept = {code: label for code, label in funders.items() if code not in OBSOLETE_FUNDER_CODES}
        kept.update({code: funders.get(code, code) for code in current_funders})
        # By name, "Autre" last.
        self.fields["funders"].choices = sorted(
            kept.items(), key=lambda item: (item[0] == OTHER_FUNDER_CODE, normalize(item[1]))
        )

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def clean_certifications(self):
        """RNCP and RS codes typed by the person; other codes an import brought (CERTIFINFO…) are kept."""
        text = self.cleaned_data.get("certifications") or ""
        codes, wrong = [], []
        for token in re.split(r"[,;\n]+", text):
            token = token.strip()
            if not token:
                continue
            match = CERTIFICATION_CODE.match(token)
            if match is None:
                wrong.append(token)
                continue
            code = {"type": match.group(1).upper(), "code": match.group(2)}
            if code not in codes:
                codes.append(code)
        if wrong:
            raise ValidationError(
                "« %(codes)s » : un code s'écrit RNCP ou RS suivi de chiffres, par exemple RNCP34567 ou RS5678.",
                params={"codes": ", ".join(wrong)},
            )
        existing = self.formation.certifications if self.formation is not None else []
        others = [c for c in existing or [] if c.get("type") not in services.CERTIFICATION_TYPES]
        return others + codes

    def clean(self):
        cleaned = super().clean()
        for name, message in services.offer_errors(cleaned).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def formation_fields(self):
        return {name: self.cleaned_data[name] for name in services.FORMATION_FIELDS}

    def action_fields(self):
        return {name: self.cleaned_data[name] for name in services.ACTION_FIELDS}


def _start_date_field(required, help_text="jj/mm/aaaa"):
    return FrenchDateField(
        label="Date de début",
        required=required,
        error_messages={"required": services.START_REQUIRED},
        help_text=help_text,
    )


def _end_date_field(help_text="jj/mm/aaaa"):
    return FrenchDateField(label="Date de fin", required=False, help_text=help_text)


def _recruitment_state_field():
    return forms.ChoiceField(
        label="État des inscriptions", choices=RecruitmentState.choices, initial=RecruitmentState.OPEN
    )


class SessionRulesMixin:
    """Checks a session's dates held by the fields `session_prefix + name`."""

    session_prefix = ""

    def clean_session(self, cleaned, cancelled=False):
        """Check the session's dates; returns its fields under the services' names."""
        prefix = self.session_prefix
        values = {name: cleaned.get(prefix + name) for name in services.SESSION_DATA_FIELDS}
        values["cancelled"] = cancelled
        if not any(prefix + name in self.errors for name in ["start_date", "end_date"]):
            for name, message in services.session_errors(values).items():
                self.add_error(prefix + name, message)
        return values


LATER = "jj/mm/aaaa ; laissez vide pour ajouter les sessions plus tard."


class CreateOfferForm(SessionRulesMixin, OfferForm):
    """A new offer, for one of `providers` (the field is left out when there is no choice to make), with an
    optional first session."""

    session_prefix = "session_"

    provider = forms.ModelChoiceField(
        label="Organisme qui propose l'offre",
        queryset=Provider.objects.none(),
        widget=FastSelect,
        error_messages={"required": "Choisissez l'organisme de formation qui propose cette offre."},
    )
    session_start_date = _start_date_field(required=False, help_text=LATER)
    session_end_date = _end_date_field(help_text=LATER)
    session_recruitment_state = _recruitment_state_field()

    fieldsets = [
        ("Organisme de formation", ["provider"]),
        *OfferForm.fieldsets,
        ("Première session (facultatif)", ["session_start_date", "session_end_date", "session_recruitment_state"]),
    ]

    def __init__(self, *args, providers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if providers is None:
            del self.fields["provider"]
        else:
            self.fields["provider"].queryset = providers

    def grouped_fields(self):
        return [(legend, fields) for legend, fields in super().grouped_fields() if fields]

    def clean(self):
        cleaned = super().clean()
        dates = ["session_start_date", "session_end_date"]
        typed = any(cleaned.get(name) for name in dates) or any(name in self.errors for name in dates)
        self.session_values = self.clean_session(cleaned) if typed else None
        return cleaned


class SessionForm(SessionRulesMixin, BootstrapFormMixin, forms.Form):
    """A session of an offer. `actions`: the offer's actions (a choice is offered when there are several);
    `editing`: the "Session annulée" box is shown."""

    action = forms.ModelChoiceField(
        label="Lieu et modalité",
        queryset=Action.objects.none(),
        error_messages={"required": "Choisissez le lieu et la modalité de la session."},
    )
    start_date = _start_date_field(required=True)
    end_date = _end_date_field()
    recruitment_state = _recruitment_state_field()
    cancelled = forms.BooleanField(
        label="Session annulée",
        required=False,
        help_text="Une session annulée reste dans l'historique de l'offre mais n'est plus proposée dans le "
        "catalogue. Décochez la case pour la rétablir.",
    )

    def __init__(self, *args, actions=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if actions is not None and len(actions) > 1:
            self.fields["action"].queryset = actions
            self.fields["action"].label_from_instance = action_label
        else:
            del self.fields["action"]
        if not editing:
            del self.fields["cancelled"]

    def clean(self):
        cleaned = super().clean()
        self.session_values = self.clean_session(cleaned, cancelled=cleaned.get("cancelled", False))
        return cleaned


def action_label(action):
    """How a person tells an offer's actions apart: modality and place."""
    place = action.place_name or (action.commune.name if action.commune_id else "")
    label = action.get_modality_display()
    return f"{label} — {place}" if place else label
