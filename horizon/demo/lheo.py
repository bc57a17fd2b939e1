"""A demo LHEO 2.3 feed: the regional training offer of Nouvelle-Aquitaine as a Carif-Oref export would give it.

`write_lheo(path, formations=1500)` writes, formation by formation (never a whole tree in memory), an
`<lheo xmlns="http://lheo.gouv.fr/2.3">` file: formations → actions → sessions, each with its
organisme-formation-responsable, in the element order of the LHEO 2.3 schema. The offers (lheo_data.py) cover the
programme themes and the usual offer of the ESS sectors, with Formacode, NSF and ROME codes, certifications,
modalities, prices, hours, funders, places in real communes of the region (data/territories/communes.csv) and one
to six sessions per action over the next eighteen months (some past, some with partial dates such as 20270300).
About one formation in seven has its texts as escaped HTML, as many feeds do.

Deterministic: the same seed, count and reference month give the same bytes (a gzipped file too). Dates are
computed from the first day of the reference month (today's by default).

Providers: about one per 12.5 formations. SIRETs are "98" + a 6-digit number + the Luhn key, then a NIC, so they
pass the INSEE check and never collide with the demo structures ("99…"). Provider number 0 is the organisme de
formation of the demo account formation@demo.horizon.test: DEMO_PROVIDER_NAME, DEMO_PROVIDER_SIRET, in Bordeaux.
Qualiopi, which LHEO has no element for, is given as an extra of the provider:
`<extras info="qualite"><extra info="qualiopi">1</extra></extras>`.
"""

import csv
import gzip
import math
import random
import re
import time
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

from stdnum import luhn

from . import data
from .lheo_data import (
    ACCESSIBILITY,
    CONDITIONS,
    CONDITIONS_CERTIFYING,
    CONSULTING_WORDS,
    CONTACT_ROLES,
    DEMO_PROVIDER_ADDRESS,
    DEMO_PROVIDER_COMMUNE,
    DEMO_PROVIDER_KIND,
    FUNDING_DETAILS,
    OFFERS,
    PROVIDER_KINDS,
    RECRUITMENT_METHODS,
    REGISTRATION_METHODS,
    RHYTHM_ONE_DAY,
    RHYTHMS_DISTANCE,
    RHYTHMS_LONG,
    RHYTHMS_SHORT,
    TEACHING_METHODS,
    TITLE_QUALIFIERS,
)

NAMESPACE = "http://lheo.gouv.fr/2.3"
DEFAULT_FORMATIONS = 1500
FORMATIONS_PER_PROVIDER = 12.5
FORMACODE_VERSION = "V14"
DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data"
PROVIDER_SIREN_PREFIX = "98"
HTML_RATE = 0.15
HORIZON_DAYS = 540  # sessions start up to about eighteen months after the reference month
PAST_DAYS = 120
SESSIONS_PER_ACTION, SESSION_WEIGHTS = (1, 2, 3, 4, 5, 6), (10, 15, 20, 20, 18, 17)  # short courses
TOWN_POPULATION = 3000  # providers sit in towns; their other sites mostly too

ON_SITE, BLENDED, DISTANCE = "0", "1", "2"
OFFERS_BY_KEY = {offer.key: offer for offer in OFFERS}

DEMO_PROVIDER_NAME = next(
    account.organisation.split(" (")[0] for account in data.ACCOUNTS if account.email.startswith("formation@")
)


def provider_siren(number):
    body = f"{PROVIDER_SIREN_PREFIX}{number:06d}"
    return body + luhn.calc_check_digit(body)


def provider_siret(number, nic_body="0001"):
    body = provider_siren(number) + nic_body
    return body + luhn.calc_check_digit(body)


DEMO_PROVIDER_SIRET = provider_siret(0)


# --- Communes ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    departement: str
    postal_codes: tuple
    latitude: float
    longitude: float
    population: int


@dataclass(frozen=True)
class Territory:
    communes: tuple  # all communes of the region
    cum: tuple  # cumulative populations, for weighted draws
    by_departement: dict  # code → (communes, cumulative populations)
    towns: dict  # code → (communes of TOWN_POPULATION inhabitants or more, cumulative populations)
    by_code: dict


@lru_cache(maxsize=4)
def load_territory(data_dir=DATA_DIR, region=data.REGION_CODE):
    """The communes of the region with coordinates, from data/territories/communes.csv."""
    communes, populations = [], []
    with (Path(data_dir) / "territories" / "communes.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["region_code"] != region or not row["latitude"] or not row["codes_postaux"]:
                continue
            communes.append(
                Commune(
                    row["code_insee"],
                    row["nom"],
                    row["departement_code"],
                    tuple(row["codes_postaux"].split()),
                    float(row["latitude"]),
                    float(row["longitude"]),
                    max(int(row["population"] or 0), 1),
                )
            )
            populations.append(communes[-1].population)
    by_departement = {}
    for commune, population in zip(communes, populations, strict=True):
        group = by_departement.setdefault(commune.departement, ([], []))
        group[0].append(commune)
        group[1].append(population)
    towns = {}
    for code, (members, _) in by_departement.items():
        large = [c for c in members if c.population >= TOWN_POPULATION] or members
        towns[code] = (tuple(large), tuple(accumulate(c.population for c in large)))
    return Territory(
        communes=tuple(communes),
        cum=tuple(accumulate(populations)),
        by_departement={code: (tuple(c), tuple(accumulate(p))) for code, (c, p) in by_departement.items()},
        towns=towns,
        by_code={commune.code: commune for commune in communes},
    )


def _commune_in(rng, territory, departement=None, town=False):
    """A commune drawn by population: of the département, and a town of some size when asked."""
    if departement:
        communes, cum = (territory.towns if town else territory.by_departement)[departement]
        return rng.choices(communes, cum_weights=cum)[0]
    return rng.choices(territory.communes, cum_weights=territory.cum)[0]


# --- XML pieces -------------------------------------------------------------------------------------------------


def _esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _el(tag, text):
    return f"<{tag}>{_esc(str(text))}</{tag}>\n"


_DANGLING = {"de", "du", "des", "d'", "la", "le", "les", "l'", "et", "à", "en", "aux", "site"}


def _short(text, limit=50):
    """LHEO address lines hold 50 characters: cut at a word, never on a dangling "de La"."""
    if len(text) <= limit:
        return text
    words = text[: limit + 1].split(" ")[:-1]
    while len(words) > 1 and words[-1].rstrip(",").lower() in _DANGLING:
        words.pop()
    text = " ".join(words).rstrip(",")
    if text.count("(") > text.count(")"):  # never half a parenthesis
        text = text[: text.rindex("(")].rstrip(" ,")
    return text


def _adresse(lines, commune, postal_code, latitude, longitude):
    parts = ["<adresse>\n"]
    parts += [_el("ligne", _short(line)) for line in lines]
    parts += [
        _el("codepostal", postal_code),
        _el("ville", commune.name),
        _el("departement", commune.departement),
        _el("code-INSEE-commune", commune.code),
        _el("region", data.REGION_CODE),
        _el("pays", "FR"),
        f"<geolocalisation>\n<latitude>{latitude:.6f}</latitude>\n<longitude>{longitude:.6f}</longitude>\n"
        "</geolocalisation>\n",
        "</adresse>\n",
    ]
    return "".join(parts)


def _phone(rng):
    return f"05 36 49 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"


def _person(rng):
    female = rng.random() < 0.6
    first_name = rng.choice(data.FEMALE_FIRST_NAMES if female else data.MALE_FIRST_NAMES)
    return ("Madame" if female else "Monsieur"), first_name, rng.choice(data.LAST_NAMES)


def _ascii_slug(text):
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in folded).split())


def _domain(name):
    slug = _ascii_slug(name)
    if len(slug) > 40:
        slug = slug[:41].rsplit("-", 1)[0]
    return (slug or "organisme") + ".example.org"


def _with_de(name):
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if _ascii_slug(name[:1]) in set("aeiouyh"):
        return "d'" + name
    return "de " + name


# --- Providers --------------------------------------------------------------------------------------------------


@dataclass
class Provider:
    number: int
    name: str
    siret: str
    offers: tuple  # Offer objects it runs
    commune: Commune
    postal_code: str
    address: str
    latitude: float
    longitude: float
    domain: str
    weight: float
    block: str = ""  # its <organisme-formation-responsable>, written once, repeated in each formation


def _provider_name(rng, kind, commune):
    pattern = rng.choice(kind.names)
    return pattern.format(
        word=rng.choice(CONSULTING_WORDS),
        surname=rng.choice(data.LAST_NAMES),
        first_name=rng.choice(data.FEMALE_FIRST_NAMES + data.MALE_FIRST_NAMES),
        nature=rng.choice(data.NATURE_NAMES),
        commune=commune.name,
        de_commune=_with_de(commune.name),
        du_departement=data.DEPARTEMENT_OF.get(commune.departement, ""),
    )


def build_providers(count, territory, seed=data.SEED):
    """Providers 0…count-1; number 0 is the demo account's organisme de formation."""
    kind_cum = list(accumulate(kind.weight for kind in PROVIDER_KINDS))
    departements = sorted(territory.by_departement)
    departement_cum = list(accumulate(data.DEPARTEMENT_WEIGHTS.get(code, 1) for code in departements))
    providers, names = [], set()
    for number in range(count):
        rng = random.Random(f"{seed}:lheo:provider:{number}")
        if number == 0:
            kind = DEMO_PROVIDER_KIND
            commune = territory.by_code.get(DEMO_PROVIDER_COMMUNE) or max(
                territory.communes, key=lambda c: c.population
            )
            name, address, weight, qualiopi = DEMO_PROVIDER_NAME, DEMO_PROVIDER_ADDRESS, 3.0, True
        else:
            kind = rng.choices(PROVIDER_KINDS, cum_weights=kind_cum)[0]
            departement = rng.choices(departements, cum_weights=departement_cum)[0]
            commune = _commune_in(rng, territory, departement, town=True)
            name = _provider_name(rng, kind, commune)
            if name in names:
                name = f"{name} ({commune.name})"
            address = f"{rng.randint(1, 120)} {rng.choice(data.STREETS)}"
            weight = min(rng.paretovariate(1.6), 6.0) * kind.size
            qualiopi = rng.random() < kind.qualiopi_rate
        names.add(name)
        offer_keys = list(kind.offers)
        if number:
            keep = max(2, round(len(offer_keys) * rng.uniform(0.4, 1.0)))
            offer_keys = sorted(rng.sample(offer_keys, min(keep, len(offer_keys))), key=offer_keys.index)
        provider = Provider(
            number=number,
            name=name,
            siret=provider_siret(number, "0001" if number == 0 else rng.choice(("0001", "0002", "0011", "0025"))),
            offers=tuple(OFFERS_BY_KEY[key] for key in offer_keys),
            commune=commune,
            postal_code=rng.choice(commune.postal_codes),
            address=address,
            latitude=commune.latitude + rng.uniform(-0.004, 0.004),
            longitude=commune.longitude + rng.uniform(-0.004, 0.004),
            domain=_domain(name),
            weight=weight,
        )
        provider.block = _provider_block(rng, provider, rng.choice(kind.legal_forms), qualiopi)
        providers.append(provider)
    return providers


def _provider_block(rng, provider, legal_form, qualiopi):
    departement = provider.commune.departement
    nda = f"75{departement}{rng.randint(0, 99999):05d}{departement}"[:11]
    legal_name = f"{legal_form} {provider.name}" if legal_form == "Association" else f"{provider.name} {legal_form}"
    civilite, first_name, last_name = _person(rng)
    adresse = _adresse(
        [provider.address], provider.commune, provider.postal_code, provider.latitude, provider.longitude
    )
    web = f"<web>\n{_el('urlweb', f'https://{provider.domain}')}</web>\n"
    codes = []
    for offer in provider.offers:
        codes += [code for code in offer.formacodes[:2] if code not in codes]
    potentiel = "".join(f'<code-FORMACODE ref="{FORMACODE_VERSION}">{code}</code-FORMACODE>\n' for code in codes[:25])
    return "".join(
        [
            f'<organisme-formation-responsable numero="75_OF_{provider.number:06d}">\n',
            _el("numero-activite", nda),
            f"<SIRET-organisme-formation>\n{_el('SIRET', provider.siret)}</SIRET-organisme-formation>\n",
            _el("nom-organisme", provider.name),
            _el("raison-sociale", legal_name),
            "<coordonnees-organisme>\n<coordonnees>\n",
            adresse,
            f"<telfixe>\n{_el('numtel', _phone(rng))}</telfixe>\n",
            _el("courriel", f"contact@{provider.domain}"),
            web,
            "</coordonnees>\n</coordonnees-organisme>\n",
            "<contact-organisme>\n",
            _el("type-contact", "5"),
            "<coordonnees>\n",
            _el("civilite", civilite),
            _el("nom", last_name),
            _el("prenom", first_name),
            f"<telfixe>\n{_el('numtel', _phone(rng))}</telfixe>\n",
            _el("courriel", f"direction@{provider.domain}"),
            "</coordonnees>\n</contact-organisme>\n",
            f"<potentiel>\n{potentiel}</potentiel>\n" if potentiel else "",
            '<extras info="qualite">\n',
            f'<extra info="qualiopi">{1 if qualiopi else 0}</extra>\n',
            "</extras>\n",
            "</organisme-formation-responsable>\n",
        ]
    )


# --- Formations -------------------------------------------------------------------------------------------------


@dataclass
class Counts:
    formations: int = 0
    actions: int = 0
    sessions: int = 0


def _keep(rng, items, low, high=None):
    """Between low and high of the items (all when there are fewer), in their order."""
    high = len(items) if high is None else min(high, len(items))
    count = min(len(items), rng.randint(min(low, high), high))
    return [items[i] for i in sorted(rng.sample(range(len(items)), count))]


def _texts(rng, offer, html):
    objectives = _keep(rng, offer.objectives, 2, 4)
    contents = _keep(rng, offer.contents, 4)
    results = _keep(rng, offer.results, 2)
    if html:
        objective = "".join(f"<p>{sentence}</p>" for sentence in objectives)
        content = "<p>Programme :</p><ul>" + "".join(f"<li>{module}</li>" for module in contents) + "</ul>"
        result = "<p>À l'issue de la formation, vous serez capable de :</p><ul>" + "".join(
            f"<li>{item}</li>" for item in results
        )
        result += "</ul>"
    else:
        objective = " ".join(objectives)
        content = "\n".join(f"- {module}" for module in contents)
        result = "À l'issue de la formation, le stagiaire sera capable de : " + " ; ".join(results) + "."
    if offer.certification:
        result += (
            f"{'<p>' if html else ' '}Validation : {offer.certification[2]} "
            f"({offer.certification[0]}{offer.certification[1]}), totale ou partielle par blocs de compétences."
            f"{'</p>' if html else ''}"
        )
    return objective, content, result


def _contact_formation(rng, provider):
    civilite, first_name, last_name = _person(rng)
    mailbox = f"{_ascii_slug(first_name)}.{_ascii_slug(last_name)}"
    contact_type, masculine, feminine = rng.choice(CONTACT_ROLES)
    return "".join(
        [
            "<contact-formation>\n",
            _el("type-contact", contact_type),
            "<coordonnees>\n",
            _el("civilite", civilite),
            _el("nom", last_name),
            _el("prenom", first_name),
            _el("ligne", feminine if civilite == "Madame" else masculine),
            f"<telfixe>\n{_el('numtel', _phone(rng))}</telfixe>\n",
            _el("courriel", f"{mailbox}@{provider.domain}"),
            "</coordonnees>\n</contact-formation>\n",
        ]
    )


def _basic_date(day):
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _session_dates(rng, anchor, hours, permanent, weekly):
    """(start, end) as dates, and how each is written (LHEO basic dates, sometimes with "00" parts)."""
    if permanent:
        start = anchor - timedelta(days=rng.randint(0, 180))
        end = anchor + timedelta(days=rng.randint(180, HORIZON_DAYS))
    else:
        start = anchor + timedelta(days=rng.randint(-PAST_DAYS, HORIZON_DAYS))
        start += timedelta(days=(7 - start.weekday()) % 7 if start.weekday() >= 5 else 0)  # a weekday
        if hours >= 150:
            span = int(hours / 30 * 7 * 1.25)  # about 30 hours a week, holidays included
        else:
            days = math.ceil(hours / 7)
            span = (days - 1) * 7 if weekly else days - 1
        end = start + timedelta(days=span)
    draw = rng.random()
    if draw < 0.04:  # month known, day not: 20270300
        return start, end, f"{start.year:04d}{start.month:02d}00", f"{end.year:04d}{end.month:02d}00"
    if draw < 0.05 and (end.year, end.month) > (start.year, start.month):  # start known, end month only
        return start, end, _basic_date(start), f"{end.year:04d}{end.month:02d}00"
    return start, end, _basic_date(start), _basic_date(end)


def _recruitment_state(rng, anchor, start, end, permanent):
    if end < anchor:
        return "2"
    if start < anchor:
        return "1" if permanent else "2"
    draw = rng.random()
    return "1" if draw < 0.85 else ("2" if draw < 0.95 else "3")


def _action(rng, ids, offer, provider, providers, territory, anchor, counts):
    modality = rng.choices((ON_SITE, BLENDED, DISTANCE), weights=offer.modalities)[0]
    hours = rng.choice(offer.hours)
    company_hours = rng.choice(offer.company_hours)
    long_course = hours >= 150
    permanent = modality == DISTANCE and rng.random() < 0.5
    # Where: at the provider's, in a town of its département or of another, now and then in a village; distance
    # courses often give no place at all.
    place = None
    if modality != DISTANCE or rng.random() < 0.4:
        draw = rng.random()
        if draw < 0.45:
            commune, postal_code, address = provider.commune, provider.postal_code, provider.address
            latitude, longitude = provider.latitude, provider.longitude
        else:
            departement = provider.commune.departement
            if 0.8 <= draw < 0.92:  # a town of another département
                departement = rng.choice(sorted(territory.towns))
            commune = _commune_in(rng, territory, departement, town=draw < 0.92)
            postal_code = rng.choice(commune.postal_codes)
            address = f"{rng.randint(1, 80)} {rng.choice(data.STREETS)}"
            latitude = commune.latitude + rng.uniform(-0.004, 0.004)
            longitude = commune.longitude + rng.uniform(-0.004, 0.004)
        site = f"{provider.name}, site {_with_de(commune.name)}" if commune != provider.commune else provider.name
        place = _adresse([address], commune, postal_code, latitude, longitude), site
    registration = place[0] if place else None
    if registration is None:
        registration = _adresse(
            [provider.address], provider.commune, provider.postal_code, provider.latitude, provider.longitude
        )

    weekly = False  # short courses: consecutive days, or one day a week
    if modality == DISTANCE:
        rhythm = rng.choice(RHYTHMS_DISTANCE)
    elif long_course:
        rhythm = rng.choice(RHYTHMS_LONG)
    elif hours <= 7:
        rhythm = RHYTHM_ONE_DAY
    else:
        weekly = rng.random() < 0.4
        rhythm = rng.choice(RHYTHMS_SHORT[1:]) if weekly else RHYTHMS_SHORT[0]
    certifying = bool(offer.certification)
    parts = [f'<action numero="{ids}">\n', _el("rythme-formation", rhythm)]
    for code in _keep(rng, offer.publics, 1, 3):
        parts.append(f'<code-public-vise ref="{FORMACODE_VERSION}">{code}</code-public-vise>\n')
    parts += [
        _el("niveau-entree-obligatoire", "1" if offer.entry_level not in ("0", "1") else "0"),
        _el(
            "modalites-alternance",
            "Alternance entre le centre de formation et la structure d'accueil" if company_hours else "Sans objet",
        ),
        _el("modalites-enseignement", modality),
        _el("conditions-specifiques", rng.choice(CONDITIONS_CERTIFYING if certifying else CONDITIONS)),
        _el("prise-en-charge-frais-possible", "1" if rng.random() < 0.9 else "0"),
    ]
    if place:
        parts += [
            "<lieu-de-formation>\n<coordonnees>\n",
            _el("ligne", _short(place[1])),
            place[0],
            "</coordonnees>\n</lieu-de-formation>\n",
        ]
    parts.append(_el("modalites-entrees-sorties", "1" if permanent else "0"))
    if rng.random() < 0.3:
        parts.append(f"<url-action>\n{_el('urlweb', f'https://{provider.domain}/inscription/{ids}')}</url-action>\n")

    session_count = rng.randint(1, 2) if long_course else rng.choices(SESSIONS_PER_ACTION, SESSION_WEIGHTS)[0]
    dates = sorted(_session_dates(rng, anchor, hours + company_hours, permanent, weekly) for _ in range(session_count))
    for number, (start, end, debut, fin) in enumerate(dates, 1):
        parts += [
            f'<session numero="{ids}_SE_{number:02d}">\n',
            f"<periode>\n{_el('debut', debut)}{_el('fin', fin)}</periode>\n",
            f"<adresse-inscription>\n{registration}</adresse-inscription>\n",
        ]
        if rng.random() < 0.4:
            parts.append(_el("modalites-inscription", rng.choice(REGISTRATION_METHODS)))
        if long_course and not permanent:
            opening, closing = start - timedelta(days=120), start - timedelta(days=10)
            parts.append(
                f"<periode-inscription>\n<periode>\n{_el('debut', _basic_date(opening))}"
                f"{_el('fin', _basic_date(closing))}</periode>\n</periode-inscription>\n"
            )
        if rng.random() < 0.95:
            parts.append(_el("etat-recrutement", _recruitment_state(rng, anchor, start, end, permanent)))
        parts.append("</session>\n")
    counts.sessions += session_count

    parts += [_el("acces-handicapes", rng.choice(ACCESSIBILITY)), _el("langue-formation", "fr")]
    if certifying:
        parts.append(_el("modalites-recrutement", rng.choice(RECRUITMENT_METHODS)))
    parts += [
        _el("modalites-pedagogiques", rng.choice(TEACHING_METHODS)),
        _el("code-perimetre-recrutement", "3" if long_course else rng.choice(("2", "3"))),
    ]
    total_hours = hours + company_hours
    if rng.random() < 0.85:
        total = round(hours * rng.uniform(*offer.rate) / 10) * 10
        parts += [_el("prix-horaire-TTC", f"{total / hours:.2f}"), _el("prix-total-TTC", f"{total:.2f}")]
    if long_course:
        duration = f"{max(round((end - start).days / 30), 1)} mois" if not permanent else "Entrées permanentes"
    else:
        duration = f"{math.ceil(hours / 7)} jour{'s' if hours > 7 else ''} ({hours} heures)"
    parts += [_el("duree-indicative", duration), _el("nombre-heures-centre", hours)]
    if company_hours:
        parts.append(_el("nombre-heures-entreprise", company_hours))
    parts.append(_el("nombre-heures-total", total_hours))
    if rng.random() < 0.3:
        parts.append(_el("detail-conditions-prise-en-charge", rng.choice(FUNDING_DETAILS)))
    if len(providers) > 1 and rng.random() < 0.12:
        trainer = rng.choice(providers)
        if trainer is not provider:
            parts += [
                "<organisme-formateur>\n",
                f"<SIRET-formateur>\n{_el('SIRET', trainer.siret)}</SIRET-formateur>\n",
                _el("raison-sociale-formateur", trainer.name),
                "</organisme-formateur>\n",
            ]
    for code in _keep(rng, offer.funders, 1, 3):
        places = f"{_el('nb-places-financees', rng.randint(6, 15))}" if code in ("2", "4") else ""
        parts.append(f"<organisme-financeur>\n{_el('code-financeur', code)}{places}</organisme-financeur>\n")
    parts.append("</action>\n")
    counts.actions += 1
    return "".join(parts)


_CONTEXT = re.compile(r"structure|ESS|associati|établissement|secteur|entreprise|CSE|élus|domicile|enfant")


def _qualifier(rng, title):
    """A qualifier that reads well after the title: one colon at most, one setting at most."""
    fitting = [
        qualifier
        for qualifier in TITLE_QUALIFIERS
        if not (":" in qualifier and ":" in title)
        and not (qualifier.startswith((" dans", " en")) and _CONTEXT.search(title))
    ]
    return rng.choice(fitting)


def build_formation(number, providers, provider_cum, territory, anchor, seed, counts):
    """The XML of formation `number` (its actions, sessions and responsible provider)."""
    rng = random.Random(f"{seed}:lheo:formation:{number}")
    provider = rng.choices(providers, cum_weights=provider_cum)[0]
    offer = rng.choice(provider.offers)
    title = rng.choice(offer.titles)
    if offer.qualifiers and rng.random() < 0.3:
        title += _qualifier(rng, title)
    html = rng.random() < HTML_RATE
    objective, content, result = _texts(rng, offer, html)
    ident = f"75_AF_{number:07d}"
    parts = [f'<formation numero="75_FO_{number:07d}">\n', "<domaine-formation>\n"]
    for index, code in enumerate(offer.formacodes):
        tag = ' tag="principal"' if index == 0 else ""
        parts.append(f'<code-FORMACODE ref="{FORMACODE_VERSION}"{tag}>{code}</code-FORMACODE>\n')
    parts += [_el("code-NSF", code) for code in offer.nsf]
    parts += [_el("code-ROME", code) for code in offer.rome]
    parts += [
        "</domaine-formation>\n",
        _el("intitule-formation", title),
        _el("objectif-formation", objective),
        _el("resultats-attendus", result),
        _el("contenu-formation", content),
        _el("certifiante", "1" if offer.certification else "0"),
        _contact_formation(rng, provider),
        _el("parcours-de-formation", "4" if offer.hours[0] >= 150 else rng.choice(("1", "1", "1", "2"))),
        _el("code-niveau-entree", offer.entry_level),
        _el("objectif-general-formation", offer.general_objective),
    ]
    if offer.certification:
        kind, code, _ = offer.certification
        element = "code-RNCP" if kind == "RNCP" else "code-RS"
        parts.append(f"<certification>\n{_el(element, code)}</certification>\n")
    if offer.exit_level:
        parts.append(_el("code-niveau-sortie", offer.exit_level))
    if rng.random() < 0.7:
        parts.append(
            f"<url-formation>\n{_el('urlweb', f'https://{provider.domain}/formations/{number}')}</url-formation>\n"
        )
    for index in range(1, rng.choices((1, 2, 3), weights=(65, 23, 12))[0] + 1):
        parts.append(_action(rng, f"{ident}_{index:02d}", offer, provider, providers, territory, anchor, counts))
    parts += [provider.block, "</formation>\n"]
    counts.formations += 1
    return "".join(parts)


# --- The file ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    path: Path
    formations: int
    actions: int
    sessions: int
    providers: int
    bytes: int
    seconds: float


def providers_for(formations):
    return max(1, round(formations / FORMATIONS_PER_PROVIDER))


def reference_month(today=None):
    today = today or date.today()
    return date(today.year, today.month, 1)


def write_lheo(
    path,
    formations=DEFAULT_FORMATIONS,
    seed=data.SEED,
    today=None,
    compress=None,
    sessions=None,
    providers=None,
    data_dir=DATA_DIR,
):
    """Write the feed to `path`; gzip when `compress` is true (by default: when the name ends with .gz).

    `sessions`: stop at the first formation that brings the session count to that number (then `formations` only
    sizes the provider pool). Returns a Result with the counts, the file size and the time taken.
    """
    started = time.perf_counter()
    path = Path(path)
    compress = path.suffix == ".gz" if compress is None else compress
    territory = load_territory(Path(data_dir))
    anchor = reference_month(today)
    pool = build_providers(providers or providers_for(formations), territory, seed)
    provider_cum = list(accumulate(provider.weight for provider in pool))
    counts = Counts()
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = path.open("wb")
    handle = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) if compress else raw
    try:
        handle.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<lheo xmlns="{NAMESPACE}">\n<offres>\n'.encode())
        number = 0
        while (counts.sessions < sessions) if sessions else (number < formations):
            number += 1
            chunk = build_formation(number, pool, provider_cum, territory, anchor, seed, counts)
            handle.write(chunk.encode())
        handle.write(b"</offres>\n</lheo>\n")
    finally:
        if compress:
            handle.close()
        raw.close()
    return Result(
        path=path,
        formations=counts.formations,
        actions=counts.actions,
        sessions=counts.sessions,
        providers=len(pool),
        bytes=path.stat().st_size,
        seconds=time.perf_counter() - started,
    )
