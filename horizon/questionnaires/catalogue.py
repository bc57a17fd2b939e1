"""The questionnaires the platform offers: definition files in the repository, published as frozen versions.

Each file `definitions/<code>.yaml` holds one definition whose `code` is its file name. `publish_all` freezes a
new version of every file whose content changed (services.publish is idempotent: the same content gives back
the same version), `current_version` is the version new responses start on, and `variant_for` picks the variant
of a definition that suits a structure's size.
"""

import math
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from horizon.organisations.enums import HeadcountBand

from . import services
from .definition import DefinitionError, load, validate
from .models import QuestionnaireVersion

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"

# The largest staff count of each SIRENE band (`trancheEffectifs`); the open-ended last band counts as its floor.
BAND_UPPER_BOUNDS = {
    HeadcountBand.NN: 0,
    HeadcountBand.ZERO: 0,
    HeadcountBand.B01: 2,
    HeadcountBand.B02: 5,
    HeadcountBand.B03: 9,
    HeadcountBand.B11: 19,
    HeadcountBand.B12: 49,
    HeadcountBand.B21: 99,
    HeadcountBand.B22: 199,
    HeadcountBand.B31: 249,
    HeadcountBand.B32: 499,
    HeadcountBand.B41: 999,
    HeadcountBand.B42: 1999,
    HeadcountBand.B51: 4999,
    HeadcountBand.B52: 9999,
    HeadcountBand.B53: 10000,
}


@dataclass(frozen=True)
class Published:
    code: str
    version: QuestionnaireVersion
    created: bool  # False: the file had not changed since its last publication


def definition_paths():
    return sorted(DEFINITIONS_DIR.glob("*.yaml"))


def _load_checked(path):
    definition = load(path)
    if definition.get("code") != path.stem:
        raise DefinitionError(
            f"{path.name} : le code du questionnaire (« {definition.get('code')} ») doit être le nom du fichier "
            f"(« {path.stem} »)."
        )
    return definition


def load_definition(code):
    """The definition of `definitions/<code>.yaml` (DefinitionError, in French, when missing or unreadable)."""
    path = DEFINITIONS_DIR / f"{code}.yaml"
    if not path.is_file():
        raise DefinitionError(f"{path.name} : aucun questionnaire de ce nom dans {DEFINITIONS_DIR}.")
    return _load_checked(path)


def publish_all(user=None):
    """Publish every definition file; a list of Published, in file-name order.

    Every file is read and validated before anything is written: one unreadable or invalid file publishes
    nothing and raises services.DefinitionInvalid, whose errors name each file and its problems.
    """
    definitions, errors = [], []
    for path in definition_paths():
        try:
            definition = _load_checked(path)
        except DefinitionError as exc:
            errors.append(str(exc))
            continue
        errors += [f"{path.name} : {error}" for error in validate(definition)]
        definitions.append(definition)
    if errors:
        raise services.DefinitionInvalid(errors)
    with transaction.atomic():
        results = []
        for definition in definitions:
            version, created = services.publish(definition, user)
            results.append(Published(definition["code"], version, created))
    return results


def current_version(code):
    """The latest published version of a questionnaire, or None if it was never published."""
    return QuestionnaireVersion.objects.latest_of(code)


def published_versions():
    """The latest version of every published questionnaire, by title."""
    versions = {}
    for version in QuestionnaireVersion.objects.order_by("code", "-number").defer("content"):
        versions.setdefault(version.code, version)
    return sorted(versions.values(), key=lambda version: version.title.lower())


def staff_count(structure):
    """The structure's staff size as a whole number, or None when unknown.

    The full-time equivalent when set, rounded up (10.2 FTE means at least 11 people), else the upper bound of
    its SIRENE band ("NN" and "00": no employee).
    """
    if structure.headcount_fte is not None:
        return math.ceil(structure.headcount_fte)
    return BAND_UPPER_BOUNDS.get(structure.headcount_band)


def variant_for(definition, structure):
    """The code of the variant that suits the structure's size ("" when the definition has no variants).

    A variant suits when `headcount_min` ≤ staff ≤ `headcount_max` (a missing bound does not limit). When none
    suits, the nearest one (a 300-person structure takes the variant for the largest ones); when the size is
    unknown, the first variant.
    """
    variants = definition.get("variants") or []
    if not variants:
        return ""
    count = staff_count(structure)
    if count is None:
        return variants[0]["code"]

    def distance(variant):
        low, high = variant.get("headcount_min"), variant.get("headcount_max")
        if low is not None and count < low:
            return low - count
        if high is not None and count > high:
            return count - high
        return 0

    return min(variants, key=distance)["code"]
