"""A small Nouvelle-Aquitaine (plus one commune elsewhere) and the référentiels the demo draws from; the real
Nouvelle-Aquitaine for the tests that need the demo at its full size.

The codes below are copied from the reference files (data/), independently of horizon.demo.data,
so that a code mistyped in the demo data shows up as a missing legal category, NAF or agreement.
"""

import csv
from pathlib import Path

from horizon.referentials.enums import EssFamily
from horizon.territories.loaders import load_territories
from tests.factories.referentials import (
    CollectiveAgreementFactory,
    LegalCategoryFactory,
    NafCodeFactory,
    ProgrammeSectorFactory,
)
from tests.factories.territories import (
    CommuneFactory,
    DepartementFactory,
    EpciFactory,
    PostalCodeFactory,
    RegionFactory,
)

DEPARTEMENTS = {"33": "Gironde", "40": "Landes", "64": "Pyrénées-Atlantiques", "87": "Haute-Vienne"}
# code, name, département, population, latitude, longitude, postal codes, in Bordeaux Métropole
COMMUNES = [
    ("33063", "Bordeaux", "33", 261804, 44.83802, -0.579635, ["33000", "33100", "33800"], True),
    ("33281", "Mérignac", "33", 72197, 44.838, -0.6436, ["33700"], True),
    ("33069", "Le Bouscat", "33", 24000, 44.8653, -0.5997, ["33110"], True),
    ("33243", "Libourne", "33", 25000, 44.915, -0.2438, ["33500"], False),
    ("33009", "Arcachon", "33", 11500, 44.6586, -1.1689, ["33120"], False),
    ("40192", "Mont-de-Marsan", "40", 29500, 43.8906, -0.4997, ["40000"], False),
    ("40088", "Dax", "40", 21000, 43.7102, -1.0536, ["40100"], False),
    ("64445", "Pau", "64", 75665, 43.2951, -0.3708, ["64000"], False),
    ("64102", "Bayonne", "64", 51411, 43.4929, -1.4748, ["64100"], False),
    ("87085", "Limoges", "87", 129754, 45.8336, 1.2611, ["87000", "87100"], False),
]

SECTORS = [
    ("centres_sociaux", "Centres sociaux"),
    ("animation_sport", "Animation et sport"),
    ("medico_social", "Médico-social"),
    ("aide_domicile", "Aide à domicile"),
    ("petite_enfance", "Petite enfance"),
]
LEGAL_CATEGORIES = [
    ("9220", "Association déclarée", EssFamily.ASSOCIATION),
    ("9221", "Association déclarée d'insertion par l'économique", EssFamily.ASSOCIATION),
    ("9223", "Groupement d'employeurs", EssFamily.ASSOCIATION),
    ("9230", "Association déclarée, reconnue d'utilité publique", EssFamily.ASSOCIATION),
    ("9300", "Fondation", EssFamily.FONDATION),
    ("8210", "Mutuelle", EssFamily.MUTUELLE),
    ("5458", "SARL coopérative ouvrière de production (SCOP)", EssFamily.COOPERATIVE),
    ("5558", "SA coopérative ouvrière de production (SCOP) à conseil d'administration", EssFamily.COOPERATIVE),
    ("5460", "Autre SARL coopérative", EssFamily.COOPERATIVE),
    ("5560", "Autre SA coopérative à conseil d'administration", EssFamily.COOPERATIVE),
]
NAF_CODES = [
    "01.13Z", "18.12Z", "35.11Z", "38.32Z", "43.32A", "47.11C", "55.90Z", "56.21Z", "62.01Z", "65.12Z",
    "71.12B", "77.11A", "78.30Z", "81.21Z", "81.30Z", "85.51Z", "85.52Z", "85.59A", "87.10A", "87.10B",
    "87.10C", "87.30A", "88.10A", "88.10C", "88.91A", "88.91B", "88.99B", "93.12Z", "93.29Z", "94.99Z",
]  # fmt: skip
# idcc, short name, OPCO, programme sector
AGREEMENTS = [
    ("1261", "ALISFA", "Uniformation", "centres_sociaux"),
    ("1518", "ÉCLAT", "Uniformation", "animation_sport"),
    ("2511", "Sport (CCNS)", "Afdas", "animation_sport"),
    ("2941", "BAD", "Uniformation", "aide_domicile"),
    ("0413", "CCN 66", "OPCO Santé", "medico_social"),
    ("0029", "CCN 51 (FEHAP)", "OPCO Santé", "medico_social"),
    ("2336", "Habitat et logement accompagnés", "Uniformation", None),
    ("3105", "Régies de quartier", "Uniformation", None),
    ("2128", "Mutualité", "Uniformation", None),
    ("3016", "Ateliers et chantiers d'insertion", "", None),
    ("1516", "Organismes de formation", "", None),
]


def small_territory():
    """Ten communes of four départements of region 75, and Toulouse (region 76) that must never be used."""
    region = RegionFactory(code="75", name="Nouvelle-Aquitaine")
    departements = {
        code: DepartementFactory(code=code, name=name, region=region) for code, name in DEPARTEMENTS.items()
    }
    metropole = EpciFactory()
    for code, name, dept, population, latitude, longitude, postal_codes, in_metropole in COMMUNES:
        commune = CommuneFactory(
            code=code,
            name=name,
            departement=departements[dept],
            epci=metropole if in_metropole else None,
            population=population,
            latitude=latitude,
            longitude=longitude,
        )
        for postal_code in postal_codes:
            PostalCodeFactory(code=postal_code, commune=commune, label=name.upper())
    occitanie = RegionFactory(code="76", name="Occitanie")
    haute_garonne = DepartementFactory(code="31", name="Haute-Garonne", region=occitanie)
    CommuneFactory(code="31555", name="Toulouse", departement=haute_garonne, epci=None, population=504078)


def demo_referentials():
    sectors = {}
    for position, (code, label) in enumerate(SECTORS):
        sectors[code] = ProgrammeSectorFactory(code=code, label=label, position=position)
    for code, label, family in LEGAL_CATEGORIES:
        LegalCategoryFactory(code=code, label=label, ess_family=family)
    for code in NAF_CODES:
        NafCodeFactory(code=code, label=f"Activité {code}", division_code=code[:2])
    for idcc, short_name, opco, sector in AGREEMENTS:
        CollectiveAgreementFactory(
            idcc=idcc, short_name=short_name, title=short_name, opco=opco, sector=sectors.get(sector)
        )


DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def nouvelle_aquitaine(directory, region="75"):
    """The real territories, with the communes (and their postal codes, EPCI) of one region only: the demo's
    structures and training offer at their real places, in about a second instead of the whole of France's."""
    source, target = DATA_DIR / "territories", Path(directory) / "territories"
    target.mkdir(parents=True, exist_ok=True)

    def copy(name, keep=lambda row: True):
        with (source / name).open(encoding="utf-8", newline="") as infile:
            reader = csv.DictReader(infile)
            rows = [row for row in reader if keep(row)]
        with (target / name).open("w", encoding="utf-8", newline="") as outfile:
            writer = csv.DictWriter(outfile, fieldnames=reader.fieldnames)
            writer.writeheader()
            writer.writerows(rows)
        return rows

    copy("regions.csv")
    copy("departements.csv")
    communes = copy("communes.csv", lambda row: row["region_code"] == region)
    codes, epcis = {row["code_insee"] for row in communes}, {row["epci_siren"] for row in communes}
    copy("epci.csv", lambda row: row["siren"] in epcis)
    copy("postal_codes.csv", lambda row: row["code_insee"] in codes)
    load_territories(Path(directory))
