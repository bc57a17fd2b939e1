"""The public training catalogue: the search page (/formations/) and an offer's page (/formations/<pk>/).

Both are open to everyone, signed in or not. The search page runs a constant number of queries whatever the number
of rows: the page with the count (by relevance, every match and their ranks), the page's formations (with their
provider), their themes, and the matching sessions of the page's formations, plus what the form's choice lists and an
optional commune need.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from horizon.organisations.perms import structures_of
from horizon.programmes.enums import ProgrammeTheme
from horizon.referentials.models import LheoCode
from horizon.territories.geo import haversine_km
from horizon.training import perms
from horizon.training.availability import available_sessions
from horizon.training.dates import french_date
from horizon.training.enums import DatePrecision, EntryMode, Modality, RecruitmentState
from horizon.training.models import Formation

from .forms import FUNDERS_DICTIONARY, SORT_DISTANCE, CatalogueFilterForm

PAGE_SIZE = 20
LEVELS_DICTIONARY = "dict-niveaux"
# The request header htmx sends while the filters on the page show errors (see catalogue/includes/filters.html).
ERRORS_SHOWN_HEADER = "X-Catalogue-Errors"
FORM_ID = "filtres"


# Readable values ---------------------------------------------------------------------------------------------------


def format_euros(amount):
    """1234 → "1 234 €", 1234.5 → "1 234,50 €" (narrow no-break space between thousands)."""
    if amount is None:
        return ""
    amount = Decimal(amount)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return text.replace(",", "\u202f").replace(".", ",") + "\u00a0€"


def session_dates(session):
    """When a session takes place, in words."""
    start = french_date(session.start_date, session.start_precision)
    end = french_date(session.end_date, session.end_precision)
    if session.action.entry_mode == EntryMode.PERMANENT and session.end_date:
        return f"Entrées permanentes du {start} au {end}" if start else f"Entrées permanentes jusqu'au {end}"
    if not start:
        return "Dates à venir"
    if session.start_precision != DatePrecision.DAY:
        start = start[:1].upper() + start[1:]
        return f"{start}, jusqu'au {end}" if end and session.end_precision == DatePrecision.DAY else start
    first, last = session.start_date, session.end_date
    if last is None or last == first or session.end_precision != DatePrecision.DAY:
        return f"Le {start}"
    if (first.year, first.month) == (last.year, last.month):
        return f"Du {first.day} au {end}"
    if first.year == last.year:
        return f"Du {date_format(first, 'j F')} au {end}"
    return f"Du {start} au {end}"


def session_place(session):
    """ "Salle des fêtes, Périgueux (24)", or "À distance"."""
    if session.action.modality == Modality.DISTANCE and session.commune is None:
        return "À distance"
    parts = [session.action.place_name] if session.action.place_name else []
    if session.commune is not None:
        parts.append(f"{session.commune.name} ({session.commune.departement_id})")
    return ", ".join(parts) or "Lieu à préciser"


def point_of(session):
    """The session's coordinates, else its commune's (None when neither is known)."""
    if session.latitude is not None and session.longitude is not None:
        return session.latitude, session.longitude
    commune = session.commune
    if commune is not None and commune.latitude is not None and commune.longitude is not None:
        return commune.latitude, commune.longitude
    return None


def format_km(km):
    return f"{km:.0f}\u00a0km" if km >= 10 else f"{km:.1f}\u00a0km".replace(".", ",")


def short_level(label):
    """ "Niveau 5. Capacité à…" → "Niveau 5"; other labels as they are, with a capital letter."""
    if label.startswith("Niveau ") and ". " in label:
        return label.split(". ", 1)[0]
    return label[:1].upper() + label[1:]


def certification_labels(certifications):
    return [
        f"{item.get('type', '')} {item.get('code', '')}".strip()
        for item in certifications or []
        if isinstance(item, dict) and item.get("code")
    ]


def theme_labels(formation):
    labels = dict(ProgrammeTheme.choices)
    return [labels.get(theme.theme, theme.theme) for theme in formation.themes.all()]


# Search page -------------------------------------------------------------------------------------------------------


@dataclass
class Result:
    formation: object
    themes: list
    session: object | None  # the one shown: the next one, or the nearest when sorting by distance
    dates: str = ""
    place: str = ""
    distance: str = ""
    other_sessions: int = 0
    modalities: list = field(default_factory=list)
    price: str = ""
    hours: str = ""


# What a result card shows of the formation and of its sessions (the long texts stay in the database).
RESULT_FORMATION_FIELDS = ["title", "certifying", "provider__name", "provider__qualiopi"]
RESULT_SESSION_FIELDS = [
    "formation_id",
    "start_date",
    "start_precision",
    "end_date",
    "end_precision",
    "latitude",
    "longitude",
    "action__entry_mode",
    "action__modality",
    "action__place_name",
    "action__price_total",
    "action__hours_total",
    "commune__name",
    "commune__departement_id",
    "commune__latitude",
    "commune__longitude",
]


def _results(formations, form):
    """The page's rows, with their matching sessions fetched in one query."""
    ids = [formation.pk for formation in formations]
    sessions = (
        form.sessions()
        .filter(formation_id__in=ids)
        .select_related("action", "commune")
        .only(*RESULT_SESSION_FIELDS)
        .order_by("formation_id", F("start_date").asc(nulls_last=True), "pk")
    )
    by_formation = defaultdict(list)
    for session in sessions:
        by_formation[session.formation_id].append(session)
    origin = form.origin
    by_distance = form.sort() == SORT_DISTANCE
    results = []
    for formation in formations:
        matching = by_formation.get(formation.pk, [])
        distances = {}
        if origin is not None:
            for session in matching:
                point = point_of(session)
                if point is not None:
                    distances[session.pk] = haversine_km(origin.latitude, origin.longitude, *point)
        shown = matching[0] if matching else None
        if by_distance and distances:
            shown = min(matching, key=lambda s: distances.get(s.pk, float("inf")))
        result = Result(formation=formation, themes=theme_labels(formation), session=shown)
        if shown is not None:
            action = shown.action
            result.dates = session_dates(shown)
            result.place = session_place(shown)
            result.distance = format_km(distances[shown.pk]) if shown.pk in distances else ""
            result.other_sessions = len(matching) - 1
            result.modalities = sorted({s.action.get_modality_display() for s in matching})
            result.price = format_euros(action.price_total)
            result.hours = f"{action.hours_total}\u00a0h" if action.hours_total else ""
        results.append(result)
    return results


def _departement_changed(request):
    """Whether the département differs from the one of the page the request comes from (htmx sends its URL):
    the EPCI list then follows it."""
    current = request.headers.get("HX-Current-URL", "")
    before = parse_qs(urlsplit(current).query).get("departement", [""])[0]
    return before != request.GET.get("departement", "")


class Listing:
    """What the Paginator pages through: the form's rows (see CatalogueFilterForm.listing). From a grouped query,
    their window count gives the total, so that the requested page's query is also the count; a list is counted as
    it is."""

    def __init__(self, rows, page_number, page_size):
        self.rows = rows
        self.page_size = page_size
        try:
            self.page_number = max(int(page_number), 1)
        except (TypeError, ValueError):
            self.page_number = 1
        self._pages = {}

    def _page_from(self, start):
        if start not in self._pages:
            self._pages[start] = list(self.rows[start : start + self.page_size])
        return self._pages[start]

    def count(self):
        if isinstance(self.rows, list):
            return len(self.rows)
        rows = self._page_from((self.page_number - 1) * self.page_size) or self._page_from(0)
        return rows[0]["total"] if rows else 0

    def __getitem__(self, item):
        return self._page_from(item.start)[: item.stop - item.start]


def _formations_of(rows):
    """The formations of the page's rows, in their order, with provider and themes."""
    found = (
        Formation.objects.select_related("provider")
        .prefetch_related("themes")
        .only(*RESULT_FORMATION_FIELDS)
        .in_bulk([row["formation_id"] for row in rows])
    )
    return [found[row["formation_id"]] for row in rows if row["formation_id"] in found]


@login_not_required
@require_GET
@vary_on_headers("HX-Request")
def search(request):
    form = CatalogueFilterForm(request.GET, today=timezone.localdate())
    listing = Listing(form.listing(), request.GET.get("page"), PAGE_SIZE)
    page = Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "results": _results(_formations_of(page.object_list), form),
        "query": query.urlencode(),
        "active_filters": form.active_filters(),
        "sort": form.sort(),
        "origin": form.origin,
        "place_suggestion": form.place_suggestion(),
        "radius": form.radius,
    }
    if request.htmx and not request.htmx.history_restore_request:
        # Only the results are swapped; the filters come along (out of band) when they must change: errors to
        # show or to take away, an EPCI list that follows a new département, or a request that did not come from
        # the form (a removed chip, a page link), which the form must then reflect.
        context["refresh_filters"] = bool(
            form.errors
            or request.headers.get(ERRORS_SHOWN_HEADER)
            or request.headers.get("HX-Trigger") != FORM_ID
            or _departement_changed(request)
        )
        response = render(request, "catalogue/includes/results.html", context)
        # The address bar shows the filters in use only, not every empty field of the form.
        response["HX-Push-Url"] = _clean_url(request)
        return response
    return render(request, "catalogue/search.html", context)


def _clean_url(request):
    """The request's address without empty fields, page 1, nor a radius without a commune."""
    query = QueryDict(mutable=True)
    has_commune = bool(request.GET.get("commune") or request.GET.get("commune_texte"))
    for name, values in request.GET.lists():
        kept = [value for value in values if value]
        if not kept or (name == "page" and kept == ["1"]) or (name == "rayon" and not has_commune):
            continue
        query.setlist(name, kept)
    return f"{request.path}?{query.urlencode()}" if query else request.path


# Offer page --------------------------------------------------------------------------------------------------------


@dataclass
class SessionRow:
    session: object
    dates: str
    place: str
    state: str
    registrations_open: bool
    distances: list  # [(structure name, "12 km")]


def _structure_points(user):
    """(name, (lat, lon)) of the employer's structures that have coordinates (their own, else their commune's)."""
    points = []
    for structure in structures_of(user):
        if structure.latitude is not None and structure.longitude is not None:
            points.append((structure.display_name, (structure.latitude, structure.longitude)))
        elif structure.commune is not None and structure.commune.latitude is not None:
            points.append((structure.display_name, (structure.commune.latitude, structure.commune.longitude)))
    return points


def _action_details(action, labels):
    funders = [labels[FUNDERS_DICTIONARY].get(code, code) for code in action.funders or [] if isinstance(code, str)]
    return {
        "action": action,
        "price": format_euros(action.price_total),
        "hourly_price": format_euros(action.price_hourly),
        "funders": funders,
        "place": session_place_of_action(action),
    }


def session_place_of_action(action):
    if action.modality == Modality.DISTANCE and action.commune is None:
        return "À distance"
    parts = [part for part in (action.place_name, action.address) if part]
    if action.commune is not None:
        parts.append(f"{action.commune.name} ({action.commune.departement_id})")
    return ", ".join(parts) or "Lieu à préciser"


@login_not_required
@require_GET
def offer(request, pk):
    formation = get_object_or_404(Formation.objects.select_related("provider", "provider__commune"), pk=pk)
    today = timezone.localdate()
    labels = defaultdict(dict)
    for dictionary, code, label in LheoCode.objects.filter(
        dictionary__in=[FUNDERS_DICTIONARY, LEVELS_DICTIONARY]
    ).values_list("dictionary", "code", "label"):
        labels[dictionary][code] = label
    actions = list(
        formation.actions.filter(closed_at__isnull=True).select_related("commune").order_by("modality", "pk")
    )
    sessions = []
    if formation.closed_at is None:
        points = _structure_points(request.user)
        upcoming = (
            available_sessions(today, closed_registrations=True)
            .filter(formation=formation)
            .select_related("action", "commune")
            .order_by(F("start_date").asc(nulls_last=True), "pk")
        )
        for session in upcoming:
            point = point_of(session)
            distances = [(name, format_km(haversine_km(*where, *point))) for name, where in points] if point else []
            sessions.append(
                SessionRow(
                    session=session,
                    dates=session_dates(session),
                    place=session_place(session),
                    state=session.get_recruitment_state_display(),
                    registrations_open=session.recruitment_state == RecruitmentState.OPEN,
                    distances=distances,
                )
            )
    levels = labels[LEVELS_DICTIONARY]
    context = {
        "formation": formation,
        "provider": formation.provider,
        "themes": theme_labels(formation),
        "certifications": certification_labels(formation.certifications),
        "entry_level": short_level(levels.get(formation.entry_level, "")) if formation.entry_level else "",
        "exit_level": short_level(levels.get(formation.exit_level, "")) if formation.exit_level else "",
        "actions": [_action_details(action, labels) for action in actions],
        "sessions": sessions,
        "can_edit": perms.can_edit_offer(request.user, formation),
        "can_edit_themes": perms.can_edit_themes(request.user),
        "back_url": _back_url(request),
    }
    return render(request, "catalogue/offer.html", context)


def _back_url(request):
    """Back to the search the person came from (same site only), else to the catalogue."""
    referer = request.headers.get("Referer", "")
    parts = urlsplit(referer)
    if parts.netloc == request.get_host() and parts.path.rstrip("/").endswith("/formations"):
        return f"{parts.path}?{parts.query}" if parts.query else parts.path
    return ""
