"""SIREN / SIRET / RNA: cleaning and validation, with French messages."""

import re

from django.core.exceptions import ValidationError

RNA_RE = re.compile(r"^W\d{9}$")
LA_POSTE_SIREN = "356000000"
LA_POSTE_HEAD_OFFICE = "35600000000048"
# Luhn: digits in even positions from the right are doubled, and 9 is taken off a doubled digit over 9.
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_ok(digits):
    """True when a string of digits passes the Luhn check (plain Python: the SIRENE import calls this per row)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        total += _DOUBLED[digit] if position % 2 else digit
    return total % 10 == 0


def siret_checksum_ok(siret):
    """The INSEE rule for 14 digits: Luhn, except La Poste's establishments whose digit sum is a multiple of 5."""
    if siret.startswith(LA_POSTE_SIREN) and siret != LA_POSTE_HEAD_OFFICE:
        siret_ok = sum(ord(char) - 48 for char in siret) % 5 == 0
    else:
        siret_ok = luhn_ok(siret)
    return siret_ok and luhn_ok(siret[:9])


def clean_digits(value):
    return re.sub(r"[\s.\-]", "", value or "")


def validate_siret(value):
    value = clean_digits(value)
    if not value.isdigit() or len(value) != 14:
        raise ValidationError("Le SIRET doit comporter 14 chiffres.", code="siret_length")
    if not siret_checksum_ok(value):
        raise ValidationError(
            "Ce numéro SIRET n'est pas valide (la clé de contrôle ne correspond pas) : vérifiez-le sur votre avis de situation INSEE.",
            code="siret_checksum",
        )


def validate_siren(value):
    value = clean_digits(value)
    if not value.isdigit() or len(value) != 9:
        raise ValidationError("Le SIREN doit comporter 9 chiffres.", code="siren_length")
    if not luhn_ok(value):
        raise ValidationError(
            "Ce numéro SIREN n'est pas valide (la clé de contrôle ne correspond pas).", code="siren_checksum"
        )


def validate_rna(value):
    if not RNA_RE.match((value or "").strip().upper()):
        raise ValidationError("Le numéro RNA commence par W suivi de 9 chiffres (ex. W332001234).", code="rna_format")
