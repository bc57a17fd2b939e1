"""Everything the demo data is made of: names, weights, templates and accounts. No logic here.

All people, structures, e-mail addresses and phone numbers are fictitious: e-mails use the reserved
domains example.org and demo.horizon.test, phone numbers the ranges ARCEP keeps for fiction
(05 36 49 xx xx and 06 39 98 xx xx).
"""

from dataclasses import dataclass

from horizon.programmes.enums import ProgrammeRole

SEED = 2021
DEFAULT_STRUCTURE_COUNT = 300
REGION_CODE = "75"
PASSWORD = "horizon-demo"
EMAIL_DOMAIN = "demo.horizon.test"

PROGRAMME = {
    "slug": "horizon-ess-nouvelle-aquitaine-2021-2023",
    "name": "Horizon ESS Nouvelle-Aquitaine 2021-2023",
    "start_date": "2021-01-01",
    "end_date": "2023-12-31",
    "description": (
        "Programme régional porté par l'UDES avec le soutien de la Région Nouvelle-Aquitaine : "
        "entreprise apprenante, impact social et marque employeur, transition numérique et qualité "
        "de vie au travail. (Données de démonstration.)"
    ),
}

# SIREN of demo structures: "99" + a 6-digit number + the Luhn key. Number 0 is the employer's
# structure; generated structures take 1, 2, 3… Never La Poste's 356000000, whose SIRETs follow
# another checksum rule.
SIREN_PREFIX = "99"
NIC_BODIES = ["0001", "0001", "0001", "0002", "0003", "0005", "0011", "0018", "0024", "0027", "0035"]
# Small associations known only by their RNA number (about 4 % of the structures).
SMALL_BANDS = ("01", "02", "03")
WITHOUT_SIRET_RATE = 0.12
WITH_RNA_RATE = 0.5  # associations with a SIRET that also give their RNA number
HEADCOUNT_YEAR = 2023

# Share of the demo structures per département (weighted towards Gironde, like the ESS jobs).
DEPARTEMENT_WEIGHTS = {
    "33": 30,
    "64": 10,
    "17": 8,
    "86": 7,
    "87": 6,
    "24": 6,
    "40": 6,
    "79": 5,
    "47": 5,
    "16": 5,
    "19": 4,
    "23": 2,
}
DEPARTEMENT_OF = {
    "16": "de la Charente",
    "17": "de la Charente-Maritime",
    "19": "de la Corrèze",
    "23": "de la Creuse",
    "24": "de la Dordogne",
    "33": "de la Gironde",
    "40": "des Landes",
    "47": "du Lot-et-Garonne",
    "64": "des Pyrénées-Atlantiques",
    "79": "des Deux-Sèvres",
    "86": "de la Vienne",
    "87": "de la Haute-Vienne",
}

NATURE_NAMES = [
    "Les Tilleuls",
    "La Passerelle",
    "L'Escale",
    "Les Acacias",
    "Le Lien",
    "La Source",
    "Les Chênes",
    "Le Phare",
    "La Ruche",
    "Les Peupliers",
    "Le Colombier",
    "La Clairière",
    "Les Coquelicots",
    "L'Étincelle",
    "Le Trait d'union",
    "La Boussole",
    "Les Marronniers",
    "Les Glycines",
    "Le Moulin",
    "Les Hirondelles",
    "La Rose des vents",
    "Les Bruyères",
    "L'Estran",
    "Les Pins",
    "La Cigale",
    "Le Bocage",
    "L'Horizon",
    "Les Arbousiers",
]
CHILDREN_NAMES = [
    "Les Petits Pas",
    "Les Lutins",
    "Les Pitchouns",
    "Les Bout'chous",
    "Les P'tits Loups",
    "Pomme d'Api",
    "Les Câlinous",
    "Les Marmousets",
    "Les Frimousses",
    "Les Lucioles",
    "Les Galipettes",
    "Les Mille-Pattes",
    "Les Petits Mousses",
    "La Maison des Doudous",
]


@dataclass(frozen=True)
class Template:
    """A kind of structure: how it is named, its NAF code per name, its agreement and legal forms.

    Placeholders: {nature}, {kids}, {commune}, {de_commune} ("de Pau", "d'Agen", "du Bouscat") and
    {du_departement} ("de la Gironde"). `idcc` is the agreement the demo gives the structure, or None
    when none of the loaded agreements applies (never guessed from the sector alone).
    """

    kind: str
    sector: str | None
    weight: int
    names: tuple  # ((pattern, naf_code), …)
    idcc: str | None
    legal: tuple = ("9220",)


TEMPLATES = [
    # Centres sociaux: ALISFA.
    Template(
        "csc",
        "centres_sociaux",
        9,
        (
            ("Centre social et culturel {nature}", "88.99B"),
            ("Centre socioculturel {nature}", "88.99B"),
            ("Centre social {de_commune}", "88.99B"),
        ),
        "1261",
    ),
    Template(
        "evs",
        "centres_sociaux",
        3,
        (("Espace de vie sociale {nature}", "88.99B"), ("Maison des familles {de_commune}", "94.99Z")),
        "1261",
    ),
    # Animation et sport: Sport (Afdas) for clubs, ÉCLAT for animation; Familles Rurales has its own
    # agreement (IDCC 1031), not in the referential, so none is set.
    Template(
        "sport",
        "animation_sport",
        8,
        (
            ("Union sportive {de_commune}", "93.12Z"),
            ("Football club {de_commune}", "93.12Z"),
            ("Judo club {de_commune}", "93.12Z"),
            ("Rugby club {de_commune}", "93.12Z"),
            ("Basket club {de_commune}", "93.12Z"),
            ("Cercle de l'aviron {de_commune}", "93.12Z"),
            ("École de natation {de_commune}", "85.51Z"),
        ),
        "2511",
    ),
    Template(
        "animation",
        "animation_sport",
        6,
        (
            ("Maison des jeunes et de la culture {de_commune}", "94.99Z"),
            ("Foyer rural {de_commune}", "94.99Z"),
            ("Accueil de loisirs {nature}", "93.29Z"),
            ("Association d'éducation populaire {nature}", "94.99Z"),
            ("École de musique {de_commune}", "85.52Z"),
        ),
        "1518",
    ),
    Template(
        "familles_rurales", "animation_sport", 2, (("Association Familles Rurales {de_commune}", "94.99Z"),), None
    ),
    # Aide à domicile: BAD.
    Template("admr", "aide_domicile", 7, (("ADMR {de_commune}", "88.10A"),), "2941"),
    Template(
        "saad",
        "aide_domicile",
        5,
        (
            ("Aide et services à domicile {de_commune}", "88.10A"),
            ("Association de soins et services à domicile {de_commune}", "88.10A"),
            ("Présence à domicile {de_commune}", "88.10A"),
        ),
        "2941",
    ),
    # Médico-social: CCN 66 for disability services, CCN 51 for care homes.
    Template(
        "enfance_handicap",
        "medico_social",
        3,
        (("Institut médico-éducatif {nature}", "87.10B"), ("SESSAD {de_commune}", "88.91B")),
        "0413",
        ("9220", "9220", "9230"),
    ),
    Template(
        "esat",
        "medico_social",
        3,
        (("ESAT {nature}", "88.10C"), ("Établissement et service d'aide par le travail {nature}", "88.10C")),
        "0413",
    ),
    Template(
        "foyer",
        "medico_social",
        3,
        (("Foyer d'accueil médicalisé {nature}", "87.10C"), ("Maison d'accueil spécialisée {nature}", "87.10C")),
        "0413",
        ("9220", "9230"),
    ),
    Template("ehpad", "medico_social", 3, (("EHPAD associatif {nature}", "87.10A"),), "0029", ("9220", "9230")),
    # Petite enfance: associative crèches mostly apply ALISFA.
    Template(
        "creche",
        "petite_enfance",
        12,
        (
            ("Crèche parentale {kids}", "88.91A"),
            ("Multi-accueil {kids}", "88.91A"),
            ("Micro-crèche associative {kids}", "88.91A"),
            ("Halte-garderie {kids}", "88.91A"),
            ("Crèche associative {kids}", "88.91A"),
        ),
        "1261",
    ),
    # Outside the programme's five sectors.
    Template(
        "scop",
        None,
        4,
        (
            ("SCOP Menuiserie {nature}", "43.32A"),
            ("SCOP Bureau d'études {nature}", "71.12B"),
            ("SCOP Imprimerie {nature}", "18.12Z"),
            ("SCOP Atelier numérique {nature}", "62.01Z"),
            ("SCOP Traiteur {nature}", "56.21Z"),
            ("SCOP Paysages {nature}", "81.30Z"),
        ),
        None,
        ("5458", "5458", "5558"),
    ),
    Template(
        "scic",
        None,
        2,
        (
            ("SCIC Énergies citoyennes {du_departement}", "35.11Z"),
            ("SCIC Épicerie coopérative {nature}", "47.11C"),
            ("SCIC Mobilités partagées {de_commune}", "77.11A"),
        ),
        None,
        ("5560", "5460"),
    ),
    Template(
        "mutuelle",
        None,
        2,
        (
            ("Mutuelle solidaire {du_departement}", "65.12Z"),
            ("Mutuelle familiale {de_commune}", "65.12Z"),
            ("Mutuelle des métiers du social {du_departement}", "65.12Z"),
        ),
        "2128",
        ("8210",),
    ),
    Template(
        "fondation",
        None,
        2,
        (("Fondation {nature}", "88.99B"), ("Fondation pour le grand âge {du_departement}", "87.30A")),
        None,
        ("9300",),
    ),
    Template("regie", None, 2, (("Régie de quartier {nature}", "81.21Z"),), "3105"),
    Template(
        "insertion",
        None,
        3,
        (("Atelier et chantier d'insertion {nature}", "81.30Z"), ("Jardin d'insertion {nature}", "01.13Z")),
        "3016",
        ("9221",),
    ),
    Template("habitat_jeunes", None, 2, (("Résidence habitat jeunes {de_commune}", "55.90Z"),), "2336"),
    Template(
        "ressourcerie", None, 2, (("Ressourcerie {nature}", "38.32Z"), ("Recyclerie {de_commune}", "38.32Z")), None
    ),
    Template("formation", None, 2, (("Association de formation {nature}", "85.59A"),), "1516"),
    Template("groupement", None, 1, (("Groupement d'employeurs {nature}", "78.30Z"),), None, ("9223",)),
]

# INSEE headcount bands per sector ({band: weight}); key None for structures outside the five sectors.
BANDS_BY_SECTOR = {
    "centres_sociaux": {"02": 1, "03": 3, "11": 5, "12": 3, "21": 1},
    "animation_sport": {"01": 4, "02": 4, "03": 3, "11": 2, "12": 1},
    "medico_social": {"11": 2, "12": 4, "21": 4, "22": 2, "31": 1},
    "aide_domicile": {"03": 1, "11": 3, "12": 4, "21": 3, "22": 1},
    "petite_enfance": {"02": 2, "03": 4, "11": 4, "12": 1},
    None: {"01": 2, "02": 3, "03": 3, "11": 3, "12": 2, "21": 1},
}
BAND_RANGES = {
    "01": (1, 2),
    "02": (3, 5),
    "03": (6, 9),
    "11": (10, 19),
    "12": (20, 49),
    "21": (50, 99),
    "22": (100, 199),
    "31": (200, 249),
}

STREETS = [
    "rue Victor-Hugo",
    "avenue de la République",
    "place de la Mairie",
    "rue des Écoles",
    "allée des Tilleuls",
    "chemin du Moulin",
    "rue Jean-Jaurès",
    "cours de la Libération",
    "impasse des Lilas",
    "rue du Général-de-Gaulle",
    "avenue Pasteur",
    "rue de la Gare",
    "place du Marché",
    "rue des Vignes",
    "rue Lucie-Aubrac",
    "boulevard Gambetta",
    "rue du Stade",
    "chemin des Vergers",
    "rue Simone-Veil",
    "avenue des Pyrénées",
]

FEMALE_FIRST_NAMES = [
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Julie",
    "Émilie",
    "Nathalie",
    "Isabelle",
    "Sandrine",
    "Céline",
    "Aurélie",
    "Élodie",
    "Sophie",
    "Marie",
    "Claire",
    "Hélène",
    "Nadia",
    "Amina",
    "Maïté",
]
MALE_FIRST_NAMES = [
    "Lucas",
    "Hugo",
    "Thomas",
    "Nicolas",
    "Julien",
    "Maxime",
    "Antoine",
    "Pierre",
    "Philippe",
    "Laurent",
    "Olivier",
    "Stéphane",
    "Sébastien",
    "Mathieu",
    "Romain",
    "Karim",
    "Mehdi",
    "Xabi",
    "Bastien",
    "François",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Durand",
    "Moreau",
    "Garcia",
    "Lacoste",
    "Dupuy",
    "Lafargue",
    "Labat",
    "Lalanne",
    "Etcheverry",
    "Etchegaray",
    "Bordenave",
    "Castaing",
    "Cazenave",
    "Dufau",
    "Lamarque",
    "Larrieu",
    "Lassalle",
    "Pujol",
    "Fabre",
    "Mercier",
    "Fournier",
    "Girard",
    "Faure",
    "Rousseau",
    "Guérin",
    "Boyer",
    "Chevalier",
    "Perrin",
    "Vidal",
    "Benali",
    "Haddad",
    "Nguyen",
    "Da Silva",
    "Pereira",
]
# (masculine, feminine)
JOB_TITLES = [
    ("Directeur", "Directrice"),
    ("Directeur", "Directrice"),
    ("Président", "Présidente"),
    ("Responsable des ressources humaines", "Responsable des ressources humaines"),
    ("Responsable administratif et financier", "Responsable administrative et financière"),
    ("Coordinateur", "Coordinatrice"),
    ("Chef de service", "Cheffe de service"),
    ("Trésorier", "Trésorière"),
]


@dataclass(frozen=True)
class CollectiveSpec:
    """A demo collective and which structures join it (every filter that is set must match)."""

    name: str
    kind: str
    description: str
    sectors: tuple = ()
    template_kinds: tuple = ()
    departements: tuple = ()
    epci: str = ""
    max_members: int = 25


COLLECTIVES = [
    CollectiveSpec(
        "Fédération des centres sociaux de Gironde",
        "Fédération",
        "Fédération départementale des centres sociaux et espaces de vie sociale.",
        sectors=("centres_sociaux",),
        departements=("33",),
    ),
    CollectiveSpec(
        "Réseau ADMR Nouvelle-Aquitaine",
        "Réseau",
        "Associations locales d'aide à domicile du réseau ADMR.",
        template_kinds=("admr",),
    ),
    CollectiveSpec(
        "Groupement d'employeurs Sport Landes",
        "Groupement d'employeurs",
        "Mise à disposition d'éducateurs sportifs entre clubs landais.",
        template_kinds=("sport",),
        departements=("40",),
    ),
    CollectiveSpec(
        "Collectif petite enfance du Pays basque",
        "Collectif",
        "Crèches associatives et parentales du Pays basque.",
        sectors=("petite_enfance",),
        departements=("64",),
    ),
    CollectiveSpec(
        "Réseau médico-social Vienne et Haute-Vienne",
        "Réseau",
        "Établissements et services associatifs du handicap et du grand âge.",
        sectors=("medico_social",),
        departements=("86", "87"),
    ),
    CollectiveSpec(
        "Union régionale des Scop et Scic",
        "Union régionale",
        "Coopératives de production et d'intérêt collectif de la région.",
        template_kinds=("scop", "scic"),
    ),
    CollectiveSpec(
        "Inter-réseau de l'insertion par l'activité économique",
        "Réseau",
        "Ateliers et chantiers d'insertion, régies de quartier et ressourceries.",
        template_kinds=("insertion", "regie", "ressourcerie"),
    ),
    CollectiveSpec(
        "Collectif ESS Bordeaux Métropole",
        "Collectif territorial",
        "Employeurs de l'ESS de la métropole bordelaise.",
        epci="243300316",
        max_members=30,
    ),
]

# The employer's structure: a centre social in Bordeaux with ALISFA, administered by employeur@.
EMPLOYER_STRUCTURE = {
    "kind": "csc",
    "name": "Centre social et culturel Le Pont",
    "commune_code": "33063",
    "postal_code": "33000",
    "address": "12 quai des Passerelles",
    "sector": "centres_sociaux",
    "naf": "88.99B",
    "idcc": "1261",
    "legal": "9220",
    "rna": "W332000001",
    "headcount_band": "12",
    "headcount_fte": "27.40",
    "email": "accueil@csc-lepont.example.org",
    "phone": "05 36 49 00 01",
    "website": "https://csc-lepont.example.org",
}

EMPLOYER = "employer"
MEMBER = "member"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str  # a ProgrammeRole, or EMPLOYER / MEMBER of the employer's structure
    label: str
    job_title: str = ""
    organisation: str = ""
    is_staff: bool = False


ACCOUNTS = [
    DemoAccount(
        f"coordinateur@{EMAIL_DOMAIN}",
        "Claire",
        "Dubos",
        ProgrammeRole.COORDINATOR,
        "Coordinatrice du programme (accès à l'administration)",
        "Coordinatrice du programme",
        "UDES Nouvelle-Aquitaine",
        is_staff=True,
    ),
    DemoAccount(
        f"employeur@{EMAIL_DOMAIN}",
        "Sophie",
        "Lacoste",
        EMPLOYER,
        "Employeur, administratrice de sa structure",
        "Directrice",
    ),
    DemoAccount(
        f"membre@{EMAIL_DOMAIN}",
        "Julien",
        "Moreau",
        MEMBER,
        "Employeur, membre de la même structure",
        "Référent famille",
    ),
    DemoAccount(
        f"consultant@{EMAIL_DOMAIN}",
        "Marc",
        "Etcheverry",
        ProgrammeRole.CONSULTANT,
        "Consultant (accompagnement des cohortes)",
        "Consultant",
        "Cabinet Trajectoires Conseil",
    ),
    DemoAccount(
        f"animateur@{EMAIL_DOMAIN}",
        "Nadia",
        "Roussel",
        ProgrammeRole.FACILITATOR,
        "Animatrice d'ateliers",
        "Chargée de mission",
        "ARACT Nouvelle-Aquitaine",
    ),
    DemoAccount(
        f"formation@{EMAIL_DOMAIN}",
        "Pierre",
        "Laborde",
        ProgrammeRole.PROVIDER,
        "Organisme de formation",
        "Responsable pédagogique",
        "Solidarités Formation Aquitaine (organisme de formation)",
    ),
    DemoAccount(
        f"comite@{EMAIL_DOMAIN}",
        "Hélène",
        "Fabre",
        ProgrammeRole.COMMITTEE_MEMBER,
        "Membre d'un comité local emploi-formation ESS",
        "Conseillère emploi",
        "Mission locale du Libournais",
    ),
    DemoAccount(
        f"financeur@{EMAIL_DOMAIN}",
        "Thomas",
        "Garnier",
        ProgrammeRole.FUNDER,
        "Financeur",
        "Chargé de mission ESS",
        "Région Nouvelle-Aquitaine",
    ),
]
