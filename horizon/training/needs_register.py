"""The register of needs: the structures' current needs by territory and programme theme, and the *besoins non
couverts* — needs shared by enough structures that the training offer nearby does not answer.

What counts
- A structure needs a theme when its latest submitted HR diagnostic found that need (`Need.objects.current()`).
- Territories: each département of the programmes' regions (of France when no programme names a region) and each
  EPCI with a commune in one of them. A structure counts in its commune's département and in its commune's EPCI.
- An offer *nearby* a structure: a session that one may still join (the catalogue's rule, `available_q`: not
  cancelled, registrations not closed, not started yet or with permanent entries, or dates to come) of an open
  formation tagged with the theme, held at a place (its own coordinates, or its commune's) within R km of the
  structure (its own coordinates, or its commune's). Sessions given entirely at a distance do not count: the
  register is about what is offered *near* the structures, and a remote offer cannot be placed; a structure
  without coordinates has no offer nearby.

The rule (pure, `status_of`)
- A (territory, theme) is *non couvert* when at least k structures of the territory need the theme
  (settings.UNCOVERED_NEED_MIN_STRUCTURES, 5 by default) and fewer than half of them have an offer nearby
  (R = settings.UNCOVERED_NEED_RADIUS_KM, 30 km by default).
- It is *couvert* when at least k structures need it and at least half of them have an offer nearby: a provider
  who opens a session of a formation tagged with the theme within R km of most of those structures covers it.
- Below k structures it is *sous le seuil*: listed, never flagged.

Small-group rule (BRIEF §2): figures are reused from horizon.diagnostics.aggregates (`figure`, `masks`). Someone not
entitled to the rows (a funder, a provider) sees no count of 1 to k - 1 structures: a (territory, theme) needed by
fewer than k structures is not listed at all (a row, even with its count masked, would say that some structure of a
small territory has that need), and among the rows listed a count of 1 to k - 1 structures with an offer nearby is
masked.

Cost: five queries whatever the number of structures and sessions (needs, territory sizes, sessions, département
names, EPCI names); distances are computed in Python on a grid of R-km cells, so each structure only looks at the
sessions of the few cells around it.
"""

import math
from dataclasses import dataclass, field, replace
from io import BytesIO

from django.conf import settings
from django.db.models import Count, Exists, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from horizon.diagnostics.aggregates import MASKED_LABEL, figure, masked_reason
from horizon.diagnostics.enums import DIAGNOSTIC_CODE
from horizon.diagnostics.models import Need
from horizon.programmes.enums import ProgrammeTheme
from horizon.questionnaires.models import Response
from horizon.territories.geo import bounding_box, haversine_km
from horizon.territories.models import Commune, Departement, Epci, Region

from .availability import available_q
from .enums import Modality
from .models import Session

UNCOVERED, COVERED, BELOW_THRESHOLD = "non_couvert", "couvert", "sous_le_seuil"
LEFT_OUT_NOTE = (
    "Les besoins que moins de {k} structures d'un territoire partagent ne sont pas listés, pour qu'aucun employeur ne "
    "puisse être reconnu."
)
STATUS_LABELS = {UNCOVERED: "Non couvert", COVERED: "Couvert", BELOW_THRESHOLD: "Sous le seuil"}
STATUS_ORDER = {UNCOVERED: 0, COVERED: 1, BELOW_THRESHOLD: 2}
DEPARTEMENT, EPCI = "departement", "epci"
KIND_LABELS = {DEPARTEMENT: "Département", EPCI: "EPCI"}
KM_PER_DEGREE = 111.195


# --- Pure parts ----------------------------------------------------------------------------------------------


def status_of(needing, reached, k):
    """UNCOVERED, COVERED or BELOW_THRESHOLD for `needing` structures of which `reached` have an offer nearby. Pure."""
    if needing < k:
        return BELOW_THRESHOLD
    return COVERED if 2 * reached >= needing else UNCOVERED


class SessionGrid:
    """Sessions bucketed in cells of about R km, to find those within R km of a point without looking at all. Pure.

    `sessions`: [(key, latitude, longitude)]. Cells are R/111.195 degrees in latitude and longitude alike (in
    longitude they are narrower than R km, never wider), and a search walks the cells of the point's bounding box.
    """

    def __init__(self, sessions, km):
        self.km = km
        self.step = max(km / KM_PER_DEGREE, 1e-6)
        self.cells = {}
        for key, lat, lon in sessions:
            self.cells.setdefault(self._cell(lat, lon), []).append((key, lat, lon))

    def _cell(self, lat, lon):
        return math.floor(lat / self.step), math.floor(lon / self.step)

    def within(self, lat, lon):
        """[(distance in km, key)] of the sessions within R km of the point, nearest first."""
        min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, self.km)
        low, high = self._cell(min_lat, min_lon), self._cell(max_lat, max_lon)
        found = []
        for row in range(low[0], high[0] + 1):
            for column in range(low[1], high[1] + 1):
                for key, session_lat, session_lon in self.cells.get((row, column), ()):
                    distance = haversine_km(lat, lon, session_lat, session_lon)
                    if distance <= self.km:
                        found.append((distance, key))
        return sorted(found)


@dataclass(frozen=True)
class NearestSession:
    pk: int
    formation_id: int
    title: str
    commune: str
    start_date: object
    distance_km: float


@dataclass
class Tally:
    """What is gathered for one (territory, theme)."""

    needing: int = 0
    reached: int = 0
    sessions: set = field(default_factory=set)
    nearest: tuple | None = None  # (distance, session key)


@dataclass(frozen=True)
class RegisterRow:
    kind: str  # DEPARTEMENT or EPCI
    code: str
    name: str
    theme: str
    theme_label: str
    status: str
    structures: object  # Figure | Masked: structures needing the theme
    reached: object  # Figure | Masked: those with an offer within R km
    sessions: int  # sessions within R km of at least one of them
    nearest: NearestSession | None

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def is_uncovered(self):
        return self.status == UNCOVERED


@dataclass(frozen=True)
class Register:
    rows: list
    threshold: int  # structures needing a theme for a besoin non couvert
    k: int  # the small-group rule's
    radius_km: int
    entitled: bool
    left_out: bool = False  # rows needed by fewer than k structures, not listed to someone not entitled

    @property
    def uncovered(self):
        return sum(row.is_uncovered for row in self.rows)

    @property
    def has_masked(self):
        return any(row.reached.masked for row in self.rows)

    @property
    def masked_reason(self):
        return masked_reason(self.k)

    @property
    def left_out_note(self):
        return LEFT_OUT_NOTE.format(k=self.k) if self.left_out else ""


def tally(needs, grid):
    """{(kind, code, theme): Tally} from needs [{"structure", "theme", "lat", "lon", "departement", "epci"}] and a
    {theme: SessionGrid}. Each structure counts once per territory and theme. Pure."""
    tallies = {}
    for need in needs:
        found = []
        if need["lat"] is not None and need["lon"] is not None and need["theme"] in grid:
            found = grid[need["theme"]].within(need["lat"], need["lon"])
        for kind, code in ((DEPARTEMENT, need["departement"]), (EPCI, need["epci"])):
            if code is None:
                continue
            entry = tallies.setdefault((kind, code, need["theme"]), Tally())
            entry.needing += 1
            if found:
                entry.reached += 1
                entry.sessions.update(key for _, key in found)
                if entry.nearest is None or found[0] < entry.nearest:
                    entry.nearest = found[0]
    return tallies


def assemble(tallies, *, names, group_sizes, sessions, threshold, k, radius_km, entitled):
    """The Register from the tallies. `names`: {(kind, code): name} of the territories in scope (others are
    left out); `group_sizes`: {(kind, code): structures with a current diagnostic}; `sessions`: {key:
    NearestSession without distance}; `threshold`: structures for a besoin non couvert; `k`: the small-group rule's
    k. Uncovered first, then covered, then below the threshold; by number of structures, then territory. Pure."""
    rows, left_out = [], False
    for (kind, code, theme), entry in tallies.items():
        if (kind, code) not in names:
            continue
        group = group_sizes.get((kind, code), 0)
        structures = figure(entry.needing, group, k=k, entitled=entitled, need=True)
        if structures.masked:
            left_out = True
            continue
        nearest = None
        if entry.nearest is not None:
            distance, key = entry.nearest
            nearest = replace(sessions[key], distance_km=round(distance, 1))
        rows.append(
            RegisterRow(
                kind=kind,
                code=code,
                name=names[(kind, code)],
                theme=theme,
                theme_label=ProgrammeTheme(theme).label,
                status=status_of(entry.needing, entry.reached, threshold),
                structures=structures,
                reached=figure(entry.reached, group, k=k, entitled=entitled, need=True),
                sessions=len(entry.sessions),
                nearest=nearest,
            )
        )
    theme_order = {theme: index for index, theme in enumerate(ProgrammeTheme.values)}
    rows.sort(
        key=lambda row: (
            STATUS_ORDER[row.status],
            -row.structures.count,
            row.kind != DEPARTEMENT,
            row.name,
            theme_order[row.theme],
        )
    )
    return Register(rows=rows, threshold=threshold, k=k, radius_km=radius_km, entitled=entitled, left_out=left_out)


# --- Queries -------------------------------------------------------------------------------------------------


def _scope_departements():
    """The départements of the programmes' regions, or all of them when no programme names a region (a queryset)."""
    regions = Region.objects.filter(programme__isnull=False)
    return Departement.objects.filter(Q(region__in=regions) | ~Exists(regions))


def needs_register(*, departement=None, epci=None, theme=None, uncovered_only=False, entitled, today=None):
    """The register of needs for a territory filter (a Departement, an Epci) and a theme (a ProgrammeTheme value).

    With `departement`, its own row and those of the EPCI with a commune in it; with `epci`, that EPCI's rows. The
    figures of a territory always count all its structures, whatever the filter. Five queries.
    """
    threshold = settings.UNCOVERED_NEED_MIN_STRUCTURES
    radius = settings.UNCOVERED_NEED_RADIUS_KM
    today = today or timezone.localdate()
    departements = _scope_departements()
    if departement is not None:
        departements = departements.filter(pk=departement.pk)
    epcis = Epci.objects.filter(siren__in=Commune.objects.filter(departement__in=departements).values("epci_id"))
    if epci is not None:
        epcis = epcis.filter(pk=epci.pk)
        departements = departements.none()

    in_scope = Q(structure__commune__departement__in=departements) | Q(structure__commune__epci__in=epcis)
    needs = Need.objects.current().filter(in_scope, response__version__code=DIAGNOSTIC_CODE)
    if theme:
        needs = needs.filter(theme=theme)
    needs = needs.values(
        "theme",
        lat=Coalesce("structure__latitude", "structure__commune__latitude"),
        lon=Coalesce("structure__longitude", "structure__commune__longitude"),
        departement=F("structure__commune__departement_id"),
        epci=F("structure__commune__epci_id"),
    ).order_by()
    needs = list(needs)

    sizes = (
        Response.objects.of(DIAGNOSTIC_CODE)
        .filter(in_scope, is_latest=True)
        .values(departement=F("structure__commune__departement_id"), epci=F("structure__commune__epci_id"))
        .annotate(structures=Count("pk"))
        .order_by()
    )
    group_sizes = {}
    for row in sizes:
        for key in ((DEPARTEMENT, row["departement"]), (EPCI, row["epci"])):
            group_sizes[key] = group_sizes.get(key, 0) + row["structures"]

    themes = {need["theme"] for need in needs}
    session_rows = (
        Session.objects.filter(
            available_q(today),
            formation__closed_at__isnull=True,
            formation__themes__theme__in=themes,
        )
        .exclude(action__modality=Modality.DISTANCE)
        .values(
            "pk",
            "start_date",
            "formation_id",
            session_theme=F("formation__themes__theme"),
            title=F("formation__title"),
            commune_name=F("commune__name"),
            lat=Coalesce("latitude", "commune__latitude"),
            lon=Coalesce("longitude", "commune__longitude"),
        )
        .order_by()
        if themes
        else []
    )
    by_theme, sessions = {}, {}
    for row in session_rows:
        if row["lat"] is None or row["lon"] is None:
            continue
        by_theme.setdefault(row["session_theme"], []).append((row["pk"], row["lat"], row["lon"]))
        sessions[row["pk"]] = NearestSession(
            pk=row["pk"],
            formation_id=row["formation_id"],
            title=row["title"],
            commune=row["commune_name"] or "",
            start_date=row["start_date"],
            distance_km=0.0,
        )
    grid = {code: SessionGrid(points, radius) for code, points in by_theme.items()}

    names = {(DEPARTEMENT, code): f"{name} ({code})" for code, name in departements.values_list("code", "name")}
    names.update({(EPCI, siren): name for siren, name in epcis.values_list("siren", "name")})

    register = assemble(
        tally(needs, grid),
        names=names,
        group_sizes=group_sizes,
        sessions=sessions,
        threshold=threshold,
        k=settings.SMALL_GROUP_K,
        radius_km=radius,
        entitled=entitled,
    )
    if uncovered_only:
        register = replace(register, rows=[row for row in register.rows if row.is_uncovered])
    return register


# --- Export --------------------------------------------------------------------------------------------------

EXPORT_HEADER = [
    "Type de territoire",
    "Code du territoire",
    "Territoire",
    "Code du thème du programme",
    "Thème du programme",
    "Structures ayant ce besoin",
    "Structures avec une session à proximité",
    "Statut",
    "Sessions à proximité",
    "Session la plus proche",
    "Commune de la session la plus proche",
    "Début de la session la plus proche",
    "Distance (km)",
]


def _count(value):
    return MASKED_LABEL if value.masked else value.count


def register_xlsx(register, filters):
    """The XLSX workbook (bytes) of the same rows as the page, masked the same way; stable headers."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Synthèse"
    summary.append(["Registre des besoins et besoins non couverts"])
    summary["A1"].font = Font(bold=True)
    summary.append(["Extrait le", timezone.localtime().strftime("%d/%m/%Y %H:%M")])
    for label, value in filters or [("Filtres", "aucun")]:
        summary.append([label, value])
    summary.append(
        [
            "Besoin non couvert",
            f"au moins {register.threshold} structures du territoire ont ce besoin et moins de "
            f"la moitié d'entre elles ont une session à moins de {register.radius_km} km",
        ]
    )
    summary.append(["Besoins non couverts", register.uncovered])
    if not register.entitled:
        summary.append(["Petits groupes", f"chiffre portant sur {register.masked_reason}"])
    if register.left_out:
        summary.append(["Non listés", register.left_out_note])
    summary.column_dimensions["A"].width = 40
    summary.column_dimensions["B"].width = 90

    sheet = workbook.create_sheet("Besoins")
    sheet.append(EXPORT_HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in register.rows:
        nearest = row.nearest
        sheet.append(
            [
                row.kind_label,
                row.code,
                row.name,
                row.theme,
                row.theme_label,
                _count(row.structures),
                _count(row.reached),
                row.status_label,
                row.sessions,
                nearest.title if nearest else "",
                nearest.commune if nearest else "",
                nearest.start_date if nearest and nearest.start_date else "",
                nearest.distance_km if nearest else "",
            ]
        )
    for letter, width in {"C": 36, "E": 30, "J": 40, "K": 24}.items():
        sheet.column_dimensions[letter].width = width
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
