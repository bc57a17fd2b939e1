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

`suggestions_for` and `suggestions_by_structure` gather the candidates from the database in five queries, whatever
the number of needs, structures and offers, reading only the offers that may rank among a need's PER_THEME best.
What they read are the joinable sessions (the catalogue's rule, `available_sessions`) of open formations tagged with
a need, held in the bounding box of the radius around the structures or followed at a distance, one row per action
and place: the soonest session of each date precision and the needs its formation answers (exact distances are
computed here). In turn:

1. the needs;
2. a first look at the sessions starting within FIRST_LOOK_DAYS gives each need a bar, the score of its PER_THEME-th
   best formation there: an offer's other sessions can only bring its date sooner and its place nearer, so the
   formations shown for the need score at least that much (a need with fewer formations there gets no bar);
3. the formations that answer enough needs to reach a bar of theirs, had they every other weight at its best;
4. among their actions, those that may reach it, given their funding, their quality and their soonest session, with
   their place at its best (`_best_points`);
5. all the sessions of these actions, from which `rank` keeps the best, writing reasons for those it keeps only.
"""

import datetime
import json
import math
from dataclasses import dataclass, field

from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    CharField,
    Count,
    F,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from horizon.programmes.enums import ProgrammeTheme
from horizon.territories.geo import bounding_box, haversine_km

from .dates import french_date
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
FIRST_LOOK_DAYS = datetime.timedelta(days=21)  # the first look at the offers reads the sessions starting this soon
BEST_EXTRAS = (  # the most points an offer can get besides those of the needs it answers
    max(DISTANCE_WEIGHT, REMOTE_WEIGHT) + SOON_WEIGHT + OPCO_WEIGHT + CPF_WEIGHT + QUALIOPI_WEIGHT + CERTIFYING_WEIGHT
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


_THEME_LABELS = dict(ProgrammeTheme.choices)


def theme_label(theme):
    return _THEME_LABELS.get(theme, theme)


def _linear(weight, value, limit):
    """`weight` at 0, falling linearly to 0 at `limit`, rounded to a whole point."""
    if limit <= 0:
        return 0
    return round(weight * max(0.0, 1 - value / limit))


def _place_points(candidate, radius_km):
    """The points of where the offer is held, or None when the structure cannot reach it."""
    if candidate.modality == Modality.DISTANCE:
        return REMOTE_WEIGHT
    distance = candidate.distance_km
    if distance is None or distance > radius_km:
        return None
    return _linear(DISTANCE_WEIGHT, distance, radius_km)


def _place(candidate, radius_km):
    """(points, reason) of where the offer is held, or None when the structure cannot reach it."""
    points = _place_points(candidate, radius_km)
    if points is None:
        return None
    if candidate.modality == Modality.DISTANCE:
        return points, "À distance : sans déplacement"
    distance = candidate.distance_km
    shown = "moins de 1 km" if distance < 1 else f"{round(distance)} km"
    return points, f"À {shown} de votre structure"


def _date_points(candidate, today):
    start = candidate.next_start
    if start is None:
        return 0
    if start <= today:
        return SOON_WEIGHT
    return _linear(SOON_WEIGHT, (start - today).days, SOON_HORIZON_DAYS)


def _date(candidate, today):
    start, points = candidate.next_start, _date_points(candidate, today)
    if start is None:
        return points, "Dates à venir"
    if start <= today:
        return points, "Entrée possible dès maintenant"
    if candidate.start_precision == DatePrecision.DAY:
        return points, f"Prochaine session le {french_date(start)}"
    return points, f"Prochaine session en {french_date(start, candidate.start_precision)}"


def _extras(candidate, opco):
    """[(points, reason)] of what makes the offer easier to fund and to trust."""
    extras = []
    if OPCO_FUNDER in candidate.funders:
        extras.append((OPCO_WEIGHT, f"Finançable par votre OPCO ({opco})" if opco else "Finançable par un OPCO"))
    if candidate.cpf_eligible:
        extras.append((CPF_WEIGHT, "Éligible au CPF"))
    if candidate.qualiopi:
        extras.append((QUALIOPI_WEIGHT, "Organisme certifié Qualiopi"))
    if candidate.certifying:
        extras.append((CERTIFYING_WEIGHT, "Formation certifiante"))
    return extras


def _theme_points(answered):
    return THEME_WEIGHT + EXTRA_THEME_WEIGHT * (answered - 1)


def points(candidate, needs, today, radius_km=DEFAULT_RADIUS_KM):
    """The score `score` gives a candidate, without writing its reasons (None likewise): to rank many candidates."""
    answered = sum(theme in candidate.themes for theme in needs)
    place = _place_points(candidate, radius_km) if answered else None
    if place is None:
        return None
    extras = sum(weight for weight, _ in _extras(candidate, ""))
    return _theme_points(answered) + place + _date_points(candidate, today) + extras


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
    points = _theme_points(len(answered))
    for extra, reason in (place, _date(candidate, today), *_extras(candidate, opco)):
        points += extra
        reasons.append(reason)
    return Suggestion(candidate=candidate, themes=answered, score=points, reasons=tuple(reasons))


def _key(points, candidate):
    """What ranks candidates: the score, then the sooner session, the nearer place, the title."""
    return (
        -points,
        candidate.next_start or datetime.date.max,
        math.inf if candidate.distance_km is None else candidate.distance_km,
        candidate.title.casefold(),
        candidate.formation_id,
    )


def _order(suggestion):
    return _key(suggestion.score, suggestion.candidate)


def rank(needs, candidates, today, opco="", radius_km=DEFAULT_RADIUS_KM, per_theme=None):
    """The suggestions for a structure with these needs (programme themes, in the order to show them), best first,
    one per formation (its best action). With `per_theme`, only those `by_theme` keeps with it (the best `per_theme`
    of each need), which spares writing the reasons of the others."""
    needs = tuple(dict.fromkeys(needs))
    if per_theme is not None:
        candidates = _contenders(needs, candidates, today, radius_km, per_theme)
    scored = (score(candidate, needs, today, opco, radius_km) for candidate in candidates)
    ranked = sorted((suggestion for suggestion in scored if suggestion is not None), key=_order)
    seen, result = set(), []
    for suggestion in ranked:
        if suggestion.formation_id not in seen:
            seen.add(suggestion.formation_id)
            result.append(suggestion)
    return result


def _contenders(needs, candidates, today, radius_km, per_theme):
    """The best action of each formation that is among the best `per_theme` formations of one of the needs, ranked
    on `points` alone."""
    keyed = []
    for candidate in candidates:
        value = points(candidate, needs, today, radius_km)
        if value is not None:
            keyed.append((_key(value, candidate), candidate))
    keyed.sort(key=lambda pair: pair[0])
    seen, counts, kept = set(), dict.fromkeys(needs, 0), []
    for _, candidate in keyed:
        if candidate.formation_id in seen:
            continue
        seen.add(candidate.formation_id)
        answered = [theme for theme in needs if theme in candidate.themes]
        if any(counts[theme] < per_theme for theme in answered):
            kept.append(candidate)
        for theme in answered:
            counts[theme] += 1
    return kept


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


class _Joined(Aggregate):
    """The values of a group of rows, comma-separated (for theme codes, which hold no comma)."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "%(function)s(%(expressions)s, ',')"
        return self.as_sql(compiler, connection, function="STRING_AGG", template=template, **extra_context)


class _PerGroup(Subquery):
    """A subquery on grouped columns only, in a grouped query: read once for each group, not grouped on."""

    def get_group_by_cols(self):
        return []


class _Among(Func):
    """The condition that a column holds one of `ids`, with the ids in one parameter (an array on PostgreSQL, a JSON
    list on SQLite) rather than one each: a list of thousands of ids costs more to send than to read."""

    output_field = BooleanField()

    def __init__(self, column, ids):
        super().__init__(F(column))
        self.ids = list(ids)

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        return f"{column} = ANY(%s)", (*params, self.ids)

    def as_sqlite(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        return f"{column} IN (SELECT value FROM json_each(%s))", (*params, json.dumps(self.ids))

    def as_sql(self, compiler, connection, **extra_context):
        raise NotImplementedError(f"Lists of ids are not written for {connection.vendor}.")


_ROW_FIELDS = (
    "action_id",
    "point_latitude",
    "point_longitude",
    "formation_id",
    "action__modality",
    "action__funders",
    "action__cpf_eligible",
    "formation__title",
    "formation__certifying",
    "formation__provider__name",
    "formation__provider__qualiopi",
)
_PRECISIONS = tuple(DatePrecision.values)  # most precise first
_FIRSTS = tuple(f"first_{precision}" for precision in _PRECISIONS)


def _tagged(themes):
    """The formations tagged with one of `themes`, as a subquery."""
    from .models import FormationTheme

    return FormationTheme.objects.filter(theme__in=themes).values("formation_id")


def _sessions(origins, today, radius, only):
    """The joinable sessions (`available_sessions`, the catalogue's rule) of open formations, held in the bounding
    box of the radius around one of the origins or followed at a distance, that meet the condition `only`; with the
    point where they are held."""
    from .availability import available_sessions

    place = Q(action__modality=Modality.DISTANCE)
    for origin in origins:
        min_lat, max_lat, min_lon, max_lon = bounding_box(origin.latitude, origin.longitude, radius)
        place |= Q(point_latitude__range=(min_lat, max_lat), point_longitude__range=(min_lon, max_lon))
    return (
        available_sessions(today)
        .annotate(
            point_latitude=Coalesce("latitude", "commune__latitude"),
            point_longitude=Coalesce("longitude", "commune__longitude"),
        )
        .filter(place, only, formation__closed_at__isnull=True)
        .order_by()
    )


def _rows(origins, themes, today, radius, only):
    """One query: the sessions of `_sessions`, one row per action and place, with the soonest of these sessions for
    each date precision and the themes among `themes` its formation is tagged with."""
    from .models import FormationTheme

    firsts = {
        name: Min("start_date", filter=Q(start_precision=precision))
        for name, precision in zip(_FIRSTS, _PRECISIONS, strict=True)
    }
    # The formation's themes, read once for each row of the result.
    themes_of = (
        FormationTheme.objects.filter(formation=OuterRef("formation_id"), theme__in=themes)
        .values("formation")
        .values(joined=_Joined("theme"))
    )
    return list(
        _sessions(origins, today, radius, only)
        .values(*_ROW_FIELDS)
        .annotate(**firsts, tagged=_PerGroup(themes_of))
        .values_list(*_ROW_FIELDS, *_FIRSTS, "tagged")
    )


def _candidates(rows, origin, themes, radius):
    """Candidates (one per action) from the rows of `_rows`, for a structure at `origin` with needs `themes`: the
    soonest of its sessions within the radius (or at a distance), and the nearest of their places."""
    actions = {}
    for (
        action_id,
        latitude,
        longitude,
        formation_id,
        modality,
        funders,
        cpf,
        title,
        certifying,
        provider,
        qualiopi,
        *firsts,
        tagged,
    ) in rows:
        answered = themes.intersection(tagged.split(","))
        if not answered:
            continue
        distance = None
        if modality != Modality.DISTANCE:
            if origin is None or latitude is None or longitude is None:
                continue
            distance = haversine_km(origin.latitude, origin.longitude, latitude, longitude)
            if distance > radius:
                continue
        # The soonest date with the index of its precision: the most precise one on the same day.
        soonest = min(((start, index) for index, start in enumerate(firsts) if start is not None), default=None)
        entry = actions.get(action_id)
        if entry is None:
            actions[action_id] = entry = {
                "formation_id": formation_id,
                "title": title,
                "themes": frozenset(answered),
                "modality": modality,
                "soonest": soonest,
                "distance_km": distance,
                "provider": provider,
                "certifying": certifying,
                "qualiopi": qualiopi,
                "funders": frozenset(funders or ()),
                "cpf_eligible": cpf,
            }
        if soonest is not None and (entry["soonest"] is None or soonest < entry["soonest"]):
            entry["soonest"] = soonest
        if distance is not None and (entry["distance_km"] is None or distance < entry["distance_km"]):
            entry["distance_km"] = distance
    candidates = []
    for entry in actions.values():
        start, precision = entry.pop("soonest") or (None, 0)
        candidates.append(Candidate(**entry, next_start=start, start_precision=_PRECISIONS[precision]))
    return candidates


def _first_look(origins, themes, today, radius):
    """The rows of `_rows` for the sessions starting within FIRST_LOOK_DAYS only: what they say of an offer (its date,
    its place) can only be improved by its other sessions, so its score there is a floor of its score."""
    soon = Q(formation_id__in=_tagged(themes), start_date__range=(today, today + FIRST_LOOK_DAYS))
    return _rows(origins, themes, today, radius, soon)


def _bars(needs, candidates, today, radius, per_theme):
    """{need: the score of its `per_theme`-th best formation among the candidates of the first look, 0 if it has
    fewer}: the formations shown for the need score at least that much."""
    ranked = rank(needs, candidates, today, "", radius, per_theme)
    return {
        theme: group[-1].score if per_theme and len(group) == per_theme else 0
        for theme, group in by_theme(needs, ranked, per_theme)
    }


def _soon_points(today):
    """The points `score` gives for the start of a session (SOON_WEIGHT down to 0), as an SQL expression."""
    steps, last = [When(start_date__lte=today, then=Value(SOON_WEIGHT))], SOON_WEIGHT
    for days in range(1, SOON_HORIZON_DAYS + 1):
        points = _linear(SOON_WEIGHT, days, SOON_HORIZON_DAYS)
        if points < last:  # the day before was the last one with `last` points
            steps.append(When(start_date__lte=today + datetime.timedelta(days=days - 1), then=Value(last)))
            last = points
    return Case(*steps, default=Value(0))


def _best_points(today):
    """The points `score` would give an action for all but its themes if this session were its soonest one and it
    were held at the structure's door, as an SQL expression: their most over the action's sessions is a ceiling."""
    points = Case(When(action__modality=Modality.DISTANCE, then=Value(REMOTE_WEIGHT)), default=Value(DISTANCE_WEIGHT))
    points += _soon_points(today)
    for condition, weight in (
        (Q(action__funders__icontains=f'"{OPCO_FUNDER}"'), OPCO_WEIGHT),  # in the JSON list of codes
        (Q(action__cpf_eligible=True), CPF_WEIGHT),
        (Q(formation__provider__qualiopi=True), QUALIOPI_WEIGHT),
        (Q(formation__certifying=True), CERTIFYING_WEIGHT),
    ):
        points += Case(When(condition, then=Value(weight)), default=Value(0))
    return points


def _may_reach(origins, themes, today, radius, bars):
    """The condition on sessions that their action may reach the bar of a need it answers: the points of the needs
    its formation answers, plus its `_best_points`. Two queries, whose results are passed on as lists of ids: the
    database plans better on them than on subqueries, whose size it cannot foresee."""
    from .models import FormationTheme

    def room(formations):
        """The points the actions of these formations need besides their themes to reach a bar."""
        bar = Min(Case(*(When(theme=theme, then=Value(value)) for theme, value in bars.items())))
        needs_points = THEME_WEIGHT - EXTRA_THEME_WEIGHT + EXTRA_THEME_WEIGHT * Count("pk")
        return formations.filter(theme__in=themes).values("formation_id").annotate(room=bar - needs_points)

    # The formations whose actions could reach a bar with every other weight at its best (BEST_EXTRAS), ...
    formations = list(
        room(FormationTheme.objects.all()).filter(room__lte=BEST_EXTRAS).values_list("formation_id", flat=True)
    )
    # ... and among their actions, those whose best points fill the room.
    room_of = room(FormationTheme.objects.filter(formation=OuterRef("formation_id"))).values("room")
    actions = list(
        _sessions(origins, today, radius, _Among("formation_id", formations))
        .values("action_id", "formation_id")
        .alias(best=Max(_best_points(today)))
        .filter(best__gte=_PerGroup(room_of))
        .values_list("action_id", flat=True)
    )
    return _Among("action_id", actions)


def _in_programme_order(themes):
    order = {theme: index for index, theme in enumerate(ProgrammeTheme.values)}
    return sorted(set(themes), key=lambda theme: (order.get(theme, len(order)), theme))


def suggestions_for(structure, today, limit=SUGGESTIONS_LIMIT, response=None, per_theme=PER_THEME):
    """The best suggestions (at most `limit`, shared among the needs) for the needs of `response` (a submitted
    diagnostic), or else of the structure's current needs. Five queries (six if the structure's commune is not
    loaded), whatever the number of needs and offers: see the module."""
    from horizon.diagnostics.models import Need

    needs = Need.objects.filter(response=response) if response is not None else Need.objects.current()
    needs = _in_programme_order(needs.filter(structure=structure).values_list("theme", flat=True))
    if not needs:
        return []
    radius = radius_km()
    origin = origin_of(structure)
    origins = [origin] if origin else []
    first = _candidates(_first_look(origins, needs, today, radius), origin, set(needs), radius)
    bars = _bars(needs, first, today, radius, per_theme)
    rows = _rows(origins, needs, today, radius, _may_reach(origins, needs, today, radius, bars))
    candidates = _candidates(rows, origin, set(needs), radius)
    ranked = rank(needs, candidates, today, structure.opco, radius, per_theme)
    return spread(needs, ranked, limit, per_theme)


@dataclass(frozen=True)
class StructureSuggestions:
    structure: object
    located: bool  # whether offers near it could be looked for (else only those at a distance)
    themes: tuple  # (theme, label, [suggestions]) per current need, in the programme's order

    @property
    def count(self):
        return len({suggestion.formation_id for _, _, group in self.themes for suggestion in group})


def suggestions_by_structure(structures, today, per_theme=PER_THEME):
    """{structure pk: StructureSuggestions} for the structures that have current needs, grouped by need. Five
    queries, whatever the number of structures, needs and offers: see the module; the offers around all the
    structures are read at once, and the bar of a need is the lowest among the structures that have it."""
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
    structures = [structure for structure in structures if structure.pk in needs]
    themes = {structure.pk: _in_programme_order(needs[structure.pk]) for structure in structures}
    origins = {structure.pk: origin_of(structure) for structure in structures}
    located = [origin for origin in origins.values() if origin]
    all_themes = _in_programme_order(theme for mine in themes.values() for theme in mine)
    first = _first_look(located, all_themes, today, radius)
    bars = dict.fromkeys(all_themes)
    for structure in structures:
        candidates = _candidates(first, origins[structure.pk], set(themes[structure.pk]), radius)
        for theme, bar in _bars(themes[structure.pk], candidates, today, radius, per_theme).items():
            bars[theme] = bar if bars[theme] is None else min(bars[theme], bar)
    rows = _rows(located, all_themes, today, radius, _may_reach(located, all_themes, today, radius, bars))
    result = {}
    for structure in structures:
        origin, mine = origins[structure.pk], themes[structure.pk]
        candidates = _candidates(rows, origin, set(mine), radius)
        ranked = rank(mine, candidates, today, structure.opco, radius, per_theme)
        result[structure.pk] = StructureSuggestions(
            structure=structure,
            located=origin is not None,
            themes=tuple((theme, theme_label(theme), group) for theme, group in by_theme(mine, ranked, per_theme)),
        )
    return result
