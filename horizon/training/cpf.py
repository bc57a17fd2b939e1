"""The Mon Compte Formation catalogue (Caisse des Dépôts open data, `;`-separated CSV), read as a stream.

Pure logic, no database: `horizon.training.imports` writes what this module reads.

One row is one formation of one provider, with statistics aggregated over its actions and sessions. Each row
becomes a FormationRecord (source "cpf", source_id `<numero_formation>_<siret>`) with one action standing for
the whole offer (`cpf_eligible`, hours and price from the averages, modality from the share of distance
sessions) and no sessions. Column names changed over the years: they are found by alias (`siret` or `siret_of`,
`code_inventaire` or `code_rs`, `date_extract` or `date_chargement`…), whatever their order; extra columns are
ignored. A row that cannot be imported (a required value missing, an invalid SIRET, a wrong number of fields)
becomes a Rejection with its line number.
"""

import csv
import gzip
import re
import zlib
from pathlib import Path

from .enums import Modality
from .feed import (
    GZIP_MAGIC,
    MAX_ID_LENGTH,
    MAX_PRICE_TOTAL,
    ActionRecord,
    FeedFile,
    FormationRecord,
    ProviderRecord,
    Rejection,
    clean_siret,
    html_to_text,
    one_line,
    parse_decimal,
    parse_hours,
    parse_price,
)

ACTION_ID = "cpf"  # the single action that stands for the offer

# Canonical name → the column names it has had (lower case).
ALIASES = {
    "date_extract": ("date_extract", "date_chargement"),
    "nom_of": ("nom_of",),
    "siret": ("siret", "siret_of"),
    "numero_formation": ("numero_formation",),
    "intitule_formation": ("intitule_formation",),
    "points_forts": ("points_forts",),
    "objectif_formation": ("objectif_formation",),
    "contenu_formation": ("contenu_formation",),
    "resultats_attendus": ("resultats_attendus_formation", "resultats_attendus"),
    "type_referentiel": ("type_referentiel",),
    "code_rncp": ("code_rncp",),
    "code_rs": ("code_rs", "code_inventaire"),
    "code_certifinfo": ("code_certifinfo",),
    "niveau_sortie": ("libelle_niveau_sortie_formation",),
    **{f"code_formacode_{n}": (f"code_formacode_{n}",) for n in range(1, 6)},
    **{f"code_rome_{n}": (f"code_rome_{n}",) for n in range(1, 6)},
    **{f"code_nsf_{n}": (f"code_nsf_{n}",) for n in range(1, 4)},
    "nb_session_active": ("nb_session_active",),
    "nb_session_a_distance": ("nb_session_a_distance",),
    "heures": ("nombre_heures_total_mean",),
    "frais": ("frais_ttc_tot_mean",),
}
REQUIRED = ("siret", "numero_formation", "intitule_formation")

_LEVEL = re.compile(r"niveau\s*([1-8])\b", re.IGNORECASE)
_FLOAT_CODE = re.compile(r"^(\d+)\.0+$")


class CpfError(Exception):
    """A file that cannot be read at all (French message): nothing of it is imported."""


def _code(value):
    """A code as a string, without the '.0' a spreadsheet export adds to numbers."""
    code = (value or "").strip()
    match = _FLOAT_CODE.match(code)
    return match.group(1) if match else code


def exit_level(label):
    """'Niveau 5 (BTS, DUT…)' → '15' (dict-niveaux: 11–18 are the European levels 1–8); 'Sans niveau…' → '1'."""
    label = (label or "").strip()
    if not label:
        return ""
    match = _LEVEL.search(label)
    if match:
        return str(10 + int(match.group(1)))
    return "1" if label.lower().startswith("sans niveau") else ""


def modality(active, distance):
    """Distance when every active session is at a distance, blended when some are, on site otherwise."""
    try:
        active, distance = int(parse_decimal(active) or 0), int(parse_decimal(distance) or 0)
    except ValueError:
        return Modality.ON_SITE.value
    if distance <= 0:
        return Modality.ON_SITE.value
    return Modality.DISTANCE.value if distance >= active else Modality.BLENDED.value


def map_row(row, line):
    """A FormationRecord from a row given as {canonical name: text}, or a Rejection."""
    numero = (row.get("numero_formation") or "").strip()
    raw_siret = (row.get("siret") or "").strip()
    source_id = f"{numero}_{raw_siret}" if numero else ""
    if not raw_siret:
        return Rejection(source_id, line, "SIRET absent")
    try:
        siret = clean_siret(raw_siret)
    except ValueError as exc:
        return Rejection(source_id, line, f"SIRET invalide ({raw_siret} : {exc})")
    if not numero:
        return Rejection("", line, f"numéro de formation absent (SIRET {siret})")
    source_id = f"{numero}_{siret}"
    if len(source_id) > MAX_ID_LENGTH:
        return Rejection(source_id[:MAX_ID_LENGTH], line, f"identifiant de plus de {MAX_ID_LENGTH} caractères")
    title = one_line(row.get("intitule_formation"))
    if not title:
        return Rejection(source_id, line, "intitulé absent")
    provider_name = one_line(row.get("nom_of"))
    if not provider_name:
        return Rejection(source_id, line, f"nom de l'organisme absent (SIRET {siret})")

    warnings = []
    certifications = []
    for kind, name in (("RNCP", "code_rncp"), ("RS", "code_rs"), ("CERTIFINFO", "code_certifinfo")):
        code = _code(row.get(name))
        if code:
            certifications.append({"type": kind, "code": code})
    action = ActionRecord(
        source_id=ACTION_ID,
        modality=modality(row.get("nb_session_active"), row.get("nb_session_a_distance")),
        cpf_eligible=True,
    )
    hours = row.get("heures") or ""
    if hours.strip():
        try:
            action.hours_total = parse_hours(hours)
        except ValueError:
            warnings.append(("hours", f"nombre_heures_total_mean {hours.strip()[:40]}"))
    price = row.get("frais") or ""
    if price.strip():
        try:
            action.price_total = parse_price(price, MAX_PRICE_TOTAL)
        except ValueError:
            warnings.append(("price", f"frais_ttc_tot_mean {price.strip()[:40]}"))
    return FormationRecord(
        source_id=source_id,
        title=title,
        provider=ProviderRecord(siret=siret, name=provider_name),
        line=line,
        objective=html_to_text(row.get("objectif_formation")) or html_to_text(row.get("points_forts")),
        expected_results=html_to_text(row.get("resultats_attendus")),
        content=html_to_text(row.get("contenu_formation")),
        certifying=bool(certifications),
        certifications=certifications,
        formacodes=_codes(row, "code_formacode", 5),
        nsf_codes=_codes(row, "code_nsf", 3),
        rome_codes=_codes(row, "code_rome", 5),
        exit_level=exit_level(row.get("niveau_sortie")),
        actions=[action],
        warnings=warnings,
    )


def _codes(row, prefix, count):
    return list(dict.fromkeys(code for code in (_code(row.get(f"{prefix}_{n}")) for n in range(1, count + 1)) if code))


def map_header(header):
    """{canonical name: column index} from the header row; CpfError (French) when a required column is missing."""
    names = [name.strip().lstrip("\ufeff").lower() for name in header]
    index = {}
    for canonical, aliases in ALIASES.items():
        for alias in aliases:
            if alias in names:
                index[canonical] = names.index(alias)
                break
    missing = [canonical for canonical in REQUIRED if canonical not in index]
    if missing:
        wanted = ", ".join(" ou ".join(ALIASES[name]) for name in missing)
        found = ", ".join(names[:8]) + ("…" if len(names) > 8 else "")
        raise CpfError(f"Colonnes obligatoires absentes : {wanted} (colonnes trouvées : {found}).")
    return index


class CpfFile(FeedFile):
    """The CPF catalogue CSV (UTF-8 with or without BOM, plain or gzipped); iterate for records and rejections.

        with CpfFile(path) as cpf:
            for item in cpf:    # FormationRecord or Rejection
                ...
            cpf.extract_date    # date_extract / date_chargement of the first row, as written

    Opening raises CpfError (French) when the file is missing, unreadable or lacks a required column."""

    def __init__(self, path):
        self.path = Path(path)
        self.compressed = False
        self.extract_date = ""
        self._stream = None
        self._reader = None
        self._index = None
        self._width = 0

    def open(self):
        if not self.path.is_file():
            raise CpfError(f"Fichier introuvable : {self.path}")
        try:
            with self.path.open("rb") as raw:
                self.compressed = raw.read(2) == GZIP_MAGIC
            opener = gzip.open if self.compressed else open
            self._stream = opener(self.path, "rt", encoding="utf-8-sig", newline="")
            self._reader = csv.reader(self._stream, delimiter=";")
            header = next(self._reader, None)
        except (OSError, EOFError, zlib.error) as exc:
            self.close()
            raise CpfError(f"Lecture impossible de {self.path.name} ({exc}).") from exc
        except UnicodeDecodeError as exc:
            self.close()
            raise CpfError(f"{self.path.name} n'est pas encodé en UTF-8.") from exc
        except csv.Error as exc:
            self.close()
            raise CpfError(f"{self.path.name} : en-tête illisible ({exc}).") from exc
        if not header or not any(cell.strip() for cell in header):
            self.close()
            raise CpfError(f"{self.path.name} est vide : une ligne d'en-tête est attendue.")
        if len(header) == 1 and ("," in header[0] or "\t" in header[0]):
            self.close()
            raise CpfError(f"{self.path.name} : les colonnes doivent être séparées par des points-virgules (;).")
        try:
            self._index = map_header(header)
        except CpfError:
            self.close()
            raise
        self._width = len(header)

    def close(self):
        if self._stream is not None:
            self._stream.close()
        self._stream = self._reader = None

    def __iter__(self):
        if self._reader is None:
            raise CpfError("Le fichier CPF n'est pas ouvert.")
        index, width, reader = self._index, self._width, self._reader
        previous_end = 1
        try:
            for fields in reader:
                line, previous_end = previous_end + 1, reader.line_num
                if not fields or not any(field.strip() for field in fields):
                    continue
                if len(fields) != width:
                    numero = (
                        fields[index["numero_formation"]].strip() if len(fields) > index["numero_formation"] else ""
                    )
                    yield Rejection(numero, line, f"nombre de colonnes incorrect ({len(fields)} au lieu de {width})")
                    continue
                row = {name: fields[position] for name, position in index.items()}
                if not self.extract_date:
                    self.extract_date = (row.get("date_extract") or "").strip()
                yield map_row(row, line)
        except UnicodeDecodeError as exc:
            raise CpfError(f"{self.path.name} n'est pas encodé en UTF-8 (vers la ligne {previous_end + 1}).") from exc
        except csv.Error as exc:
            raise CpfError(f"{self.path.name}, ligne {previous_end + 1} : CSV mal formé ({exc}).") from exc
        except (OSError, EOFError, zlib.error) as exc:
            raise CpfError(f"Lecture interrompue de {self.path.name} ({exc}).") from exc
