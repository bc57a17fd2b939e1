"""The restitution of a submitted HR diagnostic: what the page and the PDF show, as plain data.

Everything is read from the response's own version (`response.version.content`), never from the definitions
folder, so that an old diagnostic keeps the wording it was answered with. Per theme, in the definition's order:
its level (None: "non évalué"), what the level means, the next step (at the top level, how to keep it), whether
support is needed, financing routes and resources, and the change since the structure's previous diagnostic.
Then the strengths (level 3 and above, highest first), the axes de progrès (support needed or level 1 and below,
lowest first) and the needs found (the Need rows of the response, by programme theme).

The functions above `restitution_for` are pure (table-tested without the database); `restitution_for` reads a
response's results, its needs and the previous diagnostic in a fixed number of queries.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from horizon.programmes.enums import ProgrammeTheme
from horizon.questionnaires.models import Response

from .enums import DIAGNOSTIC_CODE

UP, DOWN, SAME, NEW, UNRATED = "up", "down", "same", "new", "unrated"
STRENGTH_FROM = 3  # a theme at this level or above is a strength
AXIS_UP_TO = 1  # a theme at this level or below is an axe de progrès, support asked for or not

UNKNOWN_MEANING = (
    "Ce thème n'a pas pu être évalué : les réponses données sont « Je ne sais pas ». Cela signale souvent un "
    "sujet que personne ne suit vraiment dans la structure."
)
UNKNOWN_NEXT_STEP = (
    "Rassemblez les informations qui vous ont manqué auprès des personnes qui les détiennent (direction, "
    "comptabilité, représentant·es du personnel, votre OPCO), puis faites le point sur ce thème ; l'équipe de "
    "coordination du programme peut vous y aider."
)
NOT_APPLICABLE_MEANING = "Ce thème n'a pas été évalué : d'après vos réponses, il ne s'applique pas à votre structure."
UNANSWERED_MEANING = "Ce thème n'a pas été évalué : aucune de ses questions notées n'a reçu de réponse."
UNANSWERED_NEXT_STEP = (
    "Répondez aux questions de ce thème lors de votre prochain diagnostic pour connaître votre niveau et la "
    "prochaine étape à franchir."
)


@dataclass(frozen=True)
class Entry:
    """A financing route or a resource: a name and what it offers."""

    label: str
    description: str


@dataclass(frozen=True)
class Delta:
    """How a theme moved since the previous diagnostic."""

    previous_level: int | None
    level: int | None
    change: str  # UP, DOWN, SAME, NEW (not rated before) or UNRATED (not rated now)

    @property
    def steps(self):
        """The number of levels gained (negative: lost), 0 when the levels cannot be compared."""
        if self.change in (UP, DOWN):
            return self.level - self.previous_level
        return 0

    @property
    def label(self):
        if self.change == UP:
            return f"En progression (+{self.steps})"
        if self.change == DOWN:
            return f"En recul (−{-self.steps})"
        if self.change == SAME:
            return "Stable"
        if self.change == NEW:
            return "Évalué pour la première fois"
        return "Non évalué cette fois"

    @property
    def previous_text(self):
        return "Non évalué" if self.previous_level is None else f"Niveau {self.previous_level}"


@dataclass(frozen=True)
class ThemeRestitution:
    code: str
    label: str
    intro: str
    level: int | None  # None: "non évalué"
    scale_max: int
    meaning: str
    next_step: str  # "" when there is nothing to do (a theme that does not apply)
    need_support: bool
    financing: tuple
    resources: tuple
    scored: int
    unknown: int
    not_applicable: int
    delta: Delta | None  # None when there is no previous diagnostic
    position: int  # in the definition, from 0

    @property
    def anchor(self):
        return f"theme-{self.code}"

    @property
    def is_rated(self):
        return self.level is not None

    @property
    def is_top(self):
        return self.level is not None and self.level >= self.scale_max

    @property
    def level_text(self):
        return "Non évalué" if self.level is None else f"Niveau {self.level} sur {self.scale_max}"

    @property
    def next_step_title(self):
        return "Pour garder ce niveau" if self.is_top else "Prochaine étape"

    @property
    def is_strength(self):
        return self.level is not None and self.level >= STRENGTH_FROM

    @property
    def is_axis(self):
        return self.need_support or (self.level is not None and self.level <= AXIS_UP_TO)

    @property
    def counts_text(self):
        """ "2 réponses « Je ne sais pas » · 1 réponse « Non applicable »", or "" when there were none."""
        parts = []
        if self.unknown:
            parts.append(f"{self.unknown} réponse{'s' if self.unknown > 1 else ''} « Je ne sais pas »")
        if self.not_applicable:
            plural = "s" if self.not_applicable > 1 else ""
            parts.append(f"{self.not_applicable} réponse{plural} « Non applicable »")
        return " · ".join(parts)


@dataclass(frozen=True)
class NeedItem:
    """A programme theme on which the structure needs support, and the diagnostic's themes that called for it."""

    theme: str
    label: str
    dimensions: tuple  # labels of the diagnostic's themes


@dataclass(frozen=True)
class PreviousDiagnostic:
    pk: int
    submitted_at: datetime
    version_number: int


@dataclass(frozen=True)
class Evolution:
    """The themes grouped by how they changed since the previous diagnostic."""

    up: tuple
    down: tuple
    same: tuple
    new: tuple
    unrated: tuple


@dataclass(frozen=True)
class Restitution:
    response_pk: int
    title: str
    structure_pk: int | None
    structure_name: str
    submitted_at: datetime
    submitted_by: str  # "" when the person no longer has an account
    version_number: int
    variant_label: str
    scale_min: int
    scale_max: int
    themes: tuple
    strengths: tuple
    axes: tuple
    needs: tuple
    previous: PreviousDiagnostic | None
    evolution: Evolution | None

    @property
    def heading(self):
        """ "Restitution du diagnostic RH" from the title "Diagnostic RH"."""
        return f"Restitution du {self.title[:1].lower()}{self.title[1:]}"


# --- Pure logic ----------------------------------------------------------------------------------------------


def compare(previous_level, level):
    """The change from `previous_level` to `level` (either may be None: not rated)."""
    if level is None:
        return UNRATED
    if previous_level is None:
        return NEW
    if level > previous_level:
        return UP
    if level < previous_level:
        return DOWN
    return SAME


def level_content(dimension, level, scale_max, unknown=0, not_applicable=0):
    """(meaning, next step) of a theme at `level`; for a theme not rated, why, and what to do about it."""
    if level is None:
        if unknown:
            return UNKNOWN_MEANING, UNKNOWN_NEXT_STEP
        if not_applicable:
            return NOT_APPLICABLE_MEANING, ""
        return UNANSWERED_MEANING, UNANSWERED_NEXT_STEP
    entries = {entry.get("level"): entry for entry in dimension.get("levels_content") or []}
    entry = entries.get(min(level, scale_max), {})
    return entry.get("meaning", ""), entry.get("next_step", "")


def _entries(items):
    return tuple(Entry(item["label"], item["description"]) for item in items or [])


def build_themes(definition, results, previous_results=None):
    """A ThemeRestitution per dimension of the definition, in its order.

    `results` maps dimension codes to objects with `level`, `need_support`, `scored`, `unknown`, `not_applicable`
    (DimensionResult rows or scoring.DimensionScore); `previous_results` ({code: level or None}) is None when
    there is no previous diagnostic.
    """
    scale_max = definition.get("levels", {"max": 4})["max"]
    themes = []
    for position, dimension in enumerate(definition.get("dimensions", [])):
        code = dimension["code"]
        result = results.get(code)
        level = getattr(result, "level", None)
        unknown = getattr(result, "unknown", 0)
        not_applicable = getattr(result, "not_applicable", 0)
        meaning, next_step = level_content(dimension, level, scale_max, unknown, not_applicable)
        delta = None
        if previous_results is not None:
            previous_level = previous_results.get(code)
            delta = Delta(previous_level, level, compare(previous_level, level))
        themes.append(
            ThemeRestitution(
                code=code,
                label=dimension.get("label", code),
                intro=dimension.get("intro", ""),
                level=level,
                scale_max=scale_max,
                meaning=meaning,
                next_step=next_step,
                need_support=bool(getattr(result, "need_support", False)),
                financing=_entries(dimension.get("financing")),
                resources=_entries(dimension.get("resources")),
                scored=getattr(result, "scored", 0),
                unknown=unknown,
                not_applicable=not_applicable,
                delta=delta,
                position=position,
            )
        )
    return tuple(themes)


def strengths(themes):
    """Themes at level 3 or above, highest first (the definition's order between equals)."""
    return tuple(sorted((t for t in themes if t.is_strength), key=lambda t: (-t.level, t.position)))


def progress_axes(themes):
    """Themes needing support or at level 1 or below, lowest first; those not rated come last."""
    return tuple(
        sorted(
            (t for t in themes if t.is_axis),
            key=lambda t: (t.level is None, t.level if t.level is not None else 0, t.position),
        )
    )


def evolution(themes):
    """The themes grouped by change, or None when there is no previous diagnostic."""
    if any(theme.delta is None for theme in themes):
        return None
    groups = {change: [] for change in (UP, DOWN, SAME, NEW, UNRATED)}
    for theme in themes:
        groups[theme.delta.change].append(theme)
    return Evolution(**{change: tuple(found) for change, found in groups.items()})


def need_items(definition, needs):
    """NeedItems from (programme theme code, [dimension codes]) pairs, in the order of the programme's themes."""
    labels = {dimension["code"]: dimension.get("label", dimension["code"]) for dimension in definition["dimensions"]}
    order = {theme: index for index, theme in enumerate(ProgrammeTheme.values)}
    items = [
        NeedItem(
            theme=theme,
            label=ProgrammeTheme(theme).label if theme in order else theme,
            dimensions=tuple(labels.get(code, code) for code in dimensions),
        )
        for theme, dimensions in needs
    ]
    return tuple(sorted(items, key=lambda item: (order.get(item.theme, len(order)), item.theme)))


def variant_label(definition, code):
    variants = definition.get("variants") or []
    return next((v.get("label", v["code"]) for v in variants if v.get("code") == code), code or "")


# --- From the database ---------------------------------------------------------------------------------------


def previous_diagnostic(response):
    """The same structure's diagnostic submitted just before this one (with its results), or None."""
    if response.structure_id is None or response.submitted_at is None:
        return None
    before = Q(submitted_at__lt=response.submitted_at) | Q(submitted_at=response.submitted_at, pk__lt=response.pk)
    return (
        Response.objects.of(DIAGNOSTIC_CODE)
        .submitted()
        .filter(before, structure_id=response.structure_id)
        .select_related("version")
        .prefetch_related("results")
        .order_by("-submitted_at", "-pk")
        .first()
    )


def restitution_for(response):
    """The Restitution of a submitted diagnostic `response` (fetched with its version, structure, submitted_by)."""
    definition = response.version.content
    results = {result.dimension: result for result in response.results.all()}
    previous = previous_diagnostic(response)
    previous_levels = None
    if previous is not None:
        previous_levels = {result.dimension: result.level for result in previous.results.all()}
    themes = build_themes(definition, results, previous_levels)
    needs = [(need.theme, need.dimensions) for need in response.needs.all()]
    scale = definition.get("levels", {"min": 0, "max": 4})
    return Restitution(
        response_pk=response.pk,
        title=response.version.title,
        structure_pk=response.structure_id,
        structure_name=response.structure.display_name if response.structure else "",
        submitted_at=response.submitted_at,
        submitted_by=str(response.submitted_by) if response.submitted_by else "",
        version_number=response.version.number,
        variant_label=variant_label(definition, response.variant),
        scale_min=scale["min"],
        scale_max=scale["max"],
        themes=themes,
        strengths=strengths(themes),
        axes=progress_axes(themes),
        needs=need_items(definition, needs),
        previous=(
            PreviousDiagnostic(previous.pk, previous.submitted_at, previous.version.number) if previous else None
        ),
        evolution=evolution(themes),
    )
