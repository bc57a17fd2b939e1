"""SIREN / SIRET / RNA: cleaning and validation, with French messages."""

import re

from django.core.exceptions import ValidationError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

RNA_RE = re.compile(r"^W\d{9}$")


def clean_digits(value):
    return re.sub(r"[\s.\-]", "", value or "")


def validate_siret(value):
    value = clean_digits(value)
    if not value.isdigit() or len(value) != 14:
        raise ValidationError("Le SIRET doit comporter 14 chiffres.", code="siret_length")
    if not stdnum_siret.is_valid(value):
        raise ValidationError(
            "Ce numéro SIRET n'est pas valide (la clé de contrôle ne correspond pas) : vérifiez-le sur votre avis de situation INSEE.",
            code="siret_checksum",
        )


def validate_siren(value):
    value = clean_digits(value)
    if not value.isdigit() or len(value) != 9:
        raise ValidationError("Le SIREN doit comporter 9 chiffres.", code="siren_length")
    if not stdnum_siren.is_valid(value):
        raise ValidationError(
            "Ce numéro SIREN n'est pas valide (la clé de contrôle ne correspond pas).", code="siren_checksum"
        )


def validate_rna(value):
    if not RNA_RE.match((value or "").strip().upper()):
        raise ValidationError("Le numéro RNA commence par W suivi de 9 chiffres (ex. W332001234).", code="rna_format")
