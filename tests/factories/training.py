"""The training offer for tests: providers, formations (indexed for search as they are created), actions and
sessions. A session starts in about two months by default; traits give the other shapes the catalogue meets."""

import datetime

import factory
from django.utils import timezone

from horizon.referentials.models import LheoCode
from horizon.training.enums import DatePrecision, EntryMode, Modality, RecruitmentState
from horizon.training.models import Action, Formation, FormationTheme, Provider, ProviderMembership, Session
from horizon.training.search import index_formations

from .accounts import UserFactory
from .organisations import make_siret
from .territories import CommuneFactory

FUNDERS = {
    "2": "Collectivité territoriale - Conseil régional",
    "5": "Entreprise",
    "10": "Bénéficiaire de l'action",
    "16": "OPCO",
}
LEVELS = {"15": "Niveau 5. Capacité à maitriser des savoir-faire dans un champ d'activité"}


def load_lheo_labels():
    """The LHEO labels the catalogue shows (funders, levels), as load_referentials would store them."""
    for dictionary, labels in (("dict-financeurs", FUNDERS), ("dict-niveaux", LEVELS)):
        for code, label in labels.items():
            LheoCode.objects.get_or_create(dictionary=dictionary, code=code, defaults={"label": label})


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Organisme de formation {n}")
    legal_name = factory.LazyAttribute(lambda o: f"{o.name} SAS")
    siret = factory.Sequence(lambda n: make_siret(50000 + n))
    nda = factory.Sequence(lambda n: f"75{n:09d}")
    qualiopi = True
    address = "3 cours de l'Intendance"
    postal_code = "33000"
    commune = factory.SubFactory(CommuneFactory)
    email = factory.Sequence(lambda n: f"contact{n}@organisme.fr")
    phone = "05 56 00 00 00"

    class Params:
        without_qualiopi = factory.Trait(qualiopi=False)


class ProviderMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderMembership

    user = factory.SubFactory(UserFactory)
    provider = factory.SubFactory(ProviderFactory)


class FormationFactory(factory.django.DjangoModelFactory):
    """A formation, indexed for search once created (pass `indexed=False` to leave the index alone) and tagged with
    the programme themes given as `themes=[...]`."""

    class Meta:
        model = Formation
        skip_postgeneration_save = True

    source = "test"
    source_id = factory.Sequence(lambda n: f"F{n:06d}")
    provider = factory.SubFactory(ProviderFactory)
    title = factory.Sequence(lambda n: f"Formation {n}")
    objective = "Acquérir les bases."
    content = "Apports théoriques et mises en situation."

    class Params:
        closed = factory.Trait(closed_at=factory.LazyFunction(timezone.now))
        certifying_rncp = factory.Trait(
            certifying=True, certifications=[{"type": "RNCP", "code": "35678"}], exit_level="15"
        )

    @factory.post_generation
    def themes(obj, create, extracted, **kwargs):
        if create and extracted:
            FormationTheme.objects.bulk_create(FormationTheme(formation=obj, theme=theme) for theme in extracted)

    @factory.post_generation
    def indexed(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            index_formations([obj.pk])


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    formation = factory.SubFactory(FormationFactory)
    source_id = factory.Sequence(lambda n: f"A{n:06d}")
    modality = Modality.ON_SITE
    price_total = None
    hours_total = None
    commune = factory.SubFactory(CommuneFactory)
    latitude = factory.LazyAttribute(lambda o: o.commune.latitude if o.commune else None)
    longitude = factory.LazyAttribute(lambda o: o.commune.longitude if o.commune else None)
    place_name = "Salle des fêtes"

    class Params:
        remote = factory.Trait(modality=Modality.DISTANCE, commune=None, place_name="")
        blended = factory.Trait(modality=Modality.BLENDED)
        permanent = factory.Trait(entry_mode=EntryMode.PERMANENT)
        cpf = factory.Trait(cpf_eligible=True)
        priced = factory.Trait(price_total=1234, hours_total=35, funders=["16", "5"])


class SessionFactory(factory.django.DjangoModelFactory):
    """A session at its action's place, starting in about two months."""

    class Meta:
        model = Session

    action = factory.SubFactory(ActionFactory)
    source_id = factory.Sequence(lambda n: f"S{n:06d}")
    start_date = factory.LazyFunction(lambda: in_days(60))
    end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=4) if o.start_date else None)
    commune = factory.LazyAttribute(lambda o: o.action.commune)
    latitude = factory.LazyAttribute(lambda o: o.action.latitude)
    longitude = factory.LazyAttribute(lambda o: o.action.longitude)

    class Params:
        past = factory.Trait(start_date=factory.LazyFunction(lambda: in_days(-30)))
        ongoing = factory.Trait(
            start_date=factory.LazyFunction(lambda: in_days(-10)), end_date=factory.LazyFunction(lambda: in_days(20))
        )
        undated = factory.Trait(start_date=None, end_date=None)
        cancelled = factory.Trait(closed_at=factory.LazyFunction(timezone.now))
        registrations_closed = factory.Trait(recruitment_state=RecruitmentState.CLOSED)
        month_only = factory.Trait(start_precision=DatePrecision.MONTH, end_date=None)
        year_only = factory.Trait(start_precision=DatePrecision.YEAR, end_date=None)


def offer(title="Formation", sessions=1, action=None, formation=None, session=None, **formation_kwargs):
    """A formation with one action and `sessions` upcoming sessions (a week apart). Returns the formation."""
    formation = FormationFactory(title=title, **(formation or {}), **formation_kwargs)
    action_obj = ActionFactory(formation=formation, **(action or {}))
    for index in range(sessions):
        kwargs = dict(session or {})
        if not set(kwargs) & {"start_date", "past", "ongoing", "undated", "month_only", "year_only"}:
            kwargs["start_date"] = in_days(60 + 7 * index)
        SessionFactory(action=action_obj, **kwargs)
    return formation


def record_refreshes(monkeypatch):
    """Stand in for the refreshes a write asks for (programme themes, search index): [(name, formation ids)]."""
    from horizon.training import search, themes

    calls = []
    monkeypatch.setattr(search, "index_formations", lambda ids: calls.append(("index_formations", list(ids))))
    monkeypatch.setattr(
        themes, "refresh_derived_themes", lambda ids: calls.append(("refresh_derived_themes", list(ids)))
    )
    return calls


def offer_data(place, **overrides):
    """What the offer creation form posts, for an offer held at `place` (a Commune)."""
    data = {
        "title": "Rédiger une fiche de poste",
        "objective": "Décrire un poste et ses compétences.",
        "content": "Méthode, exemples, atelier.",
        "expected_results": "Une fiche de poste rédigée.",
        "certifications": "",
        "exit_level": "",
        "modality": Modality.ON_SITE,
        "entry_mode": "0",
        "rhythm": "2 jours",
        "hours_total": "14",
        "price_total": "1 234,50",
        "funders": ["16", "2"],
        "place_name": "Maison des associations",
        "address": "1 rue du Port",
        "commune": place.pk if place else "",
        "session_start_date": "",
        "session_end_date": "",
        "session_recruitment_state": "1",
    }
    data.update(overrides)
    return data
