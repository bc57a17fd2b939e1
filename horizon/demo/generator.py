"""Builds the demo data from the lists in `data.py`.

Deterministic: each structure draws from its own `random.Random`, seeded with the seed and the
structure's number, so structure n is the same whatever the count asked for. Idempotent: the
identifiers (SIRET, RNA) derive from that number, and whatever already exists is skipped.

`load_demo()` builds the whole demo (programme, accounts, structures and what goes with them);
`build_structures()` + `insert_missing()` are the bulk path the benchmarks reuse.
"""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate

from django.conf import settings
from django.contrib.auth.hashers import check_password, get_hasher, identify_hasher, make_password
from django.db import transaction
from django.utils.text import slugify
from stdnum import luhn

from horizon.accounts.models import User
from horizon.organisations.enums import ChangeAction, MembershipRole, StructureSource
from horizon.organisations.models import Collective, Contact, Membership, Structure, StructureChange
from horizon.organisations.services import add_member
from horizon.programmes.enums import ProgrammeRole
from horizon.programmes.models import Programme, ProgrammeMembership
from horizon.referentials.models import CollectiveAgreement, LegalCategory, NafCode, ProgrammeSector
from horizon.territories.models import Commune, Departement, PostalCode, Region
from horizon.utils.text import normalize

from . import data
from .diagnostics import load_demo_diagnostics
from .training import load_demo_training

_TEMPLATE_CUM = list(accumulate(t.weight for t in data.TEMPLATES))
_BANDS = list(data.BAND_RANGES)
_HISTORY_RATE = 0.15
_BATCH_SIZE = 500


class DemoError(Exception):
    """A precondition is not met (settings, reference data); the message is for the user, in French."""


# --- Identifiers and names -------------------------------------------------------------------


def make_siren(number):
    body = f"{data.SIREN_PREFIX}{number:06d}"
    return body + luhn.calc_check_digit(body)


def make_siret(number, nic_body="0001"):
    body = make_siren(number) + nic_body
    return body + luhn.calc_check_digit(body)


def make_rna(departement_code, number):
    """W + the département code + one digit + a 6-digit number, like the real RNA numbers."""
    return f"W{departement_code}{1 + number % 3}{number:06d}"


def with_de(name):
    """'Pau' → 'de Pau', 'Agen' → "d'Agen", 'Le Bouscat' → 'du Bouscat', 'Les Eyzies' → 'des Eyzies'."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if normalize(name[:1]) in set("aeiouyh"):
        return "d'" + name
    return "de " + name


# --- Reference data the generator draws from ------------------------------------------------


@dataclass
class Lookups:
    departement_codes: list
    departement_cum: list
    departement_names: dict
    communes: dict  # départment code → [Commune]
    commune_cum: dict  # départment code → cumulative populations
    postal_codes: dict  # commune code → [postal code]
    sectors: dict
    legal_categories: dict
    naf_codes: dict
    agreements: dict


def check_reference_data():
    """Territories and référentiels are loaded by their own commands, which must have run first."""
    if not Commune.objects.filter(departement__region_id=data.REGION_CODE).exists():
        raise DemoError(
            "Les territoires ne sont pas chargés (aucune commune de Nouvelle-Aquitaine) : "
            "lancez d'abord « python manage.py load_territories »."
        )
    if not ProgrammeSector.objects.exists():
        raise DemoError(
            "Les référentiels ne sont pas chargés (aucun secteur du programme) : "
            "lancez d'abord « python manage.py load_referentials »."
        )


def load_lookups():
    check_reference_data()
    communes = {}
    for commune in Commune.objects.filter(departement__region_id=data.REGION_CODE).order_by("code"):
        communes.setdefault(commune.departement_id, []).append(commune)
    departement_codes = sorted(communes)
    postal_codes = {}
    for commune_code, code in (
        PostalCode.objects.filter(commune__departement__region_id=data.REGION_CODE)
        .order_by("commune_id", "code")
        .values_list("commune_id", "code")
    ):
        postal_codes.setdefault(commune_code, []).append(code)
    naf_codes = {naf for template in data.TEMPLATES for _, naf in template.names} | {data.EMPLOYER_STRUCTURE["naf"]}
    legal_codes = {code for template in data.TEMPLATES for code in template.legal}
    return Lookups(
        departement_codes=departement_codes,
        departement_cum=list(accumulate(data.DEPARTEMENT_WEIGHTS.get(code, 1) for code in departement_codes)),
        departement_names=dict(Departement.objects.filter(code__in=departement_codes).values_list("code", "name")),
        communes=communes,
        commune_cum={
            code: list(accumulate(max(c.population, 1) for c in dept_communes))
            for code, dept_communes in communes.items()
        },
        postal_codes=postal_codes,
        sectors={sector.code: sector for sector in ProgrammeSector.objects.all()},
        legal_categories={c.code: c for c in LegalCategory.objects.filter(code__in=legal_codes)},
        naf_codes={n.code: n for n in NafCode.objects.filter(code__in=naf_codes)},
        agreements={a.idcc: a for a in CollectiveAgreement.objects.all()},
    )


# --- Structures ----------------------------------------------------------------------------


def _headcount(rng, sector_code):
    bands = data.BANDS_BY_SECTOR[sector_code]
    band = rng.choices(list(bands), weights=list(bands.values()))[0]
    low, high = data.BAND_RANGES[band]
    fte = Decimal(rng.randint(low, high) * rng.uniform(0.55, 0.95)).quantize(Decimal("0.01"))
    return band, max(fte, Decimal("0.50"))


def _near(rng, value):
    return None if value is None else round(value + rng.uniform(-0.004, 0.004), 6)


def build_structure(number, lookups, seed=data.SEED):
    """Demo structure number `number` (≥ 1), unsaved. Same number and seed → same structure."""
    rng = random.Random(f"{seed}:{number}")
    template = rng.choices(data.TEMPLATES, cum_weights=_TEMPLATE_CUM)[0]
    pattern, naf_code = rng.choice(template.names)
    departement = rng.choices(lookups.departement_codes, cum_weights=lookups.departement_cum)[0]
    commune = rng.choices(lookups.communes[departement], cum_weights=lookups.commune_cum[departement])[0]
    name = pattern.format(
        nature=rng.choice(data.NATURE_NAMES),
        kids=rng.choice(data.CHILDREN_NAMES),
        commune=commune.name,
        de_commune=with_de(commune.name),
        du_departement=data.DEPARTEMENT_OF.get(departement) or with_de(lookups.departement_names[departement]),
    )
    legal_code = rng.choice(template.legal)
    is_association = legal_code.startswith("92")
    band, fte = _headcount(rng, template.sector)
    siret = rna = None
    if is_association and band in data.SMALL_BANDS and rng.random() < data.WITHOUT_SIRET_RATE:
        rna = make_rna(departement, number)  # a small association not yet registered with INSEE
    else:
        siret = make_siret(number, rng.choice(data.NIC_BODIES))
        if is_association and rng.random() < data.WITH_RNA_RATE:
            rna = make_rna(departement, number)
    agreement = lookups.agreements.get(template.idcc) if template.idcc else None
    domain = (slugify(name)[:40].strip("-") or "structure") + ".example.org"
    structure = Structure(
        name=name,
        siret=siret,
        rna=rna,
        legal_category=lookups.legal_categories.get(legal_code),
        naf=lookups.naf_codes.get(naf_code),
        headcount_band=band,
        headcount_year=data.HEADCOUNT_YEAR,
        headcount_fte=fte,
        collective_agreement=agreement,
        opco=agreement.opco if agreement else "",
        sector=lookups.sectors.get(template.sector) if template.sector else None,
        address=f"{rng.randint(1, 120)} {rng.choice(data.STREETS)}",
        postal_code=rng.choice(lookups.postal_codes.get(commune.code) or [""]),
        commune=commune,
        latitude=_near(rng, commune.latitude),
        longitude=_near(rng, commune.longitude),
        email=f"contact@{domain}",
        phone=f"05 36 49 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}",
        website=f"https://{domain}" if rng.random() < 0.4 else "",
        is_head_office=rng.random() < 0.85,
        source=StructureSource.DEMO,
    )
    structure.demo_number, structure.demo_kind = number, template.kind
    return structure


def build_employer_structure(lookups):
    """The employer account's structure (number 0): a centre social in Bordeaux, with ALISFA."""
    spec = data.EMPLOYER_STRUCTURE
    commune = next(
        (c for communes in lookups.communes.values() for c in communes if c.code == spec["commune_code"]), None
    )
    if commune is None:  # Bordeaux not loaded: the most populous commune of the region
        commune = max((c for communes in lookups.communes.values() for c in communes), key=lambda c: c.population)
    agreement = lookups.agreements.get(spec["idcc"])
    postal_codes = lookups.postal_codes.get(commune.code) or [""]
    structure = Structure(
        name=spec["name"],
        siret=make_siret(0),
        rna=make_rna(commune.departement_id, 0),
        legal_category=lookups.legal_categories.get(spec["legal"]),
        naf=lookups.naf_codes.get(spec["naf"]),
        headcount_band=spec["headcount_band"],
        headcount_year=data.HEADCOUNT_YEAR,
        headcount_fte=Decimal(spec["headcount_fte"]),
        collective_agreement=agreement,
        opco=agreement.opco if agreement else "",
        sector=lookups.sectors.get(spec["sector"]),
        address=spec["address"],
        postal_code=spec["postal_code"] if spec["postal_code"] in postal_codes else postal_codes[0],
        commune=commune,
        latitude=commune.latitude,
        longitude=commune.longitude,
        email=spec["email"],
        phone=spec["phone"],
        website=spec["website"],
        is_head_office=True,
        source=StructureSource.DEMO,
    )
    structure.demo_number, structure.demo_kind = 0, spec["kind"]
    return structure


def build_structures(count, lookups, seed=data.SEED):
    return [build_structure(number, lookups, seed) for number in range(1, count + 1)]


def employer_siret():
    return make_siret(0)


def prepare_for_bulk(structure):
    """What `Structure.save()` computes, which `bulk_create()` skips."""
    structure.siren = structure.siret[:9] if structure.siret else ""
    structure.search_text = structure.compute_search_text()
    return structure


def _existing(field, values):
    found = set()
    for start in range(0, len(values), _BATCH_SIZE):
        chunk = values[start : start + _BATCH_SIZE]
        found.update(Structure.objects.filter(**{f"{field}__in": chunk}).values_list(field, flat=True))
    return found


def insert_missing(structures, batch_size=_BATCH_SIZE):
    """Insert the structures whose SIRET and RNA are still free; return those inserted (with their pk)."""
    taken_sirets = _existing("siret", [s.siret for s in structures if s.siret])
    taken_rnas = _existing("rna", [s.rna for s in structures if s.rna])
    missing = [
        prepare_for_bulk(s)
        for s in structures
        if s.siret not in taken_sirets and (not s.rna or s.rna not in taken_rnas)
    ]
    Structure.objects.bulk_create(missing, batch_size=batch_size)
    return missing


# --- What goes with the structures -----------------------------------------------------------


def build_contacts(structure, seed=data.SEED):
    """One or two people to reach at the structure, with the date they consented."""
    rng = random.Random(f"{seed}:{structure.demo_number}:contacts")
    domain = structure.email.split("@")[-1]
    contacts = []
    for _ in range(1 if rng.random() < 0.6 else 2):
        female = rng.random() < 0.6
        first_name = rng.choice(data.FEMALE_FIRST_NAMES if female else data.MALE_FIRST_NAMES)
        last_name = rng.choice(data.LAST_NAMES)
        contacts.append(
            Contact(
                structure=structure,
                first_name=first_name,
                last_name=last_name,
                job_title=rng.choice(data.JOB_TITLES)[1 if female else 0],
                email=f"{slugify(first_name)}.{slugify(last_name)}@{domain}",
                phone=f"06 39 98 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}",
                consent_date=date(2021, 1, 15) + timedelta(days=rng.randrange(0, 900)),
            )
        )
    return contacts


def _matches(spec, structure, anywhere=False):
    commune = structure.commune
    return (
        (not spec.sectors or structure.sector_id in spec.sectors)
        and (not spec.template_kinds or structure.demo_kind in spec.template_kinds)
        and (anywhere or not spec.departements or commune.departement_id in spec.departements)
        and (anywhere or not spec.epci or commune.epci_id == spec.epci)
    )


def link_collectives(structures, seed=data.SEED):
    """Create the collectives and add the matching new structures. Returns ({structure pk: [names]}, created)."""
    through = Structure.collectives.through
    links, joined, created = [], {}, 0
    for spec in data.COLLECTIVES:
        collective, was_created = Collective.objects.get_or_create(
            name=spec.name, defaults={"kind": spec.kind, "description": spec.description}
        )
        created += was_created
        candidates = [s for s in structures if _matches(spec, s)] or [
            s for s in structures if _matches(spec, s, anywhere=True)
        ]
        room = max(spec.max_members - collective.structures.count(), 0)
        first = [s for s in candidates if s.demo_number == 0][:room]  # the employer's structure always joins
        others = [s for s in candidates if s.demo_number != 0]
        rng = random.Random(f"{seed}:collective:{spec.name}")
        chosen = first + rng.sample(others, min(room - len(first), len(others)))
        for structure in sorted(chosen, key=lambda s: s.demo_number):
            links.append(through(structure_id=structure.pk, collective_id=collective.pk))
            joined.setdefault(structure.pk, []).append(collective.name)
    through.objects.bulk_create(links, ignore_conflicts=True)
    return joined, created


def build_history(structure, contacts, collective_names, coordinator, seed=data.SEED):
    """A few rows of history for some structures (always for the employer's): creation, updates, additions."""
    rng = random.Random(f"{seed}:{structure.demo_number}:history")
    if structure.demo_number != 0 and rng.random() >= _HISTORY_RATE:
        return []
    when = datetime(2021, 2, 1, 8, tzinfo=UTC) + timedelta(days=rng.randrange(0, 300), minutes=rng.randrange(0, 600))
    rows = [
        StructureChange(
            structure=structure,
            action=ChangeAction.CREATED,
            note="Fiche créée à partir du fichier des employeurs du programme.",
            created_at=when,
        )
    ]
    band_index = _BANDS.index(structure.headcount_band) if structure.headcount_band in _BANDS else 0
    when += timedelta(days=rng.randrange(20, 200))
    if band_index > 0:
        changes = {"headcount_band": [_BANDS[band_index - 1], structure.headcount_band]}
    else:
        changes = {"phone": ["", structure.phone]}
    rows.append(
        StructureChange(
            structure=structure, user=coordinator, action=ChangeAction.UPDATED, changes=changes, created_at=when
        )
    )
    for contact in contacts[:1]:
        when += timedelta(days=rng.randrange(1, 60))
        rows.append(
            StructureChange(
                structure=structure,
                user=coordinator,
                action=ChangeAction.CONTACT_ADDED,
                note=f"{contact.first_name} {contact.last_name}",
                created_at=when,
            )
        )
    for name in collective_names:
        when += timedelta(days=rng.randrange(1, 90))
        rows.append(
            StructureChange(
                structure=structure, user=coordinator, action=ChangeAction.COLLECTIVE_ADDED, note=name, created_at=when
            )
        )
    return rows


# --- Programme and accounts ------------------------------------------------------------------


def ensure_programme():
    spec = data.PROGRAMME
    programme, _ = Programme.objects.get_or_create(
        slug=spec["slug"],
        defaults={
            "name": spec["name"],
            "region": Region.objects.filter(code=data.REGION_CODE).first(),
            "start_date": date.fromisoformat(spec["start_date"]),
            "end_date": date.fromisoformat(spec["end_date"]),
            "description": spec["description"],
        },
    )
    return programme


def _password_ok(encoded, trust=False):
    try:
        hasher = identify_hasher(encoded)
    except ValueError:  # unusable or unknown
        return False
    if hasher.algorithm != get_hasher().algorithm or hasher.must_update(encoded):
        return False
    return trust or check_password(data.PASSWORD, encoded)


def ensure_accounts(programme):
    """One account per role, all with the demo password. Returns ({email: user}, created, passwords reset).

    Hashing is slow on purpose (about 0.5 s), so the password is hashed once and every account
    shares that hash. A hash shared by several accounts can only come from here (any other way of
    setting a password draws a fresh salt), so it is trusted without the slow check; a hash of its
    own (a password changed by hand) is checked, and reset if it is not the demo password.
    """
    users = {u.email: u for u in User.objects.filter(email__in=[a.email for a in data.ACCOUNTS])}
    shared_hash = None
    created = reset = 0
    for encoded, holders in Counter(u.password for u in users.values()).items():
        if _password_ok(encoded, trust=holders > 1):
            shared_hash = shared_hash or encoded  # new accounts join the existing shared hash
        else:
            shared_hash = shared_hash or make_password(data.PASSWORD)
            stale = [u for u in users.values() if u.password == encoded]
            for user in stale:
                user.password = shared_hash
            User.objects.bulk_update(stale, ["password"])
            reset += len(stale)
    for account in data.ACCOUNTS:
        user = users.get(account.email)
        if user is None:
            shared_hash = shared_hash or make_password(data.PASSWORD)
            user = users[account.email] = User.objects.create(
                email=account.email,
                password=shared_hash,
                first_name=account.first_name,
                last_name=account.last_name,
                job_title=account.job_title,
                # The admin shows nothing to a staff member without permissions: the demo coordinator has them all.
                is_staff=account.is_staff,
                is_superuser=account.is_staff,
            )
            created += 1
        elif not user.is_active or user.is_staff != account.is_staff:
            user.is_active, user.is_staff, user.is_superuser = True, account.is_staff, account.is_staff
            user.save(update_fields=["is_active", "is_staff", "is_superuser"])
        if account.role not in (data.EMPLOYER, data.MEMBER):
            membership, _ = ProgrammeMembership.objects.get_or_create(
                user=user, programme=programme, role=account.role, defaults={"organisation_name": account.organisation}
            )
            if not membership.is_active:
                membership.is_active = True
                membership.save(update_fields=["is_active"])
    return users, created, reset


def ensure_employer_memberships(users, structure):
    coordinator = next(users[a.email] for a in data.ACCOUNTS if a.is_staff)
    for account in data.ACCOUNTS:
        role = {data.EMPLOYER: MembershipRole.ADMIN, data.MEMBER: MembershipRole.MEMBER}.get(account.role)
        user = users[account.email]
        if role and not Membership.objects.filter(user=user, structure=structure, role=role, is_active=True).exists():
            add_member(structure, user, role, by=coordinator)


# --- Everything ------------------------------------------------------------------------------


@dataclass
class Summary:
    already_loaded: bool = False
    structures: int = 0
    structures_created: int = 0
    contacts_created: int = 0
    collectives_created: int = 0
    changes_created: int = 0
    accounts_created: int = 0
    passwords_reset: int = 0
    diagnostics_created: int = 0
    formations_imported: int = 0


@transaction.atomic
def load_demo(count=data.DEFAULT_STRUCTURE_COUNT, seed=data.SEED):
    """Create what is missing of the demo: programme, accounts, `count` structures plus the employer's."""
    if settings.DEMO_ACCOUNTS is not True:
        raise DemoError(
            "Les données de démonstration sont désactivées ici (DEMO_ACCOUNTS n'est pas activé) : "
            "elles ne doivent jamais être chargées en production."
        )
    check_reference_data()
    summary = Summary()
    demo_structures = Structure.objects.filter(source=StructureSource.DEMO)
    summary.already_loaded = (
        Programme.objects.filter(slug=data.PROGRAMME["slug"]).exists()
        and Structure.objects.filter(siret=employer_siret()).exists()
        and demo_structures.count() >= count + 1
    )
    programme = ensure_programme()
    users, summary.accounts_created, summary.passwords_reset = ensure_accounts(programme)
    coordinator = next(users[a.email] for a in data.ACCOUNTS if a.is_staff)

    if not summary.already_loaded:
        lookups = load_lookups()
        structures = insert_missing([build_employer_structure(lookups), *build_structures(count, lookups, seed)])
        contacts = {s.pk: build_contacts(s, seed) for s in structures}
        Contact.objects.bulk_create([c for group in contacts.values() for c in group], batch_size=_BATCH_SIZE)
        joined, summary.collectives_created = link_collectives(structures, seed)
        history = [
            row for s in structures for row in build_history(s, contacts[s.pk], joined.get(s.pk, []), coordinator, seed)
        ]
        StructureChange.objects.bulk_create(history, batch_size=_BATCH_SIZE)
        summary.structures_created = len(structures)
        summary.contacts_created = sum(len(group) for group in contacts.values())
        summary.changes_created = len(history)

    employer_structure = Structure.objects.get(siret=employer_siret())
    ensure_employer_memberships(users, employer_structure)
    employer_user = next(users[a.email] for a in data.ACCOUNTS if a.role == data.EMPLOYER)
    summary.diagnostics_created = load_demo_diagnostics(employer_structure, employer_user, seed)
    provider_user = next(users[a.email] for a in data.ACCOUNTS if a.role == ProgrammeRole.PROVIDER)
    summary.formations_imported = load_demo_training(provider_user)
    summary.structures = demo_structures.count()
    return summary
