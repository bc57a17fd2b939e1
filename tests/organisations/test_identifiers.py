"""SIREN / SIRET / RNA validation: table tests, and agreement with python-stdnum on many numbers."""

import random

import pytest
from django.core.exceptions import ValidationError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from horizon.organisations.identifiers import luhn_ok, siret_checksum_ok, validate_rna, validate_siren, validate_siret


@pytest.mark.parametrize(
    "value, code",
    [
        ("24330031600011", None),  # Bordeaux Métropole
        ("243 300 316 00011", None),
        ("35600000049837", None),  # La Poste establishment: digit sum rule
        ("35600000000048", None),  # La Poste head office: Luhn
        ("35600000049838", "siret_checksum"),
        ("24330031600012", "siret_checksum"),
        ("2433003160001", "siret_length"),
        ("2433003160001A", "siret_length"),
        ("", "siret_length"),
    ],
)
def test_validate_siret(value, code):
    if code is None:
        validate_siret(value)
    else:
        with pytest.raises(ValidationError) as raised:
            validate_siret(value)
        assert raised.value.code == code


@pytest.mark.parametrize(
    "value, valid", [("243300316", True), ("243300317", False), ("12345", False), ("abcdefghi", False)]
)
def test_validate_siren(value, valid):
    if valid:
        validate_siren(value)
    else:
        with pytest.raises(ValidationError):
            validate_siren(value)


@pytest.mark.parametrize(
    "value, valid", [("W332001234", True), ("w332001234", True), ("W33200123", False), ("332001234", False)]
)
def test_validate_rna(value, valid):
    if valid:
        validate_rna(value)
    else:
        with pytest.raises(ValidationError):
            validate_rna(value)


def test_checksums_agree_with_python_stdnum():
    rng = random.Random(42)
    numbers = [f"{rng.randrange(10**14):014d}" for _ in range(20_000)]
    numbers += [f"356000000{rng.randrange(10**5):05d}" for _ in range(2_000)]
    for number in numbers:
        assert siret_checksum_ok(number) == stdnum_siret.is_valid(number), number
        assert luhn_ok(number[:9]) == stdnum_siren.is_valid(number[:9]), number
