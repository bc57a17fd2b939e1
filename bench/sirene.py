"""SIRENE import benchmark: `manage.py import_sirene` on generated stock files of real size.

    .venv/bin/python -m bench.sirene [--rows 1000000]

1. Prepares a fresh database: an SQLite file in bench/out/ by default; with DATABASE_URL set, a PostgreSQL
   database `<name>_sirene_bench` (re)created on that server (the database named in the URL is never touched).
   `migrate`, `load_territories`, `load_referentials` (synthetic départements, communes and codes are created
   instead when those commands fail).
2. Generates into bench/out/ a StockEtablissement CSV of N rows with the 54 official columns (≈ 10 % of the
   units in the ESS, ≈ 30 % of the establishments in Nouvelle-Aquitaine, ≈ 20 % closed, Lambert-93
   coordinates, a few bad rows) and the matching StockUniteLegale (35 columns). Files are reused when the
   same size was generated against the same communes.
3. Measures (a) a bare `csv.reader` loop over the establishment file: the floor; (b) the import in wet-run
   (`--region 75`) in a child process, then the same import again (everything unchanged): wall time, rows
   of the establishment file per second, and the child's peak memory (ru_maxrss from os.wait4, i.e. the
   RUSAGE_CHILDREN figure of that child alone, not of the set-up commands run before it).

`run(rows)` returns the figures as a dict (for bench/run.py); the target is import ≥ 40 % of the bare read.
"""

import argparse
import csv
import hashlib
import json
import math
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

try:
    from bench.web import BenchError
except ImportError:  # pragma: no cover - the web bench is optional

    class BenchError(Exception):
        """The benchmark could not run to the end; the message says why, in French."""


ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
SETTINGS = "config.settings.test"  # DEBUG off, no production-only requirements
GENERATOR_VERSION = 4
SEED = 20251128
TARGET_RATIO = 0.40

NA_REGION = "75"
NA_DEPARTEMENTS = ("16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87")
SHARE_ESS, SHARE_NA, SHARE_CLOSED = 0.10, 0.30, 0.20

# Lambert-93 (same constants as horizon.territories.geo), for the forward projection of generated points.
_E, _N, _C, _XS, _YS, _LON0 = 0.0818191910428158, 0.7256077650532670, 11754255.426096, 700000.0, 12655612.049876, 3.0


def wgs84_to_lambert93(latitude, longitude):
    phi = math.radians(latitude)
    e_sin = _E * math.sin(phi)
    iso = math.log(math.tan(math.pi / 4 + phi / 2) * ((1 - e_sin) / (1 + e_sin)) ** (_E / 2))
    radius = _C * math.exp(-_N * iso)
    gamma = _N * (math.radians(longitude) - math.radians(_LON0))
    return _XS + radius * math.sin(gamma), _YS - radius * math.cos(gamma)


# --- database -------------------------------------------------------------------------------------------------


def _database():
    """(DATABASE_URL for the children, label): a fresh database for every run."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        path = OUT / "sirene.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}", f"SQLite ({path.relative_to(ROOT)})"
    import psycopg

    base, name = url.rsplit("/", 1)
    name = name.split("?")[0] + "_sirene_bench"
    try:
        with psycopg.connect(f"{base}/postgres", connect_timeout=5, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        raise BenchError(f"PostgreSQL injoignable ou refus de créer la base {name} : {exc}") from exc
    return f"{base}/{name}", f"PostgreSQL ({name})"


def _env(database_url):
    return {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": SETTINGS, "PYTHONUNBUFFERED": "1"}


def _manage(database_url, *args, check=True):
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=_env(database_url), capture_output=True, text=True
    )
    if check and result.returncode:
        raise BenchError(f"manage.py {' '.join(args)} a échoué :\n{result.stderr[-2000:]}")
    return result


def prepare_database(database_url):
    """migrate + reference data; returns a note on where the territories come from."""
    _manage(database_url, "migrate", "--no-input")
    notes = []
    for command in ("load_territories", "load_referentials"):
        result = _manage(database_url, command, check=False)
        if result.returncode:
            notes.append(f"{command} indisponible (données synthétiques)")
    subprocess.run(
        [PYTHON, "-m", "bench.sirene", "--seed", str(OUT / "communes.json")],
        cwd=ROOT,
        env=_env(database_url),
        check=True,
    )
    return "; ".join(notes) or "territoires et référentiels chargés"


def seed(communes_path):
    """In a child process with Django: fill what the reference commands did not, dump the communes to JSON."""
    import django

    django.setup()
    from horizon.referentials.enums import EssFamily
    from horizon.referentials.models import LegalCategory, NafCode
    from horizon.territories.models import Commune, Departement, PostalCode, Region

    region, _ = Region.objects.get_or_create(code=NA_REGION, defaults={"name": "Nouvelle-Aquitaine"})
    rng = random.Random(SEED)
    for code in NA_DEPARTEMENTS:
        departement, _ = Departement.objects.get_or_create(
            code=code, defaults={"name": f"Département {code}", "region": region}
        )
        if not departement.communes.exists():
            Commune.objects.bulk_create(
                Commune(
                    code=f"{code}{n:03d}",
                    name=f"Commune {code}-{n}",
                    search_name=f"commune {code} {n}",
                    departement=departement,
                    latitude=round(rng.uniform(43.3, 46.9), 6),
                    longitude=round(rng.uniform(-1.6, 2.4), 6),
                )
                for n in range(1, 41)
            )
    for code, label, family in [
        ("9220", "Association déclarée", EssFamily.ASSOCIATION),
        ("5458", "SARL coopérative ouvrière de production (SCOP)", EssFamily.COOPERATIVE),
        ("5558", "SA coopérative ouvrière de production (SCOP) à conseil d'administration", EssFamily.COOPERATIVE),
        ("8210", "Mutuelle", EssFamily.MUTUELLE),
        ("9300", "Fondation", EssFamily.FONDATION),
    ]:
        LegalCategory.objects.get_or_create(code=code, defaults={"label": label, "ess_family": family})
    for code in ESS_NAF + OTHER_NAF:
        NafCode.objects.get_or_create(
            code=code,
            defaults={
                "label": code,
                "division_code": code[:2],
                "division_label": code[:2],
                "section_code": "Q",
                "section_label": "Q",
            },
        )
    postal = {}
    for commune_id, postal_code in PostalCode.objects.order_by("code").values_list("commune_id", "code"):
        postal.setdefault(commune_id, postal_code)
    communes = [
        {
            "code": code,
            "name": name,
            "departement": departement,
            "latitude": latitude,
            "longitude": longitude,
            "postal_code": postal.get(code) or f"{code[:2]}000",
        }
        for code, name, departement, latitude, longitude in Commune.objects.values_list(
            "code", "name", "departement_id", "latitude", "longitude"
        )
    ]
    Path(communes_path).write_text(json.dumps(communes), encoding="utf-8")


# --- generation -----------------------------------------------------------------------------------------------

ESS_NAF = ["88.99B", "94.99Z", "85.59A", "88.10A", "87.30A", "93.12Z", "90.01Z", "88.91A", "86.90D"]
OTHER_NAF = ["47.11F", "56.10A", "43.21A", "62.01Z", "68.20A", "70.22Z", "49.41A", "45.20A", "96.02A"]
ESS_CATEGORIES = ["9220"] * 14 + ["9230", "5458", "5558", "5460", "8210", "9300", "6317"]
OTHER_CATEGORIES = ["5710", "5499", "5499", "1000", "1000", "1000", "6540", "5720"]
STREET_TYPES = ["RUE", "RUE", "RUE", "AV", "BD", "CHE", "PL", "ALL", "RTE", "IMP", "QUA", "CRS", "LD", ""]
STREET_NAMES = [
    "DES LILAS",
    "DE LA REPUBLIQUE",
    "DU GENERAL DE GAULLE",
    "JEAN JAURES",
    "DE L'EGLISE",
    "DU MOULIN",
    "VICTOR HUGO",
    "DES ECOLES",
    "DE LA GARE",
    "PASTEUR",
    "DU STADE",
    "SAINT-JEAN",
    "DE BORDEAUX",
    "LE BOURG",
]
NAME_HEADS = ["ASSOCIATION", "AMICALE", "COMITE", "UNION", "FOYER", "CENTRE SOCIAL", "MAISON", "SCOP", "COOPERATIVE"]
NAME_TAILS = [
    "DES FAMILLES",
    "DES JEUNES",
    "LES PETITS DEBROUILLARDS",
    "SPORTIVE",
    "CULTURELLE",
    "DU QUARTIER",
    "D'AIDE A DOMICILE",
    "POUR L'INSERTION",
    "DE LA VALLEE",
    "SOLIDARITE",
]
COMPANY_HEADS = ["SARL", "SAS", "SCI", "EURL", "SA"]
LAST_NAMES = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY", "MOREAU"]
FIRST_NAMES = ["MARIE", "JEAN", "PIERRE", "MICHEL", "ANNE", "NATHALIE", "PHILIPPE", "ISABELLE", "CATHERINE"]
BANDS = ["NN", "NN", "", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41"]
BAD_ROW_EVERY = 10_000  # one row in this many is malformed or has a bad SIRET


def _luhn_digit(body):
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def _files(rows):
    return OUT / f"StockUniteLegale_bench_{rows}.csv", OUT / f"StockEtablissement_bench_{rows}.csv"


def generate(rows, communes):
    """Write both stock files (or reuse them); returns (units path, establishments path, stats)."""
    units_path, etabs_path = _files(rows)
    meta_path = etabs_path.with_suffix(".json")
    digest = hashlib.sha256(json.dumps(communes, sort_keys=True).encode()).hexdigest()[:16]
    meta = {"rows": rows, "seed": SEED, "version": GENERATOR_VERSION, "communes": digest}
    if units_path.exists() and etabs_path.exists() and meta_path.exists():
        saved = json.loads(meta_path.read_text(encoding="utf-8"))
        if {key: saved.get(key) for key in meta} == meta:
            return units_path, etabs_path, saved["stats"]

    from horizon.organisations.sirene import ETAB_COLUMNS, UNIT_COLUMNS

    rng = random.Random(SEED)
    na = [c for c in communes if c["departement"] in NA_DEPARTEMENTS]
    others = [c for c in communes if c["departement"] not in NA_DEPARTEMENTS] or [
        {"code": "75056", "name": "Paris", "departement": "75", "latitude": 48.8566, "longitude": 2.3522}
    ]
    if not na:
        raise BenchError("Aucune commune de Nouvelle-Aquitaine dans la base : territoires non chargés.")
    etab_index = {name: i for i, name in enumerate(ETAB_COLUMNS)}
    unit_index = {name: i for i, name in enumerate(UNIT_COLUMNS)}
    stats = {"units": 0, "ess_units": 0, "rows": 0, "in_na": 0, "closed": 0, "expected_in_scope": 0, "bad": 0}
    siren_counter = 100_000_00
    started = time.perf_counter()
    with (
        units_path.open("w", newline="", encoding="utf-8") as units_file,
        etabs_path.open("w", newline="", encoding="utf-8") as etabs_file,
    ):
        units_writer = csv.writer(units_file, lineterminator="\n")
        etabs_writer = csv.writer(etabs_file, lineterminator="\n")
        units_writer.writerow(UNIT_COLUMNS)
        etabs_writer.writerow(ETAB_COLUMNS)
        written = 0
        while written < rows:
            siren_counter += rng.randint(1, 37)
            body = str(siren_counter)[:8].zfill(8)
            siren = body + _luhn_digit(body)
            ess = rng.random() < SHARE_ESS
            unit_closed = rng.random() < 0.07
            count = 1 if rng.random() < 0.8 else rng.randint(2, 6)
            count = min(count, rows - written)
            category = rng.choice(ESS_CATEGORIES if ess else OTHER_CATEGORIES)
            unit = [""] * len(UNIT_COLUMNS)
            if category == "1000":
                unit[unit_index["nomUniteLegale"]] = rng.choice(LAST_NAMES)
                unit[unit_index["prenom1UniteLegale"]] = rng.choice(FIRST_NAMES)
                unit[unit_index["prenomUsuelUniteLegale"]] = unit[unit_index["prenom1UniteLegale"]]
                unit[unit_index["sexeUniteLegale"]] = rng.choice("MF")
            elif ess:
                unit[unit_index["denominationUniteLegale"]] = f"{rng.choice(NAME_HEADS)} {rng.choice(NAME_TAILS)}"
            else:
                unit[unit_index["denominationUniteLegale"]] = f"{rng.choice(COMPANY_HEADS)} {rng.choice(LAST_NAMES)}"
            if category.startswith("92") and rng.random() < 0.7:
                unit[unit_index["identifiantAssociationUniteLegale"]] = f"W{rng.randint(0, 999_999_999):09d}"
            unit_naf = rng.choice(ESS_NAF if ess else OTHER_NAF)
            values = {
                "siren": siren,
                "statutDiffusionUniteLegale": "O",
                "dateCreationUniteLegale": f"{rng.randint(1950, 2024)}-{rng.randint(1, 12):02d}-01",
                "trancheEffectifsUniteLegale": rng.choice(BANDS),
                "anneeEffectifsUniteLegale": str(rng.randint(2019, 2023)),
                "dateDernierTraitementUniteLegale": "2025-11-30T03:14:15",
                "nombrePeriodesUniteLegale": str(rng.randint(1, 6)),
                "categorieEntreprise": rng.choice(["PME", "PME", "ETI", ""]),
                "anneeCategorieEntreprise": "2022",
                "dateDebut": "2019-01-01",
                "etatAdministratifUniteLegale": "C" if unit_closed else "A",
                "categorieJuridiqueUniteLegale": category,
                "activitePrincipaleUniteLegale": unit_naf,
                "nomenclatureActivitePrincipaleUniteLegale": "NAFRev2",
                "nicSiegeUniteLegale": "00010",
                "economieSocialeSolidaireUniteLegale": "O" if ess else rng.choice("NNNNNNNNN "),
                "societeMissionUniteLegale": "N",
                "caractereEmployeurUniteLegale": rng.choice("ON"),
                "activitePrincipaleNAF25UniteLegale": unit_naf[:5] + "Y",
            }
            for name, value in values.items():
                unit[unit_index[name]] = value.strip()
            units_writer.writerow(unit)
            stats["units"] += 1
            stats["ess_units"] += ess

            for number in range(count):
                nic = f"{number + 1:04d}"
                siret = siren + nic + _luhn_digit(siren + nic)
                closed = unit_closed or rng.random() < (SHARE_CLOSED - 0.07) / 0.93
                in_na = rng.random() < SHARE_NA
                commune = rng.choice(na if in_na else others)
                row = [""] * len(ETAB_COLUMNS)
                x = y = ""
                if commune["latitude"] is not None and rng.random() < 0.93:
                    if commune["departement"].startswith("97"):
                        x, y = f"{rng.uniform(300000, 700000):.1f}", f"{rng.uniform(1600000, 7700000):.1f}"
                    else:
                        lx, ly = wgs84_to_lambert93(commune["latitude"], commune["longitude"])
                        x, y = f"{lx + rng.uniform(-2000, 2000):.1f}", f"{ly + rng.uniform(-2000, 2000):.1f}"
                complement = rng.choice(["", "", "", "", "BATIMENT A", "RESIDENCE LES PINS", "ZA DU LAC"])
                if rng.random() < 0.01:  # a comma: the field is quoted, as a few are in the real files
                    complement = "ZA DU LAC, LOT 4"
                values = {
                    "siren": siren,
                    "nic": siret[9:],
                    "siret": siret,
                    "statutDiffusionEtablissement": "O",
                    "dateCreationEtablissement": f"{rng.randint(1970, 2024)}-{rng.randint(1, 12):02d}-15",
                    "trancheEffectifsEtablissement": rng.choice(BANDS),
                    "anneeEffectifsEtablissement": str(rng.randint(2019, 2023)),
                    "dateDernierTraitementEtablissement": "2025-11-30T03:14:15",
                    "etablissementSiege": "true" if number == 0 else "false",
                    "nombrePeriodesEtablissement": str(rng.randint(1, 5)),
                    "complementAdresseEtablissement": complement,
                    "numeroVoieEtablissement": str(rng.randint(1, 180)),
                    "indiceRepetitionEtablissement": rng.choice(["", "", "", "", "", "", "B", "T"]),
                    "typeVoieEtablissement": rng.choice(STREET_TYPES),
                    "libelleVoieEtablissement": rng.choice(STREET_NAMES),
                    "codePostalEtablissement": commune.get("postal_code") or f"{commune['code'][:2]}000",
                    "libelleCommuneEtablissement": commune["name"].upper(),
                    "codeCommuneEtablissement": commune["code"],
                    "identifiantAdresseEtablissement": f"{commune['code']}_{rng.randint(1, 9999):04d}_00001",
                    "coordonneeLambertAbscisseEtablissement": x,
                    "coordonneeLambertOrdonneeEtablissement": y,
                    "dateDebut": "2020-01-01",
                    "etatAdministratifEtablissement": "F" if closed else "A",
                    "enseigne1Etablissement": rng.choice(["", "", "", "", "ANTENNE", "LE RELAIS", "ESPACE JEUNES"]),
                    "activitePrincipaleEtablissement": unit_naf,
                    "nomenclatureActivitePrincipaleEtablissement": "NAFRev2",
                    "caractereEmployeurEtablissement": rng.choice("ON"),
                    "activitePrincipaleNAF25Etablissement": unit_naf[:5] + "Y",
                }
                for name, value in values.items():
                    row[etab_index[name]] = value
                written += 1
                if written % BAD_ROW_EVERY == 0:
                    stats["bad"] += 1
                    if written % (2 * BAD_ROW_EVERY):
                        row[etab_index["siret"]] = siret[:-1] + str((int(siret[-1]) + 1) % 10)
                    else:
                        row = row[:20]
                elif ess and not closed and in_na:
                    stats["expected_in_scope"] += 1
                stats["rows"] += 1
                stats["in_na"] += in_na
                stats["closed"] += closed
                etabs_writer.writerow(row)
    stats["seconds"] = round(time.perf_counter() - started, 1)
    meta_path.write_text(json.dumps({**meta, "stats": stats}), encoding="utf-8")
    return units_path, etabs_path, stats


# --- measures -------------------------------------------------------------------------------------------------


def bare_read(path, repeat=2):
    """Rows per second of a plain csv.reader loop over the file (best of `repeat`): the floor."""
    best = math.inf
    count = 0
    for _ in range(repeat):
        started = time.perf_counter()
        with path.open(newline="", encoding="utf-8") as f:
            count = sum(1 for _ in csv.reader(f)) - 1
        best = min(best, time.perf_counter() - started)
    return count, best


def timed_import(database_url, units_path, etabs_path, log_path):
    """Run the import in a child process; (seconds, peak RSS in MiB, output)."""
    command = [
        PYTHON,
        "manage.py",
        "import_sirene",
        "--unites-legales",
        str(units_path),
        "--etablissements",
        str(etabs_path),
        "--region",
        NA_REGION,
        "--wet-run",
    ]
    with log_path.open("w", encoding="utf-8") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=_env(database_url), stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
    output = log_path.read_text(encoding="utf-8")
    if process.returncode:
        raise BenchError(f"L'import a échoué (voir {log_path}) :\n{output[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, output


def _count(output, label):
    match = re.search(rf"{label} \.+ ([\d ]+)", output)
    return int(match.group(1).replace(" ", "")) if match else None


def _phases(output):
    """The phase durations the command prints after "Durée : … s (…)"."""
    match = re.search(r"Durée : [\d,]+ s \((.*)\)", output)
    return match.group(1) if match else ""


def _number(value):
    return f"{value:,.0f}".replace(",", " ")


def run(rows=1_000_000):
    OUT.mkdir(parents=True, exist_ok=True)
    database_url, database_label = _database()
    print(f"Banc SIRENE : {_number(rows)} établissements, base {database_label}.")
    started = time.perf_counter()
    note = prepare_database(database_url)
    print(f"  base prête en {time.perf_counter() - started:.0f} s ({note})")
    communes = json.loads((OUT / "communes.json").read_text(encoding="utf-8"))
    units_path, etabs_path, stats = generate(rows, communes)
    size_mb = etabs_path.stat().st_size / 1e6
    print(
        f"  fichiers : {etabs_path.name} ({size_mb:.0f} Mo), {units_path.name} "
        f"({units_path.stat().st_size / 1e6:.0f} Mo, {_number(stats['units'])} unités)"
    )

    read_rows, bare_seconds = bare_read(etabs_path, repeat=3)
    first_seconds, first_rss, first_output = timed_import(
        database_url, units_path, etabs_path, OUT / "sirene-import-1.log"
    )
    second_seconds, second_rss, second_output = timed_import(
        database_url, units_path, etabs_path, OUT / "sirene-import-2.log"
    )
    # The machine may be shared: the floor is the best of reads taken before and after the imports.
    bare_seconds = min(bare_seconds, bare_read(etabs_path, repeat=1)[1])
    bare_rate = read_rows / bare_seconds
    first_rate = read_rows / first_seconds
    second_rate = read_rows / second_seconds
    result = {
        "lignes": read_rows,
        "base": database_label.split(" ")[0],
        "lecture csv brute (lignes/s)": round(bare_rate),
        "import (lignes/s)": round(first_rate),
        "import (s)": round(first_seconds, 1),
        "import / lecture brute": f"{first_rate / bare_rate:.0%}",
        "import : phases": _phases(first_output),
        "mémoire max import (Mio)": round(first_rss),
        "créées": _count(first_output, "Créées"),
        "rejetées": _count(first_output, "Rejetées"),
        "réimport (lignes/s)": round(second_rate),
        "réimport / lecture brute": f"{second_rate / bare_rate:.0%}",
        "réimport : phases": _phases(second_output),
        "réimport inchangées": _count(second_output, "Inchangées"),
        "mémoire max réimport (Mio)": round(second_rss),
        "cible (import / lecture brute)": f"≥ {TARGET_RATIO:.0%}",
        "résultat import": "OK" if first_rate / bare_rate >= TARGET_RATIO else "SOUS LA CIBLE",
        "résultat réimport": "OK" if second_rate / bare_rate >= TARGET_RATIO else "SOUS LA CIBLE",
    }
    width = max(len(key) for key in result)
    print()
    print(f"  {'mesure'.ljust(width)}  valeur")
    print(f"  {'-' * width}  {'-' * 12}")
    for key, value in result.items():
        print(f"  {key.ljust(width)}  {_number(value) if isinstance(value, int | float) else value}")
    print(f"\n  attendu dans le périmètre (généré) : {_number(stats['expected_in_scope'])} établissements")
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description="Banc d'essai de l'import SIRENE (voir docs/data-imports.md).")
    parser.add_argument("--rows", type=int, default=1_000_000, help="lignes du fichier des établissements")
    parser.add_argument("--seed", metavar="JSON", help=argparse.SUPPRESS)  # internal: child process set-up
    args = parser.parse_args(argv)
    if args.seed:
        seed(args.seed)
        return 0
    if args.rows < 1:
        parser.error("--rows doit être positif.")
    try:
        run(args.rows)
    except BenchError as exc:
        print(f"Banc SIRENE interrompu : {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
