"""The catalogue's GET form: every filter and the order live in the URL.

Which formations are listed: open formations (not withdrawn from their source) with at least one session that
one may still join (horizon.training.availability) matching the session filters (dates, place, modality, funding).
Filters on place keep the sessions held there; "Inclure les formations à distance" also keeps the sessions of
actions given entirely at a distance, which anyone may follow.
"""

import datetime
import math

from django import forms
from django.db.models import Count, Exists, F, FloatField, Min, OuterRef, Q, TextField, Value, Window
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import Contains

from horizon.programmes.enums import ProgrammeTheme
from horizon.referentials.models import LheoCode
from horizon.territories.models import Commune, Departement, Epci
from horizon.training import search
from horizon.training.availability import available_q
from horizon.training.enums import Modality
from horizon.training.models import Action, Formation, FormationTheme, Session
from horizon.utils.forms import BootstrapFormMixin, FastSelect, FieldsetsMixin
from horizon.utils.text import normalize
from horizon.www.territories.forms import CommuneField, bound_territory_choices

FUNDERS_DICTIONARY = "dict-financeurs"
OBSOLETE_FUNDER = "1"  # "Code(s) obsolète(s)": not a choice anyone makes
RADIUS_CHOICES = [("10", "10 km"), ("20", "20 km"), ("30", "30 km"), ("50", "50 km"), ("100", "100 km")]
DEFAULT_RADIUS = 30
KM_PER_DEGREE = 111.195  # on the mean Earth sphere

SORT_RELEVANCE, SORT_DATE, SORT_DISTANCE = "pertinence", "date", "distance"
SORT_CHOICES = [
    ("", "Pertinence, sinon prochaine session"),
    (SORT_DATE, "Prochaine session"),
    (SORT_DISTANCE, "Distance à la commune choisie"),
]
# The filters that narrow the sessions or their formations to a few (the text aside); the dates rarely do.
NARROWING_FILTERS = [
    "theme",
    "certifiante",
    "qualiopi",
    "departement",
    "epci",
    "commune",
    "modalite",
    "cpf",
    "financeur",
]
DISTANCE_NEEDS_COMMUNE = "Choisissez une commune pour trier par distance."
PLACE_NAME_MAX_WORDS = 4  # "Saint-Médard-en-Jalles": a commune named at the end of a search text
END_BEFORE_START = "La fin de la période doit suivre son début."


def squared_distance(latitude, longitude):
    """An expression ordering sessions by distance from a point: the squared distance in km² on a plane tangent
    at the point (equirectangular). Plain arithmetic, the same on both databases, and within a fraction of a
    percent of the true distance at the radii offered here; the distances shown are computed exactly."""
    scale = math.cos(math.radians(latitude))
    lat = Coalesce("latitude", "commune__latitude")
    lon = Coalesce("longitude", "commune__longitude")
    dy = (lat - Value(latitude)) * Value(KM_PER_DEGREE)
    dx = (lon - Value(longitude)) * Value(KM_PER_DEGREE * scale)
    return (dx * dx + dy * dy) * Value(1.0, output_field=FloatField())


class CatalogueFilterForm(FieldsetsMixin, BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label="Mots-clés",
        required=False,
        max_length=200,
        help_text="Intitulé, contenu, organisme ou code RNCP. Par exemple « fiche de poste » ou « tutorat ».",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    theme = forms.ChoiceField(
        label="Thème du programme", choices=[("", "Tous"), *ProgrammeTheme.choices], required=False
    )
    departement = forms.ModelChoiceField(
        label="Département", queryset=Departement.objects.all(), required=False, empty_label="Tous", widget=FastSelect
    )
    epci = forms.ModelChoiceField(
        label="Intercommunalité (EPCI)",
        queryset=Epci.objects.none(),
        required=False,
        empty_label="Toutes",
        widget=FastSelect,
    )
    commune = CommuneField(
        label="À proximité de la commune",
        required=False,
        help_text="Nom ou code postal, par exemple « Périgueux » ou « 24000 ».",
    )
    rayon = forms.TypedChoiceField(
        label="Dans un rayon de", choices=RADIUS_CHOICES, coerce=int, required=False, empty_value=None
    )
    a_distance = forms.BooleanField(label="Inclure les formations suivies entièrement à distance", required=False)
    du = forms.DateField(
        label="Début à partir du", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    au = forms.DateField(
        label="Début au plus tard le", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    modalite = forms.ChoiceField(label="Modalité", choices=[("", "Toutes"), *Modality.choices], required=False)
    certifiante = forms.BooleanField(label="Formations certifiantes (RNCP, RS)", required=False)
    qualiopi = forms.BooleanField(label="Organismes certifiés Qualiopi", required=False)
    cpf = forms.BooleanField(label="Éligibles au CPF", required=False)
    financeur = forms.ChoiceField(label="Financement possible par", choices=[], required=False)
    tri = forms.ChoiceField(label="Trier par", choices=SORT_CHOICES, required=False)

    fieldsets = [
        ("Recherche", ["q", "theme"]),
        ("Lieu", ["departement", "epci", "commune", "rayon", "a_distance"]),
        ("Date de début", ["du", "au"]),
        ("Modalités et financement", ["modalite", "certifiante", "qualiopi", "cpf", "financeur"]),
        ("Ordre", ["tri"]),
    ]

    def __init__(self, data=None, *args, today, **kwargs):
        self.query_data = data  # as the URL has it, for the links that remove a filter
        if data is not None and not data.get("rayon"):
            # The radius list shows the radius that applies.
            data = data.copy()
            data["rayon"] = str(DEFAULT_RADIUS)
        super().__init__(data, *args, **kwargs)
        self.today = today
        bound_territory_choices(self)
        funders = LheoCode.objects.filter(dictionary=FUNDERS_DICTIONARY).exclude(code=OBSOLETE_FUNDER)
        self.fields["financeur"].choices = [("", "Tous"), *sorted(funders.values_list("code", "label"), key=_label)]
        self.fields["rayon"].help_text = "Autour de la commune choisie."

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("du"), cleaned.get("au")
        if date_from and date_to and date_to < date_from:
            self.add_error("au", END_BEFORE_START)
        if cleaned.get("tri") == SORT_DISTANCE and not cleaned.get("commune"):
            self.add_error("tri", DISTANCE_NEEDS_COMMUNE)
        return cleaned

    # What the valid filters give --------------------------------------------------------------------------------

    @property
    def valid_data(self):
        """The cleaned values of the fields that are valid: an invalid filter is shown with its error and left out,
        the others still apply."""
        self.is_valid()
        return self.cleaned_data

    def sort(self):
        data = self.valid_data
        sort = data.get("tri") or ""
        if sort == SORT_DISTANCE and data.get("commune"):
            return SORT_DISTANCE
        if sort in ("", SORT_RELEVANCE) and self.text:  # "pertinence": the value of older links
            return SORT_RELEVANCE
        return SORT_DATE

    @property
    def text(self):
        return (self.valid_data.get("q") or "").strip()

    @property
    def origin(self):
        """The commune distances are measured from, if one is chosen and located."""
        commune = self.valid_data.get("commune")
        return commune if commune is not None and commune.latitude is not None else None

    @property
    def radius(self):
        return self.valid_data.get("rayon") or DEFAULT_RADIUS

    def sessions(self, join_action=True):
        """The available sessions that match the session filters (dates, place, modality, funding); see available_q
        for `join_action`."""
        data = self.valid_data
        available = available_q(self.today, data.get("du"), data.get("au"), join_action=join_action)
        return Session.objects.filter(available, self.session_q())

    def session_q(self):
        """The condition on sessions that the filters on place, modality and funding set. Built once: the radius
        costs a query."""
        if "_session_condition" not in self.__dict__:
            self._session_condition = self._session_q()
        return self._session_condition

    def _session_q(self):
        data = self.valid_data
        place = Q()
        if data.get("departement"):
            place &= Q(commune__departement=data["departement"])
        if data.get("epci"):
            place &= Q(commune__epci=data["epci"])
        if data.get("commune"):
            place &= Q(commune__in=Commune.objects.within_km(data["commune"], self.radius).values("code"))
        if place and data.get("a_distance"):
            place |= Q(action__modality=Modality.DISTANCE)
        condition = place
        if data.get("modalite"):
            condition &= Q(action__modality=data["modalite"])
        if data.get("cpf"):
            condition &= Q(action__cpf_eligible=True)
        if data.get("financeur"):
            # The funders are a JSON list of codes: its text holds the quoted code, the same on both databases.
            funded = Action.objects.filter(
                Contains(Cast("funders", output_field=TextField()), f'"{data["financeur"]}"')
            ).values("pk")
            condition &= Q(action__in=funded)
        return condition

    def formation_q(self, join=True):
        """The condition on sessions that their formation is open and passes the formation filters (theme,
        certifying, Qualiopi, text), in subqueries on the narrowest tables rather than a join of every session to
        its formation. The closed formations (a partial index) are left out in an anti-join, or, with `join=False`,
        in a subquery built once (see available_q's `join_action`)."""
        data = self.valid_data
        closed = Formation.objects.filter(closed_at__isnull=False)
        if join:
            condition = ~Exists(closed.filter(pk=OuterRef("formation_id")))
        else:
            condition = ~Q(formation__in=closed.values("pk"))
        if data.get("theme"):
            condition &= Q(formation__in=FormationTheme.objects.filter(theme=data["theme"]).values("formation_id"))
        if data.get("certifiante") or data.get("qualiopi"):
            formations = Formation.objects.all()
            if data.get("certifiante"):
                formations = formations.filter(certifying=True)
            if data.get("qualiopi"):
                formations = formations.filter(provider__qualiopi=True)
            condition &= Q(formation__in=formations.values("pk"))
        matches = search.matching_ids(self.text)
        if matches is not None:
            condition &= Q(formation__in=matches)
        return condition

    def narrowed(self):
        """Whether a filter other than the dates narrows the sessions or their formations, so that the listing reads
        few sessions through that filter's index rather than most of them."""
        data = self.valid_data
        return bool(self.text) or any(data.get(name) for name in NARROWING_FILTERS)

    def listing(self):
        """The matching formations in the order asked, as rows {formation_id, next_start[, distance_key]} grouped
        by formation over the matching sessions. By relevance, a sorted list (see _by_relevance); otherwise a query
        whose rows also hold `total`, the number of formations (a window count): PostgreSQL counts and orders them
        in a single pass over the sessions."""
        narrowed = self.narrowed()
        sessions = self.sessions(join_action=narrowed).filter(self.formation_q(join=narrowed))
        rows = sessions.values("formation_id").annotate(next_start=Min("start_date"))
        sort = self.sort()
        if sort == SORT_RELEVANCE:
            return self._by_relevance(rows)
        rows = rows.annotate(total=Window(Count("formation_id")))
        if sort == SORT_DISTANCE:
            origin = self.origin
            rows = rows.annotate(distance_key=Min(squared_distance(origin.latitude, origin.longitude)))
            order = [F("distance_key").asc(nulls_last=True), F("next_start").asc(nulls_last=True)]
        else:
            order = [F("next_start").asc(nulls_last=True)]
        return rows.order_by(*order, "formation_id")

    def _by_relevance(self, rows):
        """All the rows, best rank first, then by next session (undated last) and id. The text narrows them to a
        few thousand at most, and their ranks come from one pass over the search index: ranking each formation
        in SQL runs, on SQLite, the whole full-text query again for each one."""
        ranks = search.ranks(self.text)

        def key(row):
            start = row["next_start"]
            return -ranks.get(row["formation_id"], 0.0), start is None, start or datetime.date.min, row["formation_id"]

        return sorted(rows.order_by(), key=key)

    def active_filters(self):
        """(label, value shown, query string without this filter) for each filter in use (the components'
        active_filters contract)."""
        data = self.valid_data
        active = []
        for name in ["q", "theme", "departement", "epci", "commune", "du", "au", "modalite", "financeur"]:
            value = data.get(name)
            if not value:
                continue
            field = self.fields[name]
            if name == "commune":
                shown = f"{value.name} ({value.departement_id}), {self.radius} km"
                removed = ["commune", "commune_texte", "rayon", "a_distance"]
                if data.get("tri") == SORT_DISTANCE:
                    removed.append("tri")
            elif isinstance(value, datetime.date):
                shown = value.strftime("%d/%m/%Y")
                removed = [name]
            elif isinstance(field, forms.ModelChoiceField):
                shown = str(value)
                removed = [name, "epci"] if name == "departement" else [name]
            elif isinstance(field, forms.ChoiceField):
                shown = dict(field.choices).get(value, value)
                removed = [name]
            else:
                shown = value
                removed = [name]
            label = "Commune" if name == "commune" else field.label
            active.append((label, shown, self._without(removed)))
        for name in ["a_distance", "certifiante", "qualiopi", "cpf"]:
            if data.get(name) and (name != "a_distance" or self._has_place(data)):
                active.append((self.fields[name].label, "oui", self._without([name])))
        return active

    @staticmethod
    def _has_place(data):
        return bool(data.get("departement") or data.get("epci") or data.get("commune"))

    def _without(self, names):
        rest = self.query_data.copy()
        for name in [*names, "page"]:
            rest.pop(name, None)
        return rest.urlencode()

    def clean_q(self):
        return " ".join((self.cleaned_data.get("q") or "").split())

    def place_suggestion(self):
        """(the other words, the commune, the query string) when the text ends with the name of a commune and no
        place is chosen: "apprentissage Périgueux" is offered again as "apprentissage" within the radius of
        Périgueux (the most populated commune of that name), "Périgueux" alone as every offer around it; None
        otherwise."""
        data = self.valid_data
        words = self.text.split()
        if not words or any(data.get(name) for name in ("commune", "departement", "epci")):
            return None
        for count in range(min(PLACE_NAME_MAX_WORDS, len(words)), 0, -1):
            name = normalize(" ".join(words[-count:]))
            commune = (
                Commune.objects.filter(search_name=name, latitude__isnull=False)
                .select_related("departement")
                .order_by("-population", "code")
                .first()
            )
            if commune is not None:
                rest = " ".join(words[:-count])
                query = self.query_data.copy()
                for field in ("page", "commune_texte"):
                    query.pop(field, None)
                if rest:
                    query.setlist("q", [rest])
                else:
                    query.pop("q", None)
                query.setlist("commune", [commune.code])
                return rest, commune, query.urlencode()
        return None


def _label(choice):
    return choice[1].casefold()
