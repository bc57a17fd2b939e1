"""Aggregates of the HR diagnostic by territory and sector: levels by theme and needs by programme theme.

Only each structure's latest submitted diagnostic counts (`Response.is_latest`): a structure that diagnosed itself
twice is counted once, at its current levels. Everything is computed by a fixed number of GROUP BY queries
whatever the number of structures: the totals, the levels by theme, the needs by programme theme, plus the
current version of the questionnaire for the labels.

Small-group protection (BRIEF §2, the pure function `masks`): someone not entitled to the rows (a funder) sees no figure
that covers fewer than k structures (settings.SMALL_GROUP_K). When the whole group has fewer than k structures,
every figure is masked; otherwise a number of structures with a need (a programme theme, or a theme of the
diagnostic flagged "besoin d'accompagnement") that is between 1 and k - 1 is masked. A need count of zero is shown:
it says something about the whole group (at least k structures), not about fewer than k of them. In the level
distribution of a theme, a level held by 1 to k - 1 structures is masked too, and when that leaves a single masked
level, the next smallest one is masked with it, so that the group's total cannot give it back (`masked_cells`).
Coordinators, entitled to the rows, see every figure.
"""

from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from horizon.programmes.enums import ProgrammeTheme
from horizon.questionnaires import catalogue
from horizon.questionnaires.models import DimensionResult, Response

from .enums import DIAGNOSTIC_CODE
from .models import Need

MASKED_LABEL = "donnée masquée"
NOT_EVALUATED_LABEL = "Non évalué"
DEFAULT_SCALE = {"min": 0, "max": 4}


def masked_reason(k):
    return f"moins de {k} structures : {MASKED_LABEL}"


# --- Figures -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A number of structures, with its share of `total` structures when it has one."""

    count: int
    total: int | None = None
    masked = False

    @property
    def share(self):
        """count / total (0 to 1), or None without a total."""
        if not self.total:
            return None
        return self.count / self.total

    @property
    def percent(self):
        """The share as a whole percentage, rounded half up (12.5 % → 13), or None."""
        if not self.total:
            return None
        return (200 * self.count + self.total) // (2 * self.total)

    @property
    def exact_percent(self):
        """The share in percent, unrounded (for bar widths), 0 without a total."""
        return 100 * self.share if self.total else 0.0


@dataclass(frozen=True)
class Masked:
    """A figure withheld from someone not entitled to the rows: it covers fewer than k structures."""

    k: int
    masked = True

    @property
    def reason(self):
        return masked_reason(self.k)

    def __str__(self):
        return MASKED_LABEL


def masks(count, group, *, k, entitled, need=False):
    """Whether a figure of `count` structures, in a group of `group` structures, is withheld. Pure.

    Entitled people see everything. Otherwise a group below k masks all its figures, and a need count
    between 1 and k - 1 is masked on its own (`need=True`).
    """
    if entitled:
        return False
    if group < k:
        return True
    return need and 0 < count < k


def masked_cells(counts, group, *, k, entitled):
    """Which cells of a distribution (counts adding up to `group`) are withheld: [bool], in order. Pure.

    Primary: what `masks` says of a need count (1 to k - 1 structures, or a group below k). Secondary: a lone
    masked cell would be the group's total minus the others, so the smallest other non-zero cell goes with it.
    """
    hidden = [masks(count, group, k=k, entitled=entitled, need=True) for count in counts]
    if sum(hidden) == 1:
        others = [(count, index) for index, count in enumerate(counts) if not hidden[index] and count > 0]
        if others:
            hidden[min(others)[1]] = True
    return hidden


def figure(count, group, *, k, entitled, total=None, need=False):
    """The Figure to show for `count`, or Masked when `masks` says so. Pure."""
    if masks(count, group, k=k, entitled=entitled, need=need):
        return Masked(k)
    return Figure(count, total)


# --- Results -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelCell:
    level: int | None  # None: "non évalué" (unknown answers, or no result for this theme)
    label: str
    figure: Figure | Masked


@dataclass(frozen=True)
class DimensionRow:
    """One theme of the diagnostic: its structures by level, and those needing support."""

    code: str
    label: str
    cells: list
    support: Figure | Masked


@dataclass(frozen=True)
class NeedRow:
    """One programme theme: the structures whose latest diagnostic found that need."""

    theme: str
    label: str
    figure: Figure | Masked


@dataclass(frozen=True)
class Aggregates:
    k: int
    entitled: bool
    structures: Figure | Masked  # structures covered: those with a latest submitted diagnostic
    diagnostics: Figure | Masked  # every submitted diagnostic of the structures of the filter, earlier ones too
    dimensions: list
    needs: list
    levels: list  # [(level, label)] of the scale, then (None, "Non évalué")
    version: object = None  # the questionnaire version whose labels are used (None: never published)

    @property
    def group_masked(self):
        return self.structures.masked

    @property
    def is_empty(self):
        return not self.structures.masked and self.structures.count == 0

    @property
    def has_masked(self):
        """Whether any figure is withheld (the page then says why)."""
        return (
            self.structures.masked
            or any(row.support.masked or any(cell.figure.masked for cell in row.cells) for row in self.dimensions)
            or any(row.figure.masked for row in self.needs)
        )

    @property
    def masked_reason(self):
        return masked_reason(self.k)


def level_labels(scale):
    """[(level, label)] of a scale {"min", "max"}, then (None, "Non évalué"). Pure."""
    return [(level, f"Niveau {level}") for level in range(scale["min"], scale["max"] + 1)] + [
        (None, NOT_EVALUATED_LABEL)
    ]


def assemble(*, structures, diagnostics, level_counts, need_counts, dimensions, scale, k, entitled, version=None):
    """Build the Aggregates from the grouped counts. Pure.

    `level_counts`: [{"dimension", "level", "structures", "support"}] (one row per theme and level, None levels
    included); `need_counts`: {programme theme: structures}; `dimensions`: [{"code", "label"}] of the current
    version, in its order. A theme that appears only in older versions comes last, labelled by its code.
    Structures without a result on a theme count as "non évalué".
    """
    labels = {dimension["code"]: dimension["label"] for dimension in dimensions}
    by_dimension = {}
    for row in level_counts:
        counts = by_dimension.setdefault(row["dimension"], {"levels": {}, "support": 0})
        counts["levels"][row["level"]] = counts["levels"].get(row["level"], 0) + row["structures"]
        counts["support"] += row["support"]
    codes = list(labels) + sorted(code for code in by_dimension if code not in labels)

    def shown(count, total=None, need=False):
        return figure(count, structures, k=k, entitled=entitled, total=total, need=need)

    levels = level_labels(scale)
    rows = []
    for code in codes:
        counts = by_dimension.get(code, {"levels": {}, "support": 0})
        per_level = [counts["levels"].get(level, 0) for level, _ in levels[:-1]]
        per_level.append(structures - sum(per_level))  # non évalué
        hidden = masked_cells(per_level, structures, k=k, entitled=entitled)
        cells = [
            LevelCell(level, label, Masked(k) if hide else Figure(count, structures))
            for (level, label), count, hide in zip(levels, per_level, hidden, strict=True)
        ]
        rows.append(DimensionRow(code, labels.get(code, code), cells, shown(counts["support"], structures, need=True)))

    needs = [
        NeedRow(theme.value, theme.label, shown(need_counts.get(theme.value, 0), structures, need=True))
        for theme in ProgrammeTheme
    ]
    return Aggregates(
        k=k,
        entitled=entitled,
        structures=shown(structures),
        diagnostics=shown(diagnostics),
        dimensions=rows,
        needs=needs,
        levels=levels,
        version=version,
    )


# --- Queries -------------------------------------------------------------------------------------------------


def _structure_filter(prefix, departement=None, epci=None, sector=None):
    """The Q selecting rows whose structure (reached by `prefix`) is in the territory and sector."""
    condition = Q()
    if departement is not None:
        condition &= Q(**{f"{prefix}commune__departement": departement})
    if epci is not None:
        condition &= Q(**{f"{prefix}commune__epci": epci})
    if sector is not None:
        condition &= Q(**{f"{prefix}sector": sector})
    return condition


def diagnostic_aggregates(*, departement=None, epci=None, sector=None, entitled, k=None):
    """The aggregates of the latest diagnostics of the structures in a territory (and sector).

    `entitled`: whether the person may see figures covering fewer than k structures (diagnostics.perms
    .sees_small_groups). Runs four queries whatever the number of rows.
    """
    k = settings.SMALL_GROUP_K if k is None else k
    version = catalogue.current_version(DIAGNOSTIC_CODE)
    content = version.content if version is not None else {}

    diagnostics = Response.objects.of(DIAGNOSTIC_CODE).submitted()
    totals = diagnostics.filter(_structure_filter("structure__", departement, epci, sector)).aggregate(
        diagnostics=Count("pk"), structures=Count("pk", filter=Q(is_latest=True))
    )
    # One result per latest response and theme, one need per latest response and programme theme: counting rows
    # counts structures. Rows are counted on a non-null column rather than the id, which the needs' (response,
    # theme) index holds: PostgreSQL then reads the needs from that index alone.
    level_counts = (
        DimensionResult.objects.filter(
            _structure_filter("response__structure__", departement, epci, sector),
            response__is_latest=True,
            response__version__code=DIAGNOSTIC_CODE,
        )
        .values("dimension", "level")
        .annotate(structures=Count("dimension"), support=Count("dimension", filter=Q(need_support=True)))
        .order_by()
    )
    # The territory is reached through the response's structure rather than the need's own (the same one, but
    # NeedQuerySet.in_territory would go that way): the join then starts from the latest responses of the
    # territory, not from every need, current or past, of its structures (three times fewer pages read).
    needs = (
        Need.objects.current()
        .filter(
            _structure_filter("response__structure__", departement, epci, sector),
            response__version__code=DIAGNOSTIC_CODE,
        )
        .values("theme")
        .annotate(structures=Count("theme"))
        .order_by()
    )
    return assemble(
        structures=totals["structures"],
        diagnostics=totals["diagnostics"],
        level_counts=list(level_counts),
        need_counts={row["theme"]: row["structures"] for row in needs},
        dimensions=content.get("dimensions", []),
        scale=content.get("levels", DEFAULT_SCALE),
        k=k,
        entitled=entitled,
        version=version,
    )


# --- Export --------------------------------------------------------------------------------------------------


def _cells(value):
    """[count, share] of a figure, or the masked label twice."""
    if value.masked:
        return [MASKED_LABEL, MASKED_LABEL]
    return [value.count, value.share]


def _table(sheet, header, rows, share_columns):
    """Write a header and rows; shares (fractions) in `share_columns` (0-based) shown as percentages."""
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append(values)
    for row in sheet.iter_rows(min_row=2):
        for index in share_columns:
            if isinstance(row[index].value, float):
                row[index].number_format = "0%"


def aggregates_xlsx(aggregates, filters):
    """The XLSX workbook (bytes) of the same figures as the page, masked the same way.

    `filters`: [(label, value shown)] describing the selection. Headers are stable; shares are fractions of the
    structures covered, formatted as percentages.
    """
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Synthèse"
    version = aggregates.version
    summary.append(["Diagnostics RH : statistiques par territoire et secteur"])
    summary["A1"].font = Font(bold=True)
    summary.append(["Extrait le", timezone.localtime().strftime("%d/%m/%Y %H:%M")])
    summary.append(["Questionnaire", f"{version.title} — version {version.number}" if version else ""])
    for label, value in filters or [("Filtres", "aucun")]:
        summary.append([label, value])
    summary.append(["Structures couvertes (dernier diagnostic de chacune)", _cells(aggregates.structures)[0]])
    summary.append(["Diagnostics envoyés (précédents compris)", _cells(aggregates.diagnostics)[0]])
    if not aggregates.entitled:
        summary.append(["Petits groupes", f"chiffre portant sur {masked_reason(aggregates.k)}"])
    summary.column_dimensions["A"].width = 52
    summary.column_dimensions["B"].width = 44

    level_names = [label for _, label in aggregates.levels]
    header = ["Code du thème", "Thème"]
    for name in [*level_names, "Besoin d'accompagnement"]:
        header += [f"{name} (structures)", f"{name} (part)"]
    rows = []
    for row in aggregates.dimensions:
        values = [row.code, row.label]
        for cell in row.cells:
            values += _cells(cell.figure)
        rows.append(values + _cells(row.support))
    levels = workbook.create_sheet("Niveaux par thème")
    _table(levels, header, rows, share_columns=range(3, len(header), 2))
    levels.column_dimensions["B"].width = 48

    needs = workbook.create_sheet("Besoins")
    header = ["Code du thème du programme", "Thème du programme", "Structures", "Part des structures couvertes"]
    _table(needs, header, [[row.theme, row.label, *_cells(row.figure)] for row in aggregates.needs], share_columns=[3])
    needs.column_dimensions["A"].width = 28
    needs.column_dimensions["B"].width = 32

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
