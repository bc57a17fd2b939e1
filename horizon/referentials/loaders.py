"""Loads the référentiels in data/ (see data/README.md) other than ROME, which has its own module (rome.py)."""

from django.core.management.base import CommandError

from .enums import EssFamily
from .loading import add_unique, check_known, parse_number, read_csv, read_json, sync
from .models import CollectiveAgreement, LegalCategory, LheoCode, NafCode, Nsf, ProgrammeSector

FILES = (
    "sectors/programme_sectors.csv",
    "naf/naf_rev2.csv",
    "legal/categories_juridiques.csv",
    "sectors/conventions_collectives.csv",
    "formation/nsf.csv",
    "formation/lheo_dictionaries.json",
)


def load_referentials(data_dir):
    """Upsert every file in dependency order; return the report lines."""
    sectors = read_programme_sectors(data_dir / "sectors/programme_sectors.csv")
    agreements = read_collective_agreements(data_dir / "sectors/conventions_collectives.csv", sectors)
    naf_fields = ["label", "nomenclature", "division_code", "division_label", "section_code", "section_label"]
    return [
        sync(ProgrammeSector, sectors.values(), ["code"], ["label", "position"]).report("Secteurs du programme"),
        sync(NafCode, read_naf(data_dir / "naf/naf_rev2.csv"), ["code"], naf_fields).report("Codes NAF"),
        sync(
            LegalCategory,
            read_legal_categories(data_dir / "legal/categories_juridiques.csv"),
            ["code"],
            ["label", "ess_family"],
        ).report("Catégories juridiques"),
        sync(CollectiveAgreement, agreements, ["idcc"], ["short_name", "title", "opco", "sector"]).report(
            "Conventions collectives"
        ),
        sync(Nsf, read_code_labels(data_dir / "formation/nsf.csv"), ["code"], ["label"]).report("Spécialités NSF"),
        sync(
            LheoCode, read_lheo(data_dir / "formation/lheo_dictionaries.json"), ["dictionary", "code"], ["label"]
        ).report("Codes LHEO"),
    ]


def read_programme_sectors(path):
    sectors = {}
    for line, row in read_csv(path, ["code", "label", "position"]):
        sector = {
            "code": row["code"],
            "label": row["label"],
            "position": parse_number(path, line, row["position"]) or 0,
        }
        add_unique(sectors, row["code"], sector, path, line)
    return sectors


def read_naf(path):
    columns = ["code", "label", "division_code", "division_label", "section_code", "section_label"]
    codes = {}
    for line, row in read_csv(path, columns):
        add_unique(
            codes, row["code"], {column: row[column] for column in columns} | {"nomenclature": "NAFRev2"}, path, line
        )
    return codes.values()


def read_legal_categories(path):
    categories = {}
    for line, row in read_csv(path, ["code", "label", "ess_family"]):
        check_known(path, line, row["ess_family"], EssFamily.values, "famille ESS inconnue")
        add_unique(categories, row["code"], {key: row[key] for key in ("code", "label", "ess_family")}, path, line)
    return categories.values()


def read_collective_agreements(path, sectors):
    """The agreements, each linked to its programme sector when it has one (petite_enfance has none of its own)."""
    agreements = {}
    for line, row in read_csv(path, ["idcc", "short_name", "full_title", "opco", "programme_sector"]):
        if row["programme_sector"]:
            check_known(path, line, row["programme_sector"], sectors, "secteur du programme inconnu")
        agreement = {
            "idcc": row["idcc"],
            "short_name": row["short_name"],
            "title": row["full_title"],
            "opco": row["opco"],
            "sector_id": row["programme_sector"] or None,
        }
        add_unique(agreements, row["idcc"], agreement, path, line)
    return agreements.values()


def read_code_labels(path):
    codes = {}
    for line, row in read_csv(path, ["code", "label"]):
        add_unique(codes, row["code"], {"code": row["code"], "label": row["label"]}, path, line)
    return codes.values()


def read_lheo(path):
    """{dictionary: {code: label}} → one row per code."""
    dictionaries = read_json(path)
    if not isinstance(dictionaries, dict) or not all(isinstance(labels, dict) for labels in dictionaries.values()):
        raise CommandError(f"{path.name} : un objet {{dictionnaire: {{code: libellé}}}} est attendu.")
    return [
        {"dictionary": dictionary, "code": code, "label": label}
        for dictionary, labels in dictionaries.items()
        for code, label in labels.items()
    ]
