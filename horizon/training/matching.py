"""From a structure's diagnosed needs to training offers near it, ranked, each with the reasons people read.

The ranking is pure (`rank`, `by_theme`, `spread`): it takes the structure's needs (programme themes), its OPCO and
candidate offers as plain data, and is table-tested without the database. An offer is suggested only if it answers
at least one need and can be reached: held within the radius of the structure, or followed entirely at a distance.
Its score adds up, with the weights below:

- THEME_WEIGHT for the first need it answers (more than all the other points together: relevance comes first; an
  offer that answers no need is never suggested), EXTRA_THEME_WEIGHT for each further need it answers (more than
  any other single criterion);
- DISTANCE_WEIGHT at the structure's door, falling linearly to 0 at the radius; an offer followed entirely at a
  distance gets REMOTE_WEIGHT (as good as an offer about a third of the radius away);
- SOON_WEIGHT for a session one may join now, falling linearly to 0 at SOON_HORIZON_DAYS; a session with no date
  yet gets nothing;
- OPCO_WEIGHT when the OPCO is among the funders (what an ESS employer's training plan relies on), CPF_WEIGHT when
  it is eligible to the CPF, QUALIOPI_WEIGHT when the provider is certified Qualiopi (a condition of public and
  mutual funding), CERTIFYING_WEIGHT when the formation leads to a certification.

Ties go to the sooner session, then the nearer place, then the title. One suggestion per formation: its best action.

`suggestions_for` and `suggestions_by_structure` gather the candidates from the database in a constant number of
queries: the joinable sessions (the catalogue's rule, `available_q`) of open formations tagged with a needed theme,
held in the bounding box of the radius around the structures, or at a distance; exact distances are computed here.
"""

import datetime
import math
from dataclasses import dataclass, field

from horizon.programmes.enums import ProgrammeTheme
from horizon.territories.geo import bounding_box, haversine_km

from .enums import DatePrecision, Modality

THEME_WEIGHT = 100
EXTRA_THEME_WEIGHT = 40
DISTANCE_WEIGHT = 30
REMOTE_WEIGHT = 20
SOON_WEIGHT = 20
SOON_HORIZON_DAYS = 180
OPCO_WEIGHT = 15
CPF_WEIGHT = 5
QUALIOPI_WEIGHT = 10
CERTIFYING_WEIGHT = 5

PER_THEME = 5  # suggestions kept per need, so that one need does not crowd out the others
SUGGESTIONS_LIMIT = 6  # suggestions shown on a diagnostic's restitution
DEFAULT_RADIUS_KM = 50
OPCO_FUNDER = "16"  # dict-financeurs: OPCO

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


@dataclass(frozen=True)
class Candidate:
    """An offer as the ranking sees it: a formation's action, with its next joinable session's date and the
    distance of its nearest session (None when followed at a distance)."""

    formation_id: int
    title: str
    themes: frozenset
    modality: str = Modality.ON_SITE
    next_start: datetime.date | None = None
    start_precision: str = DatePrecision.DAY
    distance_km: float | None = None
    provider: str = ""
    certifying: bool = False
    qualiopi: bool = False
    funders: frozenset = frozenset()
    cpf_eligible: bool = False


@dataclass(frozen=True)
class Suggestion:
    candidate: Candidate
    themes: tuple  # the needs it answers, in the needs' order
    score: int
    reasons: tuple = field(default=())

    @property
    def formation_id(self):
        return self.candidate.formation_id

    @property
    def title(self):
        return self.candidate.title

    @property
    def provider(self):
        return self.candidate.provider


def theme_label(theme):
    return ProgrammeTheme(theme).label if theme in ProgrammeTheme.values else theme


def french_date(value, precision=DatePrecision.DAY):
    """ "3 mars 2027", "1er mars 2027", "mars 2027" (month known only), "2027"."""
    if precision == DatePrecision.YEAR:
        return str(value.year)
    month = f"{MONTHS[value.month - 1]} {value.year}"
    if precision == DatePrecision.MONTH:
        return month
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {month}"


def _linear(weight, value, limit):
    """`weight` at 0, falling linearly to 0 at `limit`, rounded to a whole point."""
    if limit <= 0:
        return 0
    return round(weight * max(0.0, 1 - value / limit))


def _place(candidate, radius_km):
    """(points, reason) of where the offer is held, or None when the structure cannot reach it."""
    if candidate.modality == Modality.DISTANCE:
        return REMOTE_WEIGHT, "À distance : sans déplacement"
    distance = candidate.distance_km
    if distance is None or distance > radius_km:
        return None
    shown = "moins de 1 km" if distance < 1 else f"{round(distance)} km"
    return _linear(DISTANCE_WEIGHT, distance, radius_km), f"À {shown} de votre structure"


def _date(candidate, today):
    start = candidate.next_start
    if start is None:
        return 0, "Dates à venir"
    if start <= today:
        return SOON_WEIGHT, "Entrée possible dès maintenant"
    points = _linear(SOON_WEIGHT, (start - today).days, SOON_HORIZON_DAYS)
    if candidate.start_precision == DatePrecision.DAY:
        return points, f"Prochaine session le {french_date(start)}"
    return points, f"Prochaine session en {french_date(start, candidate.start_precision)}"


def score(candidate, needs, today, opco="", radius_km=DEFAULT_RADIUS_KM):
    """The Suggestion of a candidate for a structure with these needs, or None if it answers none or is too far."""
    answered = tuple(theme for theme in needs if theme in candidate.themes)
    if not answered:
        return None
    place = _place(candidate, radius_km)
    if place is None:
        return None
    labels = [theme_label(theme) for theme in answered]
    if len(labels) == 1:
        reasons = [f"Répond à votre besoin : {labels[0]}"]
    else:
        reasons = [f"Répond à vos besoins : {', '.join(labels[:-1])} et {labels[-1]}"]
    points = THEME_WEIGHT + EXTRA_THEME_WEIGHT * (len(answered) - 1)
    for extra, reason in (place, _date(candidate, today)):
        points += extra
        reasons.append(reason)
    if OPCO_FUNDER in candidate.funders:
        points += OPCO_WEIGHT
        reasons.append(f"Finançable par votre OPCO ({opco})" if opco else "Finançable par un OPCO")
    if candidate.cpf_eligible:
        points += CPF_WEIGHT
        reasons.append("Éligible au CPF")
    if candidate.qualiopi:
        points += QUALIOPI_WEIGHT
        reasons.append("Organisme certifié Qualiopi")
    if candidate.certifying:
        points += CERTIFYING_WEIGHT
        reasons.append("Formation certifiante")
    return Suggestion(candidate=candidate, themes=answered, score=points, reasons=tuple(reasons))


def _order(suggestion):
    candidate = suggestion.candidate
    return (
        -suggestion.score,
        candidate.next_start or datetime.date.max,
        math.inf if candidate.distance_km is None else candidate.distance_km,
        candidate.title.casefold(),
        candidate.formation_id,
    )


def rank(needs, candidates, today, opco="", radius_km=DEFAULT_RADIUS_KM):
    """The suggestions for a structure with these needs (programme themes, in the order to show them), best first,
    one per formation (its best action)."""
    needs = tuple(dict.fromkeys(needs))
    scored = (score(candidate, needs, today, opco, radius_km) for candidate in candidates)
    ranked = sorted((suggestion for suggestion in scored if suggestion is not None), key=_order)
    seen, result = set(), []
    for suggestion in ranked:
        if suggestion.formation_id not in seen:
            seen.add(suggestion.formation_id)
            result.append(suggestion)
    return result


def by_theme(needs, suggestions, per_theme=PER_THEME):
    """[(need, its best `per_theme` suggestions)] in the needs' order; an offer that answers two needs is in both."""
    return [
        (theme, [suggestion for suggestion in suggestions if theme in suggestion.themes][:per_theme])
        for theme in dict.fromkeys(needs)
    ]


def spread(needs, suggestions, limit, per_theme=PER_THEME):
    """At most `limit` ranked suggestions taken in turn from each need's best ones, so that every need gets its
    share before one need gets a second; shown in rank order."""
    groups = [group for _, group in by_theme(needs, suggestions, per_theme)]
    chosen = set()
    for turn in range(per_theme):
        for group in groups:
            if len(chosen) >= limit:
                break
            if turn < len(group):
                chosen.add(group[turn].formation_id)
    return [suggestion for suggestion in suggestions if suggestion.formation_id in chosen]


# --- From the database ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    latitude: float
    longitude: float


def origin_of(structure):
    """Where distances are measured from: the structure's own point, else its commune's; None if neither is known."""
    if structure.latitude is not None and structure.longitude is not None:
        return Origin(structure.latitude, structure.longitude)
    commune = structure.commune if structure.commune_id else None
    if commune is not None and commune.latitude is not None and commune.longitude is not None:
        return Origin(commune.latitude, commune.longitude)
    return None


def radius_km():
    from django.conf import settings

    return getattr(settings, "MATCHING_RADIUS_KM", DEFAULT_RADIUS_KM)


_ROW_FIELDS = (
    "formation_id",
    "formation__themes__theme",
    "action_id",
    "start_date",
    "start_precision",
    "point_latitude",
    "point_longitude",
    "action__modality",
    "action__funders",
    "action__cpf_eligible",
    "formation__title",
    "formation__certifying",
    "formation__provider__name",
    "formation__provider__qualiopi",
)


def _session_rows(origins, themes, today, radius):
    """One query: the joinable sessions of open formations tagged with one of `themes` (a list or a subquery of
    theme codes), held in the bounding box of the radius around one of the origins, or followed at a distance; one
    row per session and tagged theme among `themes`."""
    from django.db.models import Q
    from django.db.models.functions import Coalesce

    from .availability import available_sessions

    place = Q(action__modality=Modality.DISTANCE)
    for origin in origins:
        min_lat, max_lat, min_lon, max_lon = bounding_box(origin.latitude, origin.longitude, radius)
        place |= Q(point_latitude__range=(min_lat, max_lat), point_longitude__range=(min_lon, max_lon))
    sessions = (
        available_sessions(today)
        .annotate(
            point_latitude=Coalesce("latitude", "commune__latitude"),
            point_longitude=Coalesce("longitude", "commune__longitude"),
        )
        .filter(place, formation__closed_at__isnull=True, formation__themes__theme__in=themes)
    )
    # values_list() reuses the join of the theme filter: the theme given is the tagged theme that matched.
    return list(sessions.order_by().values_list(*_ROW_FIELDS))


def _candidates(rows, origin, themes, radius):
    """Candidates (one per action) from session rows, for a structure at `origin` with needs `themes`."""
    actions = {}
    for (
        formation_id,
        theme,
        action_id,
        start,
        precision,
        latitude,
        longitude,
        modality,
        funders,
        cpf,
        title,
        certifying,
        provider,
        qualiopi,
    ) in rows:
        if theme not in themes:
            continue
        distance = None
        if modality != Modality.DISTANCE:
            if origin is None or latitude is None or longitude is None:
                continue
            distance = haversine_km(origin.latitude, origin.longitude, latitude, longitude)
            if distance > radius:
                continue
        entry = actions.get(action_id)
        if entry is None:
            entry = actions[action_id] = {
                "formation_id": formation_id,
                "title": title,
                "themes": set(),
                "modality": modality,
                "next_start": None,
                "start_precision": precision,
                "distance_km": distance,
                "provider": provider,
                "certifying": certifying,
                "qualiopi": qualiopi,
                "funders": frozenset(funders or ()),
                "cpf_eligible": cpf,
            }
        entry["themes"].add(theme)
        if start is not None and (entry["next_start"] is None or start < entry["next_start"]):
            entry["next_start"], entry["start_precision"] = start, precision
        if distance is not None and (entry["distance_km"] is None or distance < entry["distance_km"]):
            entry["distance_km"] = distance
    return [Candidate(**{**entry, "themes": frozenset(entry["themes"])}) for entry in actions.values()]


def _in_programme_order(themes):
    order = {theme: index for index, theme in enumerate(ProgrammeTheme.values)}
    return sorted(set(themes), key=lambda theme: (order.get(theme, len(order)), theme))


def suggestions_for(structure, today, limit=SUGGESTIONS_LIMIT, response=None, per_theme=PER_THEME):
    """The best suggestions (at most `limit`, shared among the needs) for the needs of `response` (a submitted
    diagnostic), or else of the structure's current needs. One query (two if the structure's commune is not
    loaded), whatever the number of needs and offers."""
    from horizon.diagnostics.models import Need

    needs = Need.objects.filter(response=response) if response is not None else Need.objects.current()
    needs = needs.filter(structure=structure).values("theme")
    radius = radius_km()
    origin = origin_of(structure)
    rows = _session_rows([origin] if origin else [], needs, today, radius)
    # The needs with an offer are in the rows; the others have nothing to share.
    themes = _in_programme_order(row[1] for row in rows)
    candidates = _candidates(rows, origin, set(themes), radius)
    ranked = rank(themes, candidates, today, structure.opco, radius)
    return spread(themes, ranked, limit, per_theme)


@dataclass(frozen=True)
class StructureSuggestions:
    structure: object
    located: bool  # whether offers near it could be looked for (else only those at a distance)
    themes: tuple  # (theme, label, [suggestions]) per current need, in the programme's order

    @property
    def count(self):
        return len({suggestion.formation_id for _, _, group in self.themes for suggestion in group})


def suggestions_by_structure(structures, today, per_theme=PER_THEME):
    """{structure pk: StructureSuggestions} for the structures that have current needs, grouped by need. Two queries
    (the needs, then the sessions around all the structures at once), whatever the number of structures."""
    from horizon.diagnostics.models import Need

    structures = list(structures)
    needs = {}
    for structure_id, theme in (
        Need.objects.current().filter(structure__in=structures).values_list("structure_id", "theme")
    ):
        needs.setdefault(structure_id, []).append(theme)
    if not needs:
        return {}
    radius = radius_km()
    origins = {structure.pk: origin_of(structure) for structure in structures if structure.pk in needs}
    all_themes = sorted({theme for themes in needs.values() for theme in themes})
    rows = _session_rows([origin for origin in origins.values() if origin], all_themes, today, radius)
    result = {}
    for structure in structures:
        if structure.pk not in needs:
            continue
        themes = _in_programme_order(needs[structure.pk])
        origin = origins[structure.pk]
        ranked = rank(themes, _candidates(rows, origin, set(themes), radius), today, structure.opco, radius)
        result[structure.pk] = StructureSuggestions(
            structure=structure,
            located=origin is not None,
            themes=tuple((theme, theme_label(theme), group) for theme, group in by_theme(themes, ranked, per_theme)),
        )
    return result
