"""SIRENE stock files (INSEE StockUniteLegale / StockEtablissement): streaming, territory filter, mapping.

Pure logic, no database access: the `import_sirene` command loads the lookups (communes, legal categories,
NAF codes, the registry's SIRETs), hands them to these functions and writes the result.

The stock files are large (≈ 40 M establishments, 28 M legal units), so nothing here holds a whole file:
1. `collect_candidate_sirens` streams the establishment file once and keeps the SIRENs that have an active
   establishment in the territory (a set of 9-byte strings);
2. `load_units` streams the legal-unit file and keeps, for those SIRENs only, the few fields of the units that
   are active and belong to the ESS;
3. `iter_in_scope` streams the establishment file again and yields the establishments to import (and the
   registry's establishments that SIRENE says are closed).

Files are read as bytes, by blocks of 1 MiB split on newlines (`iter_blocks`); a block where a quoted field
holds a newline is joined line by line. A record without a double quote is split on commas (what the csv
module would return, faster), one with quotes goes through the csv module; UTF-8 is decoded only for the rows
that are parsed. In passes 2 and 3 a row whose first nine bytes are not a wanted SIREN is skipped without being
decoded nor split, so those passes cost a fraction of a bare read.
"""

import csv
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from .enums import HeadcountBand
from .identifiers import RNA_RE, validate_siret
from .stockfiles import decode


def _words(text):
    return tuple(text.split())


# Official column names, in the order of the current files (see STANDARDS.md §3.1). The import maps columns by
# name, so other orders and extra columns are accepted; these tuples serve the fixtures and the bench.
UNIT_COLUMNS = _words(
    """
    siren statutDiffusionUniteLegale unitePurgeeUniteLegale dateCreationUniteLegale sigleUniteLegale sexeUniteLegale
    prenom1UniteLegale prenom2UniteLegale prenom3UniteLegale prenom4UniteLegale prenomUsuelUniteLegale
    pseudonymeUniteLegale identifiantAssociationUniteLegale trancheEffectifsUniteLegale anneeEffectifsUniteLegale
    dateDernierTraitementUniteLegale nombrePeriodesUniteLegale categorieEntreprise anneeCategorieEntreprise
    dateDebut etatAdministratifUniteLegale nomUniteLegale nomUsageUniteLegale denominationUniteLegale
    denominationUsuelle1UniteLegale denominationUsuelle2UniteLegale denominationUsuelle3UniteLegale
    categorieJuridiqueUniteLegale activitePrincipaleUniteLegale nomenclatureActivitePrincipaleUniteLegale
    nicSiegeUniteLegale economieSocialeSolidaireUniteLegale societeMissionUniteLegale caractereEmployeurUniteLegale
    activitePrincipaleNAF25UniteLegale
    """
)

ETAB_COLUMNS = _words(
    """
    siren nic siret statutDiffusionEtablissement dateCreationEtablissement trancheEffectifsEtablissement
    anneeEffectifsEtablissement activitePrincipaleRegistreMetiersEtablissement dateDernierTraitementEtablissement
    etablissementSiege nombrePeriodesEtablissement complementAdresseEtablissement numeroVoieEtablissement
    indiceRepetitionEtablissement dernierNumeroVoieEtablissement indiceRepetitionDernierNumeroVoieEtablissement
    typeVoieEtablissement libelleVoieEtablissement codePostalEtablissement libelleCommuneEtablissement
    libelleCommuneEtrangerEtablissement distributionSpecialeEtablissement codeCommuneEtablissement
    codeCedexEtablissement libelleCedexEtablissement codePaysEtrangerEtablissement libellePaysEtrangerEtablissement
    identifiantAdresseEtablissement coordonneeLambertAbscisseEtablissement coordonneeLambertOrdonneeEtablissement
    complementAdresse2Etablissement numeroVoie2Etablissement indiceRepetition2Etablissement typeVoie2Etablissement
    libelleVoie2Etablissement codePostal2Etablissement libelleCommune2Etablissement
    libelleCommuneEtranger2Etablissement distributionSpeciale2Etablissement codeCommune2Etablissement
    codeCedex2Etablissement libelleCedex2Etablissement codePaysEtranger2Etablissement
    libellePaysEtranger2Etablissement dateDebut etatAdministratifEtablissement enseigne1Etablissement
    enseigne2Etablissement enseigne3Etablissement denominationUsuelleEtablissement activitePrincipaleEtablissement
    nomenclatureActivitePrincipaleEtablissement caractereEmployeurEtablissement activitePrincipaleNAF25Etablissement
    """
)

# The columns the import reads: a file without one of them is refused before anything is done.
UNIT_REQUIRED = _words(
    """
    siren etatAdministratifUniteLegale economieSocialeSolidaireUniteLegale denominationUniteLegale nomUniteLegale
    nomUsageUniteLegale prenom1UniteLegale prenomUsuelUniteLegale identifiantAssociationUniteLegale
    categorieJuridiqueUniteLegale
    """
)
ETAB_REQUIRED = _words(
    """
    siren siret etatAdministratifEtablissement etablissementSiege codeCommuneEtablissement codePostalEtablissement
    complementAdresseEtablissement numeroVoieEtablissement indiceRepetitionEtablissement typeVoieEtablissement
    libelleVoieEtablissement coordonneeLambertAbscisseEtablissement coordonneeLambertOrdonneeEtablissement
    enseigne1Etablissement denominationUsuelleEtablissement activitePrincipaleEtablissement
    nomenclatureActivitePrincipaleEtablissement trancheEffectifsEtablissement anneeEffectifsEtablissement
    """
)

UNITS_LABEL = "unités légales"
ETABS_LABEL = "établissements"

NOT_DIFFUSIBLE = "[ND]"  # value of the fields hidden by a partial-diffusion status
HEADCOUNT_BANDS = frozenset(HeadcountBand.values)
NAF_NOMENCLATURE = "NAFRev2"

# Lambert-93 extent of metropolitan France and Corsica, with a margin (metres).
LAMBERT93_X = (60_000.0, 1_280_000.0)
LAMBERT93_Y = (6_000_000.0, 7_150_000.0)

# INSEE street type codes, written out: "CODE Label", separated by "|" or a new line.
STREET_TYPES = dict(
    item.split(" ", 1)
    for item in re.split(
        r"\s*[|\n]\s*",
        """
    ALL Allée | AV Avenue | BD Boulevard | BRG Bourg | CAR Carrefour | CHE Chemin | CHEM Chemin | CHS Chaussée
    CITE Cité | COR Corniche | CRS Cours | DOM Domaine | DSC Descente | ECA Écart | ESP Esplanade | FG Faubourg
    GR Grande Rue | HAM Hameau | HLE Halle | IMP Impasse | LD Lieu-dit | LOT Lotissement | MAR Marché
    MTE Montée | PARC Parc | PAS Passage | PL Place | PLN Plaine | PLT Plateau | PRO Promenade | PRV Parvis
    QUA Quartier | QUAI Quai | RES Résidence | RLE Ruelle | ROC Rocade | RPT Rond-point | RTE Route | RUE Rue
    SEN Sentier | SENT Sente | SQ Square | TPL Terre-plein | TRA Traverse | VLA Villa | VLGE Village | VOIE Voie
    ZA Zone artisanale | ZAC ZAC | ZI Zone industrielle | ZONE Zone
    """.strip(),
    )
)
REPETITION_INDEXES = {"B": "bis", "T": "ter", "Q": "quater", "C": "quinquies"}
_LOWERCASE_WORDS = frozenset({"de", "des", "du", "la", "le", "les", "et", "au", "aux", "en", "sur", "sous", "à"})
_ELIDED = frozenset({"l", "d"})

# Warning kinds → French label (the command prints "label : count (examples)").
WARNINGS = {
    "legal_category": "catégorie juridique inconnue du référentiel (laissée vide)",
    "naf": "code NAF inconnu du référentiel (laissé vide)",
    "naf_nomenclature": "activité dans une autre nomenclature que la NAF rév. 2 (laissée vide)",
    "headcount_band": "tranche d'effectif invalide (laissée vide)",
    "headcount_year": "année d'effectif invalide (laissée vide)",
    "rna": "numéro RNA mal formé (ignoré)",
    "rna_taken": "numéro RNA déjà porté par une autre structure (ignoré)",
}


SIRET_ERRORS = {"siret_length": "14 chiffres attendus", "siret_checksum": "clé de contrôle incorrecte"}


class RowRejected(Exception):
    """A row that is not imported; the message (French) says why."""


# ---------------------------------------------------------------------------------------------------------------
# Territory


class Territory:
    """The départements the import keeps; `contains(commune_code)` is on the hot path of every row."""

    def __init__(self, departements):
        self.departements = frozenset(departements)
        self.two = frozenset(code for code in self.departements if len(code) == 2)
        self.three = frozenset(code for code in self.departements if len(code) == 3)
        self.two_bytes = frozenset(code.encode() for code in self.two)
        self.three_bytes = frozenset(code.encode() for code in self.three)

    def contains(self, commune_code):
        return commune_code[:2] in self.two or commune_code[:3] in self.three

    def __repr__(self):
        return f"Territory({sorted(self.departements)})"


def normalize_departement(code):
    code = code.strip().upper()
    return code.zfill(2) if code.isdigit() and len(code) == 1 else code


# ---------------------------------------------------------------------------------------------------------------
# Values


def clean(value):
    """A field's value without surrounding spaces; the non-diffusible marker counts as empty."""
    value = value.strip()
    return "" if value == NOT_DIFFUSIBLE else value


def _capitalize_part(part, first):
    if "'" in part:
        prefix, _, rest = part.partition("'")
        if prefix in _ELIDED and rest:
            return (prefix.upper() if first else prefix) + "'" + rest[:1].upper() + rest[1:]
    if not first and part in _LOWERCASE_WORDS:
        return part
    return part[:1].upper() + part[1:]


def title_fr(text, first=True):
    """French title case for upper-case SIRENE labels: 'DES LILAS' → 'des Lilas' after a street type,
    'SAINT-JEAN-D'ANGELY' → 'Saint-Jean-d'Angely', 'L'EGLISE' → 'L'Eglise' at the start."""
    words = []
    for position, word in enumerate(text.lower().split()):
        parts = word.split("-")
        words.append(
            "-".join(
                _capitalize_part(part, first=first and position == 0 and index == 0) for index, part in enumerate(parts)
            )
        )
    return " ".join(words)


def build_address(number, repetition, street_type, street_name):
    """'12', 'B', 'RUE', 'DES LILAS' → '12 bis Rue des Lilas' (abbreviated street types written out)."""
    parts = []
    number = number.strip()
    if number:
        parts.append(number.lstrip("0") or number)
    repetition = repetition.strip()
    if repetition:
        parts.append(REPETITION_INDEXES.get(repetition.upper(), repetition.upper()))
    street_type = street_type.strip()
    if street_type:
        parts.append(STREET_TYPES.get(street_type.upper()) or title_fr(street_type))
    street_name = street_name.strip()
    if street_name:
        parts.append(title_fr(street_name, first=not street_type))
    return " ".join(parts)


def parse_lambert(x_text, y_text):
    """(x, y) as floats, or None when the pair is incomplete; RowRejected when a value is not a number."""
    x_text, y_text = x_text.strip(), y_text.strip()
    if x_text == NOT_DIFFUSIBLE:
        x_text = ""
    if y_text == NOT_DIFFUSIBLE:
        y_text = ""
    values = []
    for text in (x_text, y_text):
        if not text:
            values.append(None)
            continue
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise RowRejected(f"coordonnées Lambert invalides ({x_text or '—'} ; {y_text or '—'})")
        values.append(number)
    if None in values:
        return None
    return values[0], values[1]


def is_metropolitan(commune_code):
    return not commune_code.startswith(("97", "98"))


def plausible_lambert93(x, y):
    """True when (x, y) can be a Lambert-93 point of metropolitan France (overseas files use other projections)."""
    return LAMBERT93_X[0] <= x <= LAMBERT93_X[1] and LAMBERT93_Y[0] <= y <= LAMBERT93_Y[1]


def locate(x_text, y_text, commune_code, commune_point, to_wgs84):
    """(latitude, longitude): the establishment's Lambert-93 point when usable, else the commune's point.

    `to_wgs84` is `horizon.territories.geo.lambert93_to_wgs84` (passed in to keep this module free of imports
    from another app). Coordinates are rounded to 6 decimals (≈ 10 cm) so that re-imports compare equal.
    """
    point = parse_lambert(x_text, y_text)
    if point is not None and is_metropolitan(commune_code) and plausible_lambert93(*point):
        latitude, longitude = to_wgs84(*point)
        return round(latitude, 6), round(longitude, 6)
    return commune_point


# ---------------------------------------------------------------------------------------------------------------
# Mapping


@dataclass(frozen=True, slots=True)
class Unit:
    """What the import keeps of an ESS legal unit."""

    name: str
    rna: str | None
    legal_category: str
    rna_invalid: bool = False


@dataclass(slots=True)
class Lookups:
    """Reference data, loaded once by the command."""

    communes: dict  # INSEE code → (latitude, longitude) of the communes of the territory
    legal_categories: frozenset
    naf_codes: frozenset
    to_wgs84: object = None


@dataclass(slots=True)
class Record:
    """An establishment to create or update: `fields` holds the Structure attributes SIRENE owns, by attname.

    `fields["rna"]` is None when the import leaves the structure's RNA alone: the RNA belongs to the legal unit
    and the column is unique, so it goes on the head office only, and an RNA typed on the platform is never
    erased because SIRENE has none.
    """

    line: int
    siret: str
    fields: dict
    warnings: list = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Closure:
    """A registry establishment that SIRENE says is closed."""

    line: int
    siret: str


class UnitColumns:
    def __init__(self, index):
        self.siren = index["siren"]
        self.state = index["etatAdministratifUniteLegale"]
        self.ess = index["economieSocialeSolidaireUniteLegale"]
        self.denomination = index["denominationUniteLegale"]
        self.last_name = index["nomUniteLegale"]
        self.usage_name = index["nomUsageUniteLegale"]
        self.first_name = index["prenom1UniteLegale"]
        self.usual_first_name = index["prenomUsuelUniteLegale"]
        self.rna = index["identifiantAssociationUniteLegale"]
        self.legal_category = index["categorieJuridiqueUniteLegale"]


class EtabColumns:
    def __init__(self, index):
        self.siren = index["siren"]
        self.siret = index["siret"]
        self.state = index["etatAdministratifEtablissement"]
        self.head_office = index["etablissementSiege"]
        self.commune = index["codeCommuneEtablissement"]
        self.postal_code = index["codePostalEtablissement"]
        self.complement = index["complementAdresseEtablissement"]
        self.number = index["numeroVoieEtablissement"]
        self.repetition = index["indiceRepetitionEtablissement"]
        self.street_type = index["typeVoieEtablissement"]
        self.street_name = index["libelleVoieEtablissement"]
        self.x = index["coordonneeLambertAbscisseEtablissement"]
        self.y = index["coordonneeLambertOrdonneeEtablissement"]
        self.sign = index["enseigne1Etablissement"]
        self.usual_name = index["denominationUsuelleEtablissement"]
        self.activity = index["activitePrincipaleEtablissement"]
        self.nomenclature = index["nomenclatureActivitePrincipaleEtablissement"]
        self.headcount_band = index["trancheEffectifsEtablissement"]
        self.headcount_year = index["anneeEffectifsEtablissement"]


def unit_name(row, cols):
    """The legal unit's name: its denomination, else (a person) first name and last name."""
    name = clean(row[cols.denomination])
    if name:
        return name
    last_name = clean(row[cols.usage_name]) or clean(row[cols.last_name])
    first_name = clean(row[cols.usual_first_name]) or clean(row[cols.first_name])
    return " ".join(part for part in (first_name, last_name) if part)


def map_unit(row, cols):
    """The Unit of a legal-unit row when the unit is active and belongs to the ESS, else None."""
    if row[cols.ess].strip() != "O" or row[cols.state].strip() != "A":
        return None
    rna_text = clean(row[cols.rna]).upper()
    rna = rna_text if RNA_RE.match(rna_text) else None
    return Unit(
        name=unit_name(row, cols)[:255],
        rna=rna,
        legal_category=clean(row[cols.legal_category]),
        rna_invalid=bool(rna_text) and rna is None,
    )


def map_establishment(row, cols, unit, lookups, line=0):
    """The Record of an in-scope establishment row (active, in the territory, of an ESS unit).

    Raises RowRejected when the row cannot be imported; unknown reference codes only add warnings.
    """
    siret = row[cols.siret].strip()
    try:
        validate_siret(siret)
    except ValidationError as exc:
        reason = SIRET_ERRORS.get(exc.error_list[0].code, exc.messages[0])
        raise RowRejected(f"SIRET invalide ({siret or 'vide'} : {reason})") from exc
    if siret[:9] != row[cols.siren].strip():
        raise RowRejected(f"SIRET {siret} incohérent avec le SIREN {row[cols.siren].strip()}")
    commune_code = row[cols.commune].strip()
    commune_point = lookups.communes.get(commune_code)
    if commune_point is None:
        raise RowRejected(f"code commune inconnu ({commune_code}) pour le SIRET {siret}")
    if not unit.name:
        raise RowRejected(f"nom absent pour le SIRET {siret}")
    latitude, longitude = locate(row[cols.x], row[cols.y], commune_code, commune_point, lookups.to_wgs84)

    warnings = []
    legal_category = unit.legal_category or None
    if legal_category and legal_category not in lookups.legal_categories:
        warnings.append(("legal_category", legal_category))
        legal_category = None
    naf = None
    activity = clean(row[cols.activity])
    if activity:
        if row[cols.nomenclature].strip() != NAF_NOMENCLATURE:
            warnings.append(("naf_nomenclature", f"{activity} ({row[cols.nomenclature].strip() or '?'})"))
        elif activity in lookups.naf_codes:
            naf = activity
        else:
            warnings.append(("naf", activity))
    band = clean(row[cols.headcount_band])
    if band and band not in HEADCOUNT_BANDS:
        warnings.append(("headcount_band", band))
        band = ""
    year_text = clean(row[cols.headcount_year])
    year = int(year_text) if len(year_text) == 4 and year_text.isdigit() else None
    if year_text and year is None:
        warnings.append(("headcount_year", year_text))

    is_head_office = row[cols.head_office].strip().lower() == "true"
    rna = unit.rna if is_head_office else None
    if is_head_office and unit.rna_invalid:
        warnings.append(("rna", siret[:9]))

    usual_name = clean(row[cols.sign]) or clean(row[cols.usual_name])
    if usual_name.casefold() == unit.name.casefold():
        usual_name = ""
    postal_code = clean(row[cols.postal_code])
    if not (len(postal_code) == 5 and postal_code.isdigit()):
        postal_code = ""
    fields = {
        "name": unit.name,
        "usual_name": usual_name[:255],
        "rna": rna,
        "legal_category_id": legal_category,
        "naf_id": naf,
        "headcount_band": band,
        "headcount_year": year,
        "address": build_address(
            clean(row[cols.number]),
            clean(row[cols.repetition]),
            clean(row[cols.street_type]),
            clean(row[cols.street_name]),
        )[:255],
        "address_complement": title_fr(clean(row[cols.complement]))[:255],
        "postal_code": postal_code,
        "commune_id": commune_code,
        "latitude": latitude,
        "longitude": longitude,
        "is_head_office": is_head_office,
        "is_active": True,
    }
    return Record(line=line, siret=siret, fields=fields, warnings=warnings)


# ---------------------------------------------------------------------------------------------------------------
# Report


class ImportReport:
    """Counts and (capped) details of one run; the command adds what it creates and updates."""

    def __init__(self, limit=50):
        self.limit = limit  # details kept per kind; None = all
        self.read = 0  # establishment rows
        self.read_units = 0  # legal-unit rows
        self.created = 0
        self.updated = 0
        self.unchanged = 0
        self.closed = 0
        self.rejected = 0  # establishment rows
        self.rejected_units = 0  # legal-unit rows
        self.details = {"created": [], "updated": [], "closed": [], "rejected": []}
        self.hidden = Counter()
        self.timings = {}  # phase label → seconds
        self.warnings = Counter()
        self.warning_samples = {}

    @property
    def out_of_scope(self):
        return self.read - self.created - self.updated - self.unchanged - self.closed - self.rejected

    def detail(self, kind, text):
        if self.limit is None or len(self.details[kind]) < self.limit:
            self.details[kind].append(text)
        else:
            self.hidden[kind] += 1

    def reject(self, line, reason, label=ETABS_LABEL):
        if label == ETABS_LABEL:
            self.rejected += 1
            self.detail("rejected", f"! ligne {line} : {reason}")
        else:
            self.rejected_units += 1
            self.detail("rejected", f"! {label}, ligne {line} : {reason}")

    def warn(self, kind, sample):
        self.warnings[kind] += 1
        samples = self.warning_samples.setdefault(kind, [])
        if len(samples) < 5 and sample not in samples:
            samples.append(sample)


# ---------------------------------------------------------------------------------------------------------------
# The three passes


def _parse(record):
    """The fields (text) of a record (bytes), or None when its quotes are unbalanced."""
    text = decode(record)
    if '"' not in text:
        return text.split(",")
    try:
        return next(csv.reader([text], strict=True))
    except csv.Error:
        return None


def _bad_width(row, width):
    return f"nombre de colonnes incorrect ({len(row)} au lieu de {width})"


UNCLOSED_QUOTE = "ligne mal formée (guillemet non fermé)"


def collect_candidate_sirens(etabs, territory, report):
    """Pass 1 on the establishment file: the SIRENs (bytes) with an active establishment in the territory.

    Counts the rows read and rejects the malformed ones (the later passes skip them silently). This loop runs
    once per row of a 40-million-row file: it stays in bytes and is written for speed (inlined checks, locals).
    """
    cols = EtabColumns(etabs.index)
    width, i_state, i_commune, i_siren = etabs.width, cols.state, cols.commune, cols.siren
    two, three = territory.two_bytes, territory.three_bytes
    sirens = set()
    add = sirens.add
    read = 0
    for first, records, numbers in etabs.blocks():
        read += len(records)
        for index, record in enumerate(records):
            if b'"' in record:  # a quoted field: the csv module, on text
                row = _parse(record)
                if row is None or len(row) != width:
                    reason = UNCLOSED_QUOTE if row is None else _bad_width(row, width)
                    report.reject(numbers[index] if numbers else first + index, reason)
                elif row[i_state] == "A" and territory.contains(row[i_commune]):
                    add(row[i_siren].encode())
                continue
            if not record:  # a blank line
                read -= 1
                continue
            row = record.split(b",")
            if len(row) != width:
                report.reject(numbers[index] if numbers else first + index, _bad_width(row, width))
                continue
            if row[i_state] == b"A":
                code = row[i_commune]
                if code[:2] in two or code[:3] in three:
                    add(row[i_siren])
    report.read = read
    return sirens


def load_units(units_file, wanted, report):
    """Pass 2 on the legal-unit file: {siren: Unit} for the wanted SIRENs whose unit is active and ESS.

    When the SIREN is the first column, a row whose first nine bytes are not a wanted SIREN is skipped
    without being decoded nor parsed.
    """
    cols = UnitColumns(units_file.index)
    width, i_siren = units_file.width, cols.siren
    fast = units_file.siren_first
    units = {}
    read = 0
    for first, records, numbers in units_file.blocks():
        read += len(records)
        for index, record in enumerate(records):
            if fast and record[:9] not in wanted and record[:1] != b'"':
                continue
            row = _parse(record)
            if row is None or len(row) != width:
                if record:
                    line = numbers[index] if numbers else first + index
                    report.reject(line, UNCLOSED_QUOTE if row is None else _bad_width(row, width), UNITS_LABEL)
                continue
            siren = row[i_siren].strip()
            if siren.encode() not in wanted:
                continue
            unit = map_unit(row, cols)
            if unit is not None:
                units[siren] = unit
    report.read_units = read
    return units


def iter_in_scope(etabs, territory, units, registry, lookups, report):
    """Pass 3 on the establishment file: yields a Record per in-scope establishment and a Closure per registry
    establishment closed in SIRENE; rejects the in-scope rows that cannot be imported.

    `registry` maps the SIRETs already in the registry to their `is_active`. Rows whose SIREN is neither an ESS
    unit's nor a registry structure's are skipped on their first nine bytes, undecoded.
    """
    cols = EtabColumns(etabs.index)
    width = etabs.width
    fast = etabs.siren_first
    targets = {siren.encode() for siren in units} | {siret[:9].encode() for siret in registry}
    contains = territory.contains
    seen = set()
    for first, records, numbers in etabs.blocks():
        for index, record in enumerate(records):
            if fast and record[:9] not in targets and record[:1] != b'"':
                continue
            row = _parse(record)
            if row is None or len(row) != width:  # rejected by pass 1
                continue
            siren = row[cols.siren].strip()
            if siren.encode() not in targets:
                continue
            line = numbers[index] if numbers else first + index
            siret = row[cols.siret].strip()
            if row[cols.state].strip() == "A":
                unit = units.get(siren)
                if unit is None or not contains(row[cols.commune].strip()):
                    continue
                if siret in seen:
                    report.reject(line, f"SIRET {siret} en double dans le fichier")
                    continue
                seen.add(siret)
                try:
                    mapped = map_establishment(row, cols, unit, lookups, line)
                except RowRejected as exc:
                    report.reject(line, str(exc))
                    continue
                yield mapped
            elif siret in registry:
                if siret in seen:
                    report.reject(line, f"SIRET {siret} en double dans le fichier")
                    continue
                seen.add(siret)
                if registry[siret]:
                    yield Closure(line=line, siret=siret)
                else:
                    report.unchanged += 1
