"""Writes on the training offer made on the platform: the offers (a formation and its action) and the sessions that
providers and coordinators enter or correct.

Every write runs in a transaction, checks the rules below with French messages (a `ValidationError` keyed by
field, nothing written), leaves an `OfferChange` row saying who changed what, field by field, with the values as
people read them ("1 234,50 €", "12/03/2026", "En présentiel"), and then refreshes the offer's search index and
its derived programme themes.

Rules: a title; a price and a number of hours that are not negative; a place (its commune) for an offer given in
présentiel or mixte; a session that starts, and ends on or after its start. The commune's coordinates are copied
onto the action and onto its sessions, which follow the action when its place changes (distance search reads
the sessions).
"""

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from horizon.programmes.enums import ProgrammeTheme
from horizon.referentials.models import LheoCode

from . import search, themes
from .enums import DatePrecision, EntryMode, Modality, OfferChangeAction, RecruitmentState
from .models import MANUAL_SOURCE, Action, Formation, OfferChange, Session

FORMATION_FIELDS = [
    "title",
    "objective",
    "content",
    "expected_results",
    "certifying",
    "certifications",
    "exit_level",
]
ACTION_FIELDS = [
    "modality",
    "entry_mode",
    "rhythm",
    "hours_total",
    "price_total",
    "funders",
    "cpf_eligible",
    "place_name",
    "address",
    "commune",
]
SESSION_DATA_FIELDS = ["start_date", "end_date", "recruitment_state"]
SESSION_FIELDS = [*SESSION_DATA_FIELDS, "cancelled"]  # cancelled: the session is closed (never deleted)

# The history's labels, for the fields of the three models a change may touch.
LABELS = {
    "themes": "thèmes du programme",
    "title": "intitulé",
    "objective": "objectif",
    "content": "contenu",
    "expected_results": "résultats attendus",
    "certifying": "formation certifiante",
    "certifications": "certifications (RNCP, RS)",
    "exit_level": "niveau de sortie",
    "modality": "modalité",
    "entry_mode": "entrées et sorties",
    "rhythm": "rythme",
    "hours_total": "durée (heures)",
    "price_total": "prix total TTC",
    "funders": "financements",
    "cpf_eligible": "éligible au CPF",
    "place_name": "lieu",
    "address": "adresse du lieu",
    "commune": "commune du lieu",
    "start_date": "début",
    "end_date": "fin",
    "recruitment_state": "inscriptions",
    "cancelled": "session annulée",
}

CERTIFICATION_TYPES = ("RNCP", "RS")  # the ones entered on the platform; imports may carry others (CERTIFINFO…)
FUNDERS_DICTIONARY = "dict-financeurs"
LEVELS_DICTIONARY = "dict-niveaux"
PLACE_MODALITIES = (Modality.ON_SITE, Modality.BLENDED)

TITLE_REQUIRED = "Saisissez l'intitulé de la formation."
NEGATIVE_PRICE = "Le prix ne peut pas être négatif."
NEGATIVE_HOURS = "La durée ne peut pas être négative."
PLACE_REQUIRED = (
    "Indiquez la commune du lieu de formation : elle est obligatoire pour une formation en présentiel ou mixte."
)
CERTIFICATION_REQUIRED = "Indiquez le code RNCP ou RS de la certification que prépare cette formation certifiante."
START_REQUIRED = "Indiquez la date de début de la session."
END_BEFORE_START = "La date de fin doit être identique ou postérieure à la date de début."


# Rules -----------------------------------------------------------------------------------------------------------


def offer_errors(values):
    """{field: French message} for the offer rules broken by `values` (the offer's values after the write)."""
    errors = {}
    if not (values.get("title") or "").strip():
        errors["title"] = TITLE_REQUIRED
    price = values.get("price_total")
    if price is not None and price < 0:
        errors["price_total"] = NEGATIVE_PRICE
    hours = values.get("hours_total")
    if hours is not None and hours < 0:
        errors["hours_total"] = NEGATIVE_HOURS
    if values.get("modality") in PLACE_MODALITIES and values.get("commune") is None:
        errors["commune"] = PLACE_REQUIRED
    if values.get("certifying") and not values.get("certifications"):
        errors["certifications"] = CERTIFICATION_REQUIRED
    return errors


def session_errors(values):
    """{field: French message} for the session rules broken by `values` (a cancelled session may lack dates)."""
    errors = {}
    start, end = values.get("start_date"), values.get("end_date")
    if start is None:
        if not values.get("cancelled"):
            errors["start_date"] = START_REQUIRED
    elif end is not None and end < start:
        errors["end_date"] = END_BEFORE_START
    return errors


# Readable values -------------------------------------------------------------------------------------------------


def format_euros(amount):
    """1234.5 → "1 234,50 €" (narrow no-break space between thousands, no-break space before the sign)."""
    if amount is None:
        return ""
    text = f"{Decimal(amount):,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{text}\u00a0€"


def format_date(value, precision=DatePrecision.DAY):
    """A date as people write it: 12/03/2026, or 03/2026 and 2026 when only the month or the year is known."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value:%Y}"
    if precision == DatePrecision.MONTH:
        return f"{value:%m/%Y}"
    return f"{value:%d/%m/%Y}"


def format_certifications(certifications):
    return ", ".join(f"{c.get('type', '')} {c.get('code', '')}".strip() for c in certifications or [])


def lheo_labels(dictionary):
    """{code: label} of one LHEO dictionary (a query; cache the result for a whole write)."""
    return dict(LheoCode.objects.filter(dictionary=dictionary).values_list("code", "label"))


def short_label(label, length=90):
    return Truncator(label).chars(length)


class _Reader:
    """Turns field values into the text of the history; loads the LHEO labels it needs once."""

    def __init__(self):
        self._labels = {}

    def _lheo(self, dictionary, code):
        if dictionary not in self._labels:
            self._labels[dictionary] = lheo_labels(dictionary)
        return self._labels[dictionary].get(code, code)

    def __call__(self, name, value, precision=DatePrecision.DAY):
        if value is None or value == "" or value == []:
            return "" if name not in ("certifying", "cpf_eligible", "cancelled") else "non"
        if name in ("certifying", "cpf_eligible", "cancelled"):
            return "oui" if value else "non"
        if name == "price_total":
            return format_euros(value)
        if name == "hours_total":
            return f"{value}\u00a0h"
        if name in ("start_date", "end_date"):
            return format_date(value, precision)
        if name == "modality":
            return str(Modality(value).label) if value in Modality.values else value
        if name == "entry_mode":
            return str(EntryMode(value).label) if value in EntryMode.values else value
        if name == "recruitment_state":
            return str(RecruitmentState(value).label) if value in RecruitmentState.values else value
        if name == "funders":
            return ", ".join(self._lheo(FUNDERS_DICTIONARY, code) for code in value)
        if name == "exit_level":
            return short_label(self._lheo(LEVELS_DICTIONARY, value))
        if name == "certifications":
            return format_certifications(value)
        return str(value)  # text, and the commune: "Bordeaux (33)"


def readable_changes(change):
    """[(label, before, after)] of an OfferChange, for the pages that show an offer's history."""
    return [(LABELS.get(name, name), before, after) for name, (before, after) in change.changes.items()]


# Writes ----------------------------------------------------------------------------------------------------------


def _new_source_id():
    """An identifier for a record entered on the platform: unique among the platform's records (the database's
    unique constraint on (source, source_id) holds it too)."""
    return uuid.uuid4().hex


def _assign(instance, allowed, fields):
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields for {type(instance).__name__}: {sorted(unknown)}")
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").strip()
        setattr(instance, name, value)


def _values(instance, names):
    return {name: getattr(instance, name) for name in names}


def _diff(before, after, read, precisions=None):
    """{field: [before, after]} as people read them, for the fields whose value changed."""
    precisions = precisions or {}
    changes = {}
    for name, value in after.items():
        old = before.get(name)
        if _comparable(old) != _comparable(value):
            before_precision, after_precision = precisions.get(name, (DatePrecision.DAY, DatePrecision.DAY))
            changes[name] = [read(name, old, before_precision), read(name, value, after_precision)]
    return changes


def _comparable(value):
    if hasattr(value, "pk"):
        return value.pk
    if value == "" or value == []:
        return None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return sorted(value)  # codes: their order carries no meaning
    return value


def _is_set(value):
    """False, None and empty values are left out of a creation's history (0 is kept: a free offer says so)."""
    return not (value is None or value is False or value == "" or value == [])


def _who(user):
    return user if user is not None and user.is_authenticated else None


def _record(formation, user, action, changes=None, note=""):
    return OfferChange.objects.create(
        formation=formation,
        user=_who(user),
        action=action,
        changes=changes or {},
        note=note[:255],
    )


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _place_of(action):
    """The action's coordinates come from its commune."""
    commune = action.commune
    action.latitude = commune.latitude if commune else None
    action.longitude = commune.longitude if commune else None


def _after_write(formation_pk):
    """The search index and the derived themes follow the formation's own fields and nothing else: writes of an
    action's fields or of sessions skip them."""
    search.index_formations([formation_pk])
    themes.refresh_derived_themes([formation_pk])


def _changed_labels(changes):
    return ", ".join(LABELS.get(name, name) for name in changes)


def _session_note(session):
    start = format_date(session.start_date, session.start_precision)
    end = format_date(session.end_date, session.end_precision)
    if start and end and start != end:
        return f"Session du {start} au {end}"
    if start:
        return f"Session du {start}" if session.start_precision == DatePrecision.DAY else f"Session en {start}"
    return "Session sans date"


def _offer_values(formation, action):
    return {**_values(formation, FORMATION_FIELDS), **_values(action, ACTION_FIELDS)}


@transaction.atomic
def create_offer(provider, user, formation_fields, action_fields, session_fields=None, answers_theme=""):
    """A new offer of `provider` entered on the platform: its formation, its action and, if given, its first
    session. `answers_theme`: the programme theme of the uncovered need the offer is proposed for (from the needs
    register), which the offer then carries whatever the rules derive. Returns the formation."""
    formation = Formation(provider=provider, source=MANUAL_SOURCE, source_id=_new_source_id(), updated_by=_who(user))
    action = Action(source_id=_new_source_id())
    _assign(formation, FORMATION_FIELDS, formation_fields)
    _assign(action, ACTION_FIELDS, action_fields)
    errors = offer_errors(_offer_values(formation, action))
    session, cancelled = None, False
    if session_fields:
        session, cancelled = _new_session(session_fields, user)
        errors.update(session_errors(_values(session, SESSION_DATA_FIELDS)))
    _raise(errors)

    _place_of(action)
    formation.save()
    action.formation = formation
    action.save()
    read = _Reader()
    after = {name: value for name, value in _offer_values(formation, action).items() if _is_set(value)}
    _record(
        formation,
        user,
        OfferChangeAction.CREATED,
        _diff({}, after, read),
        note=f"Offre créée sur la plateforme pour {provider}",
    )
    if session is not None:
        _save_new_session(session, action, cancelled, user, read)
    _after_write(formation.pk)
    if answers_theme:
        _answer_need(formation, answers_theme, user)
    return formation


def _answer_need(formation, theme, user):
    """Tag a new offer with the theme of the uncovered need it answers, if the rules did not (as chosen themes: the
    rules no longer change them; a coordinator can give them back to the rules)."""
    derived = set(formation.themes.values_list("theme", flat=True))
    if theme not in derived:
        note = f"Offre proposée en réponse au besoin non couvert « {ProgrammeTheme(theme).label} »"
        themes.choose_themes(formation, derived | {theme}, user=user, note=note)


@transaction.atomic
def update_offer(formation, user, formation_fields, action_fields, action=None):
    """Change an offer's formation and one of its actions (the first one unless `action` is given; one is created
    if the offer has none). Returns the list of changed fields (empty: nothing was written)."""
    formation = Formation.objects.select_for_update().get(pk=formation.pk)
    if action is not None:
        action = Action.objects.select_related("commune").get(pk=action.pk, formation=formation)
    else:
        action = formation.actions.select_related("commune").order_by("pk").first()
    if action is None:
        action = Action(formation=formation, source_id=_new_source_id())
    before = _offer_values(formation, action)
    _assign(formation, FORMATION_FIELDS, formation_fields)
    _assign(action, ACTION_FIELDS, action_fields)
    after = _offer_values(formation, action)
    _raise(offer_errors(after))

    changes = _diff(before, after, _Reader())
    if not changes and action.pk is not None:
        return []
    place_changed = "commune" in changes or action.pk is None
    if place_changed:
        _place_of(action)
    formation.updated_by = _who(user)
    formation.save()
    action.save()
    if place_changed:
        # Sessions carry their action's place, for distance search.
        action.sessions.update(
            commune=action.commune, latitude=action.latitude, longitude=action.longitude, updated_at=timezone.now()
        )
    note = f"Modifié : {_changed_labels(changes)}" if changes else "Action ajoutée"
    if formation.source != MANUAL_SOURCE:
        note += f" (offre importée du flux « {formation.source} »)"
    _record(formation, user, OfferChangeAction.UPDATED, changes, note=note)
    if changes.keys() & set(FORMATION_FIELDS):
        _after_write(formation.pk)
    return list(changes)


def _new_session(fields, user):
    """An unsaved session with `fields`, and whether it is entered as cancelled."""
    fields = dict(fields)
    cancelled = bool(fields.pop("cancelled", False))
    session = Session(source_id=_new_source_id(), updated_by=_who(user))
    _assign(session, SESSION_DATA_FIELDS, fields)
    session.recruitment_state = session.recruitment_state or RecruitmentState.OPEN
    return session, cancelled


def _save_new_session(session, action, cancelled, user, read):
    session.action = action
    session.commune = action.commune
    session.latitude = action.latitude
    session.longitude = action.longitude
    session.closed_at = timezone.now() if cancelled else None
    session.save()
    values = {**_values(session, SESSION_DATA_FIELDS), "cancelled": cancelled}
    after = {name: value for name, value in values.items() if _is_set(value)}
    note = _session_note(session) + (" (annulée)" if cancelled else "")
    _record(action.formation, user, OfferChangeAction.SESSION_ADDED, _diff({}, after, read), note=note)
    return session


@transaction.atomic
def add_session(action, user, fields):
    """A new session of `action`, at the action's place. `fields`: start_date, end_date, recruitment_state,
    cancelled. Returns the session."""
    Formation.objects.select_for_update().filter(pk=action.formation_id).first()
    action = Action.objects.select_related("formation", "commune").get(pk=action.pk)
    session, cancelled = _new_session(fields, user)
    _raise(session_errors(_values(session, SESSION_DATA_FIELDS)))
    return _save_new_session(session, action, cancelled, user, _Reader())


@transaction.atomic
def update_session(session, user, fields):
    """Change a session's dates and recruitment state; `cancelled` True cancels it (it is closed, never deleted),
    False brings it back. Returns the list of changed fields."""
    Formation.objects.select_for_update().filter(pk=session.formation_id).first()
    session = Session.objects.select_related("action__formation").get(pk=session.pk)
    before = {**_values(session, SESSION_DATA_FIELDS), "cancelled": session.closed_at is not None}
    precisions_before = (session.start_precision, session.end_precision)
    fields = dict(fields)
    cancelled = bool(fields.pop("cancelled", before["cancelled"]))
    _assign(session, SESSION_DATA_FIELDS, fields)
    session.recruitment_state = session.recruitment_state or before["recruitment_state"]
    # A date typed on the platform is a whole date: its precision becomes the day.
    if session.start_date != before["start_date"]:
        session.start_precision = DatePrecision.DAY
    if session.end_date != before["end_date"]:
        session.end_precision = DatePrecision.DAY
    after = {**_values(session, SESSION_DATA_FIELDS), "cancelled": cancelled}
    _raise(session_errors(after))

    precisions = {
        "start_date": (precisions_before[0], session.start_precision),
        "end_date": (precisions_before[1], session.end_precision),
    }
    changes = _diff(before, after, _Reader(), precisions)
    if not changes:
        return []
    if cancelled != before["cancelled"]:
        session.closed_at = timezone.now() if cancelled else None
    session.updated_by = _who(user)
    session.save()
    note = _session_note(session)
    if "cancelled" in changes:
        note += " annulée" if cancelled else " rétablie"
    _record(session.action.formation, user, OfferChangeAction.SESSION_UPDATED, changes, note=note)
    return list(changes)
