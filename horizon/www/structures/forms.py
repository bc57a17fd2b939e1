from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from horizon.organisations.enums import HeadcountBand, MembershipRole
from horizon.organisations.identifiers import clean_digits, validate_rna, validate_siret
from horizon.organisations.models import Collective, Contact, Structure
from horizon.referentials.enums import EssFamily
from horizon.referentials.models import ProgrammeSector
from horizon.territories.models import Departement, Epci
from horizon.utils.forms import BootstrapFormMixin, FastSelect, FieldsetsMixin
from horizon.www.territories.forms import CommuneField, bound_territory_choices

SORTS = {
    "nom": ("name", "Nom (A → Z)"),
    "-nom": ("-name", "Nom (Z → A)"),
    "commune": ("commune__name", "Commune"),
    "effectif": ("-headcount_band", "Effectif (décroissant)"),
    "-maj": ("-updated_at", "Dernière modification"),
}


class StructureFilterForm(BootstrapFormMixin, forms.Form):
    """The GET form that owns the registry list: every filter lives in the URL."""

    q = forms.CharField(label="Recherche", required=False, help_text="Nom, SIRET ou commune")
    departement = forms.ModelChoiceField(
        label="Département", queryset=Departement.objects.all(), required=False, empty_label="Tous", widget=FastSelect
    )
    epci = forms.ModelChoiceField(
        label="EPCI", queryset=Epci.objects.none(), required=False, empty_label="Tous", widget=FastSelect
    )
    famille = forms.ChoiceField(label="Famille ESS", choices=[("", "Toutes"), *EssFamily.choices], required=False)
    secteur = forms.ModelChoiceField(
        label="Secteur", queryset=ProgrammeSector.objects.all(), required=False, empty_label="Tous"
    )
    tranche = forms.ChoiceField(label="Effectif", choices=[("", "Tous"), *HeadcountBand.choices], required=False)
    collectif = forms.ModelChoiceField(
        label="Collectif", queryset=Collective.objects.all(), required=False, empty_label="Tous"
    )
    tri = forms.ChoiceField(
        label="Trier par", choices=[(key, label) for key, (_, label) in SORTS.items()], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_territory_choices(self)

    def filter(self, queryset):
        """Apply the filters that are valid (an invalid one is shown with its error and left out)."""
        self.is_valid()
        data = self.cleaned_data
        queryset = queryset.filtered(
            text=data.get("q", ""),
            departement=data.get("departement"),
            epci=data.get("epci"),
            ess_family=data.get("famille", ""),
            sector=data.get("secteur"),
            headcount_band=data.get("tranche", ""),
            collective=data.get("collectif"),
        )
        return queryset.order_by(SORTS[data.get("tri") or "nom"][0], "pk")

    def active_filters(self):
        """(label, value shown, query string without this filter) for each filter in use."""
        self.is_valid()
        active = []
        for name in ["q", "departement", "epci", "famille", "secteur", "tranche", "collectif"]:
            value = self.cleaned_data.get(name)
            if not value:
                continue
            field = self.fields[name]
            is_plain_choice = isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField)
            shown = dict(field.choices)[value] if is_plain_choice else str(value)
            rest = self.data.copy()
            rest.pop(name, None)
            rest.pop("page", None)
            active.append((field.label, shown, rest.urlencode()))
        return active


class StructureForm(FieldsetsMixin, BootstrapFormMixin, forms.ModelForm):
    """A structure's profile, as its administrators and the coordinators edit it."""

    siret = forms.CharField(
        label="SIRET",
        required=False,
        max_length=20,
        help_text="14 chiffres, sur l'avis de situation INSEE (les espaces sont acceptés).",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    rna = forms.CharField(
        label="Numéro RNA",
        required=False,
        max_length=12,
        help_text="Seulement pour une association sans SIRET : W suivi de 9 chiffres.",
    )
    website = forms.URLField(label="Site internet", required=False, assume_scheme="https")

    class Meta:
        model = Structure
        fields = [
            "name",
            "usual_name",
            "siret",
            "rna",
            "legal_category",
            "naf",
            "sector",
            "collective_agreement",
            "opco",
            "headcount_band",
            "headcount_year",
            "headcount_fte",
            "address",
            "address_complement",
            "postal_code",
            "commune",
            "email",
            "phone",
            "website",
        ]
        localized_fields = ["headcount_fte"]
        field_classes = {"commune": CommuneField}
        help_texts = {
            "opco": "Laissé vide, il est déduit de la convention collective.",
            "headcount_fte": "En équivalents temps plein, par exemple 7,5.",
        }
        widgets = {
            "headcount_fte": forms.TextInput(attrs={"inputmode": "decimal"}),
            "legal_category": FastSelect,
            "naf": FastSelect,
            "collective_agreement": FastSelect,
        }

    fieldsets = [
        ("Identité", ["name", "usual_name", "siret", "rna", "legal_category"]),
        (
            "Activité et emploi",
            ["naf", "sector", "collective_agreement", "opco", "headcount_band", "headcount_year", "headcount_fte"],
        ),
        ("Adresse", ["address", "address_complement", "postal_code", "commune"]),
        ("Coordonnées", ["email", "phone", "website"]),
    ]

    def clean_siret(self):
        siret = clean_digits(self.cleaned_data.get("siret"))
        if siret:
            validate_siret(siret)
        return siret or None

    def clean_rna(self):
        rna = (self.cleaned_data.get("rna") or "").strip().upper()
        if rna:
            validate_rna(rna)
        return rna or None

    def clean_postal_code(self):
        postal_code = (self.cleaned_data.get("postal_code") or "").strip()
        if postal_code and (not postal_code.isdigit() or len(postal_code) != 5):
            raise ValidationError("Le code postal comporte 5 chiffres.")
        return postal_code

    def clean(self):
        cleaned = super().clean()
        agreement = cleaned.get("collective_agreement")
        if agreement and not cleaned.get("opco"):
            cleaned["opco"] = agreement.opco
        return cleaned


class DeclareStructureForm(StructureForm):
    website = None

    class Meta(StructureForm.Meta):
        fields = [
            "name",
            "siret",
            "rna",
            "legal_category",
            "sector",
            "collective_agreement",
            "headcount_band",
            "address",
            "postal_code",
            "commune",
        ]


class FindStructureForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label="SIRET ou nom de votre structure",
        min_length=3,
        error_messages={"min_length": "Saisissez au moins 3 caractères.", "required": "Saisissez un SIRET ou un nom."},
    )


class ContactForm(BootstrapFormMixin, forms.ModelForm):
    consent = forms.BooleanField(
        label="Cette personne a accepté que ses coordonnées soient enregistrées sur Horizon ESS",
        error_messages={
            "required": "Sans le consentement de la personne, ses coordonnées ne peuvent être enregistrées."
        },
    )

    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "job_title", "email", "phone"]

    def save(self, commit=True):
        self.instance.consent_date = timezone.localdate()
        return super().save(commit)


class InvitationForm(BootstrapFormMixin, forms.Form):
    email = forms.EmailField(label="Adresse e-mail de la personne à inviter")
    role = forms.ChoiceField(label="Rôle", choices=MembershipRole.choices, initial=MembershipRole.MEMBER)

    def __init__(self, *args, structure, **kwargs):
        self.structure = structure
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if self.structure.memberships.active().filter(user__email__iexact=email).exists():
            raise ValidationError("Cette personne est déjà membre de la structure.")
        return email
