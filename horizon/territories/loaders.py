"""Loads data/territories/ (see data/README.md) into the territory tables. Run by `manage.py load_territories`."""

from horizon.referentials.loading import add_unique, check_known, parse_number, read_csv, sync
from horizon.utils.text import normalize

from .enums import EpciKind
from .models import Commune, CommuneSearchKey, Departement, Epci, PostalCode, Region
from .search import inner_keys

FILES = (
    "territories/regions.csv",
    "territories/departements.csv",
    "territories/epci.csv",
    "territories/communes.csv",
    "territories/postal_codes.csv",
)


def load_territories(data_dir):
    """Upsert every file in dependency order; return the report lines."""
    directory = data_dir / "territories"
    regions = read_regions(directory / "regions.csv")
    departements = read_departements(directory / "departements.csv", regions)
    epcis = read_epcis(directory / "epci.csv")
    communes = read_communes(directory / "communes.csv", departements, epcis)
    postal_codes = read_postal_codes(directory / "postal_codes.csv", communes)
    return [
        sync(Region, regions.values(), ["code"], ["name", "chef_lieu_code"]).report("Régions"),
        sync(Departement, departements.values(), ["code"], ["name", "region", "chef_lieu_code"]).report("Départements"),
        sync(
            Epci, epcis.values(), ["siren"], ["name", "kind", "population", "departement_codes", "region_codes"]
        ).report("EPCI"),
        sync(
            Commune,
            communes.values(),
            ["code"],
            ["name", "search_name", "departement", "epci", "population", "latitude", "longitude"],
        ).report("Communes"),
        sync(CommuneSearchKey, search_keys(communes), ["commune", "key"], [], remove_stale=True).report(
            "Clés de recherche des communes"
        ),
        sync(PostalCode, postal_codes, ["code", "commune"], ["label"], remove_stale=True).report("Codes postaux"),
    ]


def search_keys(communes):
    """The rows of CommuneSearchKey (Commune.save() writes them one commune at a time; bulk_create does not)."""
    return [
        {"commune_id": code, "key": key}
        for code, commune in communes.items()
        for key in inner_keys(commune["search_name"])
    ]


def read_regions(path):
    regions = {}
    for line, row in read_csv(path, ["code", "nom", "chef_lieu_code"]):
        region = {"code": row["code"], "name": row["nom"], "chef_lieu_code": row["chef_lieu_code"]}
        add_unique(regions, row["code"], region, path, line)
    return regions


def read_departements(path, regions):
    departements = {}
    for line, row in read_csv(path, ["code", "nom", "region_code", "chef_lieu_code"]):
        check_known(path, line, row["region_code"], regions, "région inconnue")
        departement = {
            "code": row["code"],
            "name": row["nom"],
            "region_id": row["region_code"],
            "chef_lieu_code": row["chef_lieu_code"],
        }
        add_unique(departements, row["code"], departement, path, line)
    return departements


def read_epcis(path):
    epcis = {}
    for line, row in read_csv(path, ["siren", "nom", "type", "population_totale", "departement_codes", "region_codes"]):
        check_known(path, line, row["type"], EpciKind.values, "nature d'EPCI inconnue")
        epci = {
            "siren": row["siren"],
            "name": row["nom"],
            "kind": row["type"],
            "population": parse_number(path, line, row["population_totale"]),
            "departement_codes": row["departement_codes"],
            "region_codes": row["region_codes"],
        }
        add_unique(epcis, row["siren"], epci, path, line)
    return epcis


def read_communes(path, departements, epcis):
    columns = ["code_insee", "nom", "departement_code", "epci_siren", "population", "latitude", "longitude"]
    communes = {}
    for line, row in read_csv(path, columns):
        check_known(path, line, row["departement_code"], departements, "département inconnu")
        if row["epci_siren"]:
            check_known(path, line, row["epci_siren"], epcis, "EPCI inconnu")
        commune = {
            "code": row["code_insee"],
            "name": row["nom"],
            "search_name": normalize(row["nom"]),  # bulk_create does not call Commune.save()
            "departement_id": row["departement_code"],
            "epci_id": row["epci_siren"] or None,
            "population": parse_number(path, line, row["population"]) or 0,
            "latitude": parse_number(path, line, row["latitude"], float),
            "longitude": parse_number(path, line, row["longitude"], float),
        }
        add_unique(communes, row["code_insee"], commune, path, line)
    return communes


def read_postal_codes(path, communes):
    """One row per (postal code, commune). Where the file gives a pair twice (a former commune's row mapped onto
    its commune nouvelle), the commune's own row, the one without `code_insee_source`, gives the label."""
    labels = {}
    for line, row in read_csv(path, ["code_postal", "code_insee", "libelle_acheminement", "code_insee_source"]):
        check_known(path, line, row["code_insee"], communes, "commune inconnue")
        key = (row["code_postal"], row["code_insee"])
        if key not in labels or not row["code_insee_source"]:
            labels[key] = row["libelle_acheminement"]
    return [{"code": code, "commune_id": commune, "label": label} for (code, commune), label in labels.items()]
