"""The ranking of training offers for a structure's needs: table tests, no database; then the gathering from the
database (its pages are tested in tests/www/test_training_suggestions.py): one candidate per action, and a shortcut
that reads only the offers that may rank among a need's best, checked against reading every session."""

import datetime
import random

import pytest
from django.db.models import Q
from django.utils import timezone

from horizon.diagnostics.models import Need
from horizon.territories.geo import haversine_km
from horizon.training import matching
from horizon.training.dates import french_date
from horizon.training.enums import DatePrecision, EntryMode, Modality, RecruitmentState
from horizon.training.matching import Candidate, by_theme, points, rank, score, spread
from horizon.training.models import Session
from tests.factories.diagnostics import submitted_diagnostic
from tests.factories.organisations import StructureFactory, employer
from tests.factories.territories import CommuneFactory
from tests.factories.training import ActionFactory, FormationFactory, ProviderFactory, SessionFactory
from tests.queries import count_queries

TODAY = datetime.date(2027, 1, 15)
GPEC, MANAGEMENT, QVCT, AFEST = "gpec", "management", "qvct_teletravail", "afest"
RADIUS = 50
PRECISIONS = list(DatePrecision.values)


def offer(formation_id=1, title=None, themes=(GPEC,), **kwargs):
    """A plain candidate on site 10 km away, starting in 30 days, with none of the extras unless asked."""
    kwargs.setdefault("distance_km", 10.0)
    kwargs.setdefault("next_start", TODAY + datetime.timedelta(days=30))
    return Candidate(
        formation_id=formation_id, title=title or f"Formation {formation_id}", themes=frozenset(themes), **kwargs
    )


def ids(suggestions):
    return [suggestion.formation_id for suggestion in suggestions]


def ranked(candidates, needs=(GPEC,), opco="Uniformation", radius_km=RADIUS):
    return ids(rank(needs, candidates, TODAY, opco, radius_km))


# --- Which offers are suggested --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "candidate, suggested",
    [
        (offer(themes=[GPEC]), True),
        (offer(themes=[MANAGEMENT]), False),  # answers no need
        (offer(themes=[]), False),
        (offer(distance_km=49.9), True),
        (offer(distance_km=50.0), True),  # the radius is included
        (offer(distance_km=50.1), False),
        (offer(distance_km=None), False),  # on site, place unknown
        (offer(modality=Modality.BLENDED, distance_km=80.0), False),  # partly on site: the place counts
        (offer(modality=Modality.DISTANCE, distance_km=None), True),  # remote: anywhere
        (offer(modality=Modality.DISTANCE, distance_km=800.0), True),
        (offer(next_start=None), True),  # dates to come: still suggested
    ],
)
def test_what_is_suggested(candidate, suggested):
    assert (score(candidate, (GPEC, QVCT), TODAY, "", RADIUS) is not None) is suggested


def test_no_needs_no_suggestions():
    assert rank((), [offer()], TODAY) == []


# --- Scores ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "candidate, expected",
    [
        # theme + distance 10/50 → 24 + 30 days of 180 → 17
        (offer(), matching.THEME_WEIGHT + 24 + 17),
        (offer(distance_km=0.0, next_start=TODAY), matching.THEME_WEIGHT + 30 + 20),
        (offer(distance_km=50.0, next_start=TODAY + datetime.timedelta(days=180)), matching.THEME_WEIGHT),
        (offer(distance_km=50.0, next_start=TODAY + datetime.timedelta(days=400)), matching.THEME_WEIGHT),
        (offer(distance_km=50.0, next_start=None), matching.THEME_WEIGHT),
        (offer(distance_km=50.0, next_start=TODAY - datetime.timedelta(days=3)), matching.THEME_WEIGHT + 20),
        (offer(modality=Modality.DISTANCE, distance_km=None, next_start=None), matching.THEME_WEIGHT + 20),
        (offer(themes=[GPEC, QVCT], distance_km=50.0, next_start=None), 140),
        (offer(distance_km=50.0, next_start=None, funders=frozenset({"16"})), 115),
        (offer(distance_km=50.0, next_start=None, funders=frozenset({"2", "10"})), 100),  # no OPCO among them
        (offer(distance_km=50.0, next_start=None, cpf_eligible=True), 105),
        (offer(distance_km=50.0, next_start=None, qualiopi=True), 110),
        (offer(distance_km=50.0, next_start=None, certifying=True), 105),
    ],
)
def test_scores(candidate, expected):
    assert score(candidate, (GPEC, QVCT), TODAY, "Uniformation", RADIUS).score == expected


ALL_SHAPES = [
    offer(),
    offer(themes=[MANAGEMENT]),
    offer(themes=[GPEC, QVCT, MANAGEMENT], distance_km=0.4, next_start=TODAY),
    offer(distance_km=50.1),
    offer(distance_km=None),
    offer(modality=Modality.DISTANCE, distance_km=None, next_start=None),
    offer(modality=Modality.BLENDED, distance_km=12.5, next_start=TODAY + datetime.timedelta(days=400)),
    offer(next_start=TODAY - datetime.timedelta(days=3), start_precision=DatePrecision.MONTH),
    offer(funders=frozenset({"16", "5"}), cpf_eligible=True, qualiopi=True, certifying=True),
]


@pytest.mark.parametrize("candidate", ALL_SHAPES)
def test_points_are_the_score_without_its_reasons(candidate):
    suggestion = score(candidate, (GPEC, QVCT), TODAY, "Uniformation", RADIUS)
    assert points(candidate, (GPEC, QVCT), TODAY, RADIUS) == (suggestion.score if suggestion else None)


def test_weights_order_the_criteria():
    # Answering a need outweighs every extra together; a second need outweighs any single extra.
    extras = (
        matching.DISTANCE_WEIGHT
        + matching.SOON_WEIGHT
        + matching.OPCO_WEIGHT
        + matching.CPF_WEIGHT
        + matching.QUALIOPI_WEIGHT
        + matching.CERTIFYING_WEIGHT
    )
    assert extras < matching.THEME_WEIGHT
    assert max(matching.DISTANCE_WEIGHT, matching.SOON_WEIGHT, matching.OPCO_WEIGHT) < matching.EXTRA_THEME_WEIGHT


# --- Ranking ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "candidates, expected",
    [
        # Two needs answered outweigh being nearer and sooner.
        ([offer(1), offer(2, themes=[GPEC, QVCT], distance_km=30.0, next_start=None)], [2, 1]),
        # Nearer first.
        ([offer(1, distance_km=40.0), offer(2, distance_km=5.0)], [2, 1]),
        # Sooner first.
        (
            [
                offer(1, next_start=TODAY + datetime.timedelta(days=150)),
                offer(2, next_start=TODAY + datetime.timedelta(days=7)),
            ],
            [2, 1],
        ),
        # A dated session before dates to come.
        ([offer(1, next_start=None), offer(2)], [2, 1]),
        # Funded by the OPCO before not funded.
        ([offer(1), offer(2, funders=frozenset({"16"}))], [2, 1]),
        # Qualiopi before not.
        ([offer(1), offer(2, qualiopi=True)], [2, 1]),
        # Remote (20) beats on site at 30 km (12) but not on site at 10 km (24).
        ([offer(1, distance_km=30.0), offer(2, modality=Modality.DISTANCE, distance_km=None)], [2, 1]),
        ([offer(1, distance_km=10.0), offer(2, modality=Modality.DISTANCE, distance_km=None)], [1, 2]),
        # Off-theme and too far left out.
        ([offer(1, themes=[AFEST]), offer(2, distance_km=70.0), offer(3)], [3]),
    ],
)
def test_ranking(candidates, expected):
    assert ranked(candidates, needs=(GPEC, QVCT)) == expected


@pytest.mark.parametrize(
    "candidates, expected",
    [
        # Same score: the sooner session first.
        (
            [
                offer(1, distance_km=10.0, next_start=TODAY + datetime.timedelta(days=30)),
                offer(2, distance_km=10.0, next_start=TODAY + datetime.timedelta(days=29)),
            ],
            [2, 1],
        ),
        # Same score and date: the nearer (10.4 and 10.0 km both give 24 points).
        ([offer(1, distance_km=10.4), offer(2, distance_km=10.0)], [2, 1]),
        # Same everything: by title, whatever the case, then by id.
        ([offer(1, title="zèbre"), offer(2, title="Abeille")], [2, 1]),
        ([offer(2, title="Même"), offer(1, title="même")], [1, 2]),
    ],
)
def test_ties(candidates, expected):
    assert ranked(candidates) == expected


def test_one_suggestion_per_formation_its_best_action():
    far = offer(7, distance_km=45.0)
    near = offer(7, distance_km=2.0)
    suggestions = rank((GPEC,), [far, near, offer(8, distance_km=20.0)], TODAY)
    assert ids(suggestions) == [7, 8]
    assert suggestions[0].candidate is near


def test_the_radius_is_a_parameter():
    assert ranked([offer(distance_km=20.0)], radius_km=10) == []
    assert ranked([offer(distance_km=20.0)], radius_km=30) == [1]


# --- Reasons ---------------------------------------------------------------------------------------------------


def reasons(candidate, needs=(GPEC,), opco="Uniformation"):
    return list(score(candidate, needs, TODAY, opco, RADIUS).reasons)


def test_all_reasons_in_order():
    candidate = offer(
        distance_km=12.3,
        next_start=datetime.date(2027, 3, 3),
        funders=frozenset({"16", "5"}),
        cpf_eligible=True,
        qualiopi=True,
        certifying=True,
    )
    assert reasons(candidate) == [
        "Répond à votre besoin : GPEC",
        "À 12 km de votre structure",
        "Prochaine session le 3 mars 2027",
        "Finançable par votre OPCO (Uniformation)",
        "Éligible au CPF",
        "Organisme certifié Qualiopi",
        "Formation certifiante",
    ]


@pytest.mark.parametrize(
    "candidate, needs, opco, expected",
    [
        (offer(themes=[GPEC, QVCT, MANAGEMENT]), (MANAGEMENT, GPEC), "", "Répond à vos besoins : Management et GPEC"),
        (
            offer(themes=[GPEC, QVCT, MANAGEMENT]),
            (GPEC, QVCT, MANAGEMENT),
            "",
            "Répond à vos besoins : GPEC, QVCT et télétravail et Management",
        ),
        (offer(distance_km=0.4), (GPEC,), "", "À moins de 1 km de votre structure"),
        (offer(distance_km=12.6), (GPEC,), "", "À 13 km de votre structure"),
        (offer(modality=Modality.DISTANCE, distance_km=None), (GPEC,), "", "À distance : sans déplacement"),
        (offer(next_start=datetime.date(2027, 3, 1)), (GPEC,), "", "Prochaine session le 1er mars 2027"),
        (
            offer(next_start=datetime.date(2027, 8, 1), start_precision=DatePrecision.MONTH),
            (GPEC,),
            "",
            "Prochaine session en août 2027",
        ),
        (
            offer(next_start=datetime.date(2027, 1, 1), start_precision=DatePrecision.YEAR),
            (GPEC,),
            "",
            "Entrée possible dès maintenant",  # a year already begun
        ),
        (
            offer(next_start=datetime.date(2028, 1, 1), start_precision=DatePrecision.YEAR),
            (GPEC,),
            "",
            "Prochaine session en 2028",
        ),
        (offer(next_start=TODAY - datetime.timedelta(days=20)), (GPEC,), "", "Entrée possible dès maintenant"),
        (offer(next_start=None), (GPEC,), "", "Dates à venir"),
        (offer(funders=frozenset({"16"})), (GPEC,), "", "Finançable par un OPCO"),
        (offer(funders=frozenset({"16"})), (GPEC,), "Akto", "Finançable par votre OPCO (Akto)"),
    ],
)
def test_reason_wording(candidate, needs, opco, expected):
    assert expected in reasons(candidate, needs, opco)


@pytest.mark.parametrize(
    "candidate, absent",
    [
        (offer(), "Organisme certifié Qualiopi"),
        (offer(), "Formation certifiante"),
        (offer(), "Éligible au CPF"),
        (offer(funders=frozenset({"2"})), "Finançable par votre OPCO (Uniformation)"),
    ],
)
def test_no_reason_without_its_ground(candidate, absent):
    assert absent not in reasons(candidate)


@pytest.mark.parametrize(
    "value, precision, expected",
    [
        (datetime.date(2027, 3, 3), DatePrecision.DAY, "3 mars 2027"),
        (datetime.date(2027, 2, 1), DatePrecision.DAY, "1er février 2027"),
        (datetime.date(2027, 12, 31), DatePrecision.DAY, "31 décembre 2027"),
        (datetime.date(2027, 8, 1), DatePrecision.MONTH, "août 2027"),
        (datetime.date(2027, 1, 1), DatePrecision.YEAR, "2027"),
    ],
)
def test_french_date(value, precision, expected):
    assert french_date(value, precision) == expected


# --- Sharing among the needs -----------------------------------------------------------------------------------


def test_spread_gives_every_need_its_share():
    # Five GPEC offers all score above the QVCT ones: without sharing, GPEC would take every place.
    candidates = [offer(i, themes=[GPEC], distance_km=1.0, qualiopi=True) for i in range(1, 6)]
    candidates += [offer(i, themes=[QVCT], distance_km=40.0) for i in range(11, 14)]
    needs = (GPEC, QVCT)
    suggestions = rank(needs, candidates, TODAY)
    assert ids(suggestions[:4]) == [1, 2, 3, 4]
    shown = spread(needs, suggestions, limit=4)
    assert ids(shown) == [1, 2, 11, 12]  # two each, in rank order
    assert ids(spread(needs, suggestions, limit=3)) == [1, 2, 11]
    assert len(spread(needs, suggestions, limit=50)) == len(candidates)


def test_spread_fills_with_the_needs_that_have_offers():
    candidates = [offer(i, themes=[GPEC]) for i in range(1, 9)]
    shown = spread((GPEC, QVCT), rank((GPEC, QVCT), candidates, TODAY), limit=6)
    assert len(shown) == matching.PER_THEME  # capped per need: one need alone never fills more


def test_spread_counts_an_offer_answering_two_needs_once():
    candidates = [offer(1, themes=[GPEC, QVCT]), offer(2, themes=[GPEC]), offer(3, themes=[QVCT])]
    needs = (GPEC, QVCT)
    assert ids(spread(needs, rank(needs, candidates, TODAY), limit=2)) == [1, 2]
    assert ids(spread(needs, rank(needs, candidates, TODAY), limit=3)) == [1, 2, 3]


def test_by_theme_keeps_the_needs_order_and_empty_needs():
    candidates = [offer(i, themes=[GPEC]) for i in range(1, 8)] + [offer(20, themes=[GPEC, QVCT])]
    needs = (QVCT, GPEC, AFEST)
    groups = by_theme(needs, rank(needs, candidates, TODAY), per_theme=3)
    assert [theme for theme, _ in groups] == [QVCT, GPEC, AFEST]
    assert [ids(group) for _, group in groups] == [[20], [20, 1, 2], []]


def random_candidates(rng, count=300):
    """Candidates of every shape, several actions for some formations, ties on score, date, place and title."""
    themes = [GPEC, MANAGEMENT, QVCT, AFEST]
    candidates = []
    for _ in range(count):
        remote = rng.random() < 0.3
        candidates.append(
            offer(
                formation_id=rng.randint(1, count // 2),
                title=rng.choice(["Alpha", "alpha", "Bêta", "Gamma"]),
                themes=rng.sample(themes, rng.randint(1, 3)),
                modality=Modality.DISTANCE if remote else Modality.ON_SITE,
                distance_km=None if remote else rng.choice([0.5, 10.0, 10.2, 30.0, 49.0, 60.0]),
                next_start=rng.choice([None, TODAY, TODAY + datetime.timedelta(days=rng.choice([3, 30, 90, 200]))]),
                funders=frozenset(rng.choice([(), ("16",), ("2",)])),
                cpf_eligible=rng.random() < 0.3,
                qualiopi=rng.random() < 0.6,
                certifying=rng.random() < 0.2,
            )
        )
    return candidates


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("per_theme", [1, 2, 5])
def test_rank_per_theme_keeps_all_that_is_shown(seed, per_theme):
    # Ranking only the best of each need, on their points, shows the same as ranking them all.
    rng = random.Random(seed)
    candidates = random_candidates(rng)
    needs = (QVCT, GPEC, MANAGEMENT)
    everything = rank(needs, candidates, TODAY, "Akto", RADIUS)
    shortcut = rank(needs, candidates, TODAY, "Akto", RADIUS, per_theme=per_theme)
    assert len(shortcut) < len(everything)
    assert by_theme(needs, shortcut, per_theme) == by_theme(needs, everything, per_theme)
    for limit in (1, 4, 6, 20):
        assert spread(needs, shortcut, limit, per_theme) == spread(needs, everything, limit, per_theme)


# --- Gathering from the database -------------------------------------------------------------------------------


@pytest.fixture
def structure_with_needs(db, bordeaux):
    """A structure in Bordeaux (its commune's point) that needs GPEC and management."""
    return structure_needing(StructureFactory(commune=bordeaux, opco="Uniformation"), [GPEC, MANAGEMENT])


def structure_needing(structure, themes):
    response = submitted_diagnostic(structure, employer(structure), default=2)  # finds no need by itself
    Need.objects.bulk_create(Need(response=response, structure=structure, theme=theme) for theme in themes)
    return structure


def today():
    return timezone.localdate()


def session_at(action, commune, days, **kwargs):
    return SessionFactory(
        action=action,
        commune=commune,
        latitude=commune.latitude if commune else None,
        longitude=commune.longitude if commune else None,
        start_date=None if days is None else today() + datetime.timedelta(days=days),
        **kwargs,
    )


def gathered(structure, themes, only=None):
    """The candidates `_rows` and `_candidates` make of every offer tagged with one of `themes`, by action."""
    origin = matching.origin_of(structure)
    only = only or Q(formation_id__in=matching._tagged(themes))
    rows = matching._rows([origin] if origin else [], themes, today(), RADIUS, only)
    return matching._candidates(rows, origin, set(themes), RADIUS)


def test_one_candidate_per_action_with_its_soonest_joinable_session_and_nearest_place(
    structure_with_needs, merignac, settings
):
    settings.MATCHING_RADIUS_KM = RADIUS
    perigueux = CommuneFactory(code="24322", name="Périgueux", latitude=45.1846, longitude=0.7214)  # 110 km away
    bordeaux = structure_with_needs.commune
    formation = FormationFactory(title="GPEC", themes=[GPEC, MANAGEMENT], indexed=False)
    on_site = ActionFactory(formation=formation, commune=merignac)
    session_at(on_site, merignac, 60)
    session_at(on_site, bordeaux, 90)  # later, but nearer
    session_at(on_site, perigueux, 10)  # sooner, but out of reach
    session_at(on_site, bordeaux, 5, recruitment_state=RecruitmentState.CLOSED)  # not joinable
    session_at(on_site, merignac, -30)  # past
    remote = ActionFactory(formation=formation, remote=True)
    for days in (120, 30, None):
        session_at(remote, None, days)
    # Many others, near and at a distance, a few sessions each.
    for index in range(15):
        for kind in ("near", "remote"):
            action = ActionFactory(
                formation=FormationFactory(themes=[GPEC], indexed=False),
                **({"commune": merignac} if kind == "near" else {"remote": True}),
            )
            for days in (40 + index, 20 + index, 80):
                session_at(action, merignac if kind == "near" else None, days)

    candidates = gathered(structure_with_needs, [GPEC, MANAGEMENT])

    assert sorted(candidate.formation_id for candidate in candidates).count(formation.pk) == 2
    assert len(candidates) == 2 + 30
    by_action = {(candidate.formation_id, candidate.modality): candidate for candidate in candidates}
    near = by_action[formation.pk, Modality.ON_SITE]
    assert near.next_start == today() + datetime.timedelta(days=60)
    assert near.distance_km == pytest.approx(0.0, abs=0.5)  # the Bordeaux session, Bordeaux being the origin
    assert near.themes == {GPEC, MANAGEMENT}
    far = by_action[formation.pk, Modality.DISTANCE]
    assert (far.next_start, far.distance_km) == (today() + datetime.timedelta(days=30), None)
    others = [candidate for candidate in candidates if candidate.formation_id != formation.pk]
    assert {candidate.next_start for candidate in others} == {
        today() + datetime.timedelta(days=20 + index) for index in range(15)
    }
    # The suggestion of the formation is its better action: on site, near, with both needs.
    (shown,) = [
        suggestion
        for suggestion in matching.suggestions_for(structure_with_needs, today())
        if suggestion.formation_id == formation.pk
    ]
    assert shown.candidate == near
    assert "À moins de 1 km de votre structure" in shown.reasons


def test_soon_points_in_sql_are_the_date_points(db):
    action = ActionFactory(formation=FormationFactory(indexed=False))
    days = [None, -40, -1, 0, *range(1, matching.SOON_HORIZON_DAYS + 5)]
    for offset in days:
        session_at(action, action.commune, offset)
    found = dict(
        Session.objects.filter(action=action)
        .annotate(soon=matching._soon_points(today()))
        .values_list("start_date", "soon")
    )
    for start, soon in found.items():
        assert soon == matching._date_points(
            Candidate(formation_id=1, title="", themes=frozenset(), next_start=start), today()
        ), start
    assert len(found) == len(days)


def random_catalogue(rng, formations=80):
    """Offers of every shape around Bordeaux and beyond the radius: several actions and places, dates from the past
    to next year (a third within the first look's three weeks), some undated, by month, closed, full."""
    places = [
        CommuneFactory(
            code=f"33{index:03d}",
            name=f"Commune {index}",
            latitude=44.84 + rng.uniform(-0.7, 0.7),
            longitude=-0.58 + rng.uniform(-0.9, 0.9),
        )
        for index in range(10)
    ]
    providers = [ProviderFactory(qualiopi=rng.random() < 0.7) for _ in range(5)]
    for _ in range(formations):
        formation = FormationFactory(
            title=rng.choice(["Alpha", "alpha", "Bêta"]),  # ties down to the title
            provider=rng.choice(providers),
            themes=rng.sample([GPEC, MANAGEMENT, QVCT, AFEST], rng.randint(1, 4)),
            certifying=rng.random() < 0.3,
            closed_at=timezone.now() if rng.random() < 0.05 else None,
            indexed=False,
        )
        for _ in range(rng.randint(1, 2)):
            remote = rng.random() < 0.3
            action = ActionFactory(
                formation=formation,
                modality=Modality.DISTANCE if remote else rng.choice([Modality.ON_SITE, Modality.BLENDED]),
                commune=None if remote else rng.choice(places),
                funders=rng.choice([[], ["16"], ["16", "5"], ["2"]]),
                cpf_eligible=rng.random() < 0.3,
                entry_mode=EntryMode.PERMANENT if rng.random() < 0.1 else EntryMode.FIXED_DATES,
            )
            for _ in range(rng.randint(1, 4)):
                days = rng.choice([None, rng.randint(-30, 21), rng.randint(-30, 21), rng.randint(22, 400)])
                month = days is not None and rng.random() < 0.15
                session = session_at(
                    action,
                    None if remote else rng.choice(places),
                    days,
                    recruitment_state=RecruitmentState.CLOSED if rng.random() < 0.1 else RecruitmentState.OPEN,
                )
                if month:  # "mars 2027": kept on the first day of its month
                    Session.objects.filter(pk=session.pk).update(
                        start_precision=DatePrecision.MONTH, start_date=session.start_date.replace(day=1), end_date=None
                    )


def reference_candidates(structure, needs):
    """The candidates the slow and obvious way, every joinable session read one by one."""
    from horizon.training.availability import available_sessions

    origin, found = matching.origin_of(structure), {}
    sessions = available_sessions(today()).filter(formation__closed_at__isnull=True)
    sessions = sessions.select_related("action", "commune", "formation__provider").prefetch_related("formation__themes")
    for session in sessions:
        themes = {tagged.theme for tagged in session.formation.themes.all()} & set(needs)
        action, distance = session.action, None
        if not themes:
            continue
        if action.modality != Modality.DISTANCE:
            commune = session.commune
            latitude = session.latitude if session.latitude is not None else commune and commune.latitude
            longitude = session.longitude if session.longitude is not None else commune and commune.longitude
            if origin is None or latitude is None or longitude is None:
                continue
            distance = haversine_km(origin.latitude, origin.longitude, latitude, longitude)
            if distance > RADIUS:
                continue
        entry = found.setdefault(
            action.pk,
            {
                "formation_id": session.formation_id,
                "title": session.formation.title,
                "themes": frozenset(themes),
                "modality": action.modality,
                "next_start": None,
                "start_precision": DatePrecision.DAY,
                "distance_km": distance,
                "provider": session.formation.provider.name,
                "certifying": session.formation.certifying,
                "qualiopi": session.formation.provider.qualiopi,
                "funders": frozenset(action.funders),
                "cpf_eligible": action.cpf_eligible,
            },
        )
        start, precision = session.start_date, session.start_precision
        # The soonest session; on the same day, the most precise date.
        if start is not None and (
            entry["next_start"] is None
            or (start, PRECISIONS.index(precision)) < (entry["next_start"], PRECISIONS.index(entry["start_precision"]))
        ):
            entry["next_start"], entry["start_precision"] = start, precision
        if distance is not None and distance < entry["distance_km"]:
            entry["distance_km"] = distance
    return [Candidate(**entry) for entry in found.values()]


@pytest.mark.parametrize("seed", range(3))
def test_reading_only_what_may_rank_changes_nothing(db, settings, seed):
    settings.MATCHING_RADIUS_KM = RADIUS
    rng = random.Random(seed)
    random_catalogue(rng)
    bordeaux = CommuneFactory()
    structures = [
        structure_needing(StructureFactory(commune=bordeaux, opco="Akto"), [QVCT]),
        structure_needing(StructureFactory(commune=bordeaux, latitude=44.6, longitude=-1.1), [GPEC, MANAGEMENT, AFEST]),
        structure_needing(StructureFactory(commune=bordeaux), [GPEC, MANAGEMENT, QVCT, AFEST]),
        structure_needing(StructureFactory(commune=None), [MANAGEMENT, AFEST]),  # offers at a distance only
    ]
    by_structure = matching.suggestions_by_structure(structures, today())
    for structure in structures:
        needs = matching._in_programme_order(structure.needs.values_list("theme", flat=True))
        everything = rank(needs, reference_candidates(structure, needs), today(), structure.opco, RADIUS)
        assert matching.suggestions_for(structure, today()) == spread(needs, everything, 6, matching.PER_THEME)
        assert [(theme, group) for theme, _, group in by_structure[structure.pk].themes] == by_theme(
            needs, everything, matching.PER_THEME
        )
        # The shortcut did cut: it read fewer candidates than there are.
        assert len(shortcut(structure, needs)) < len(reference_candidates(structure, needs))


def shortcut(structure, needs):
    """The candidates the shortcut reads for a structure."""
    origin = matching.origin_of(structure)
    origins = [origin] if origin else []
    first = matching._candidates(matching._first_look(origins, needs, today(), RADIUS), origin, set(needs), RADIUS)
    bars = matching._bars(needs, first, today(), RADIUS, matching.PER_THEME)
    assert any(bars.values())
    return gathered(structure, needs, matching._may_reach(origins, needs, today(), RADIUS, bars))


def test_a_constant_number_of_queries(structure_with_needs, merignac, settings):
    settings.MATCHING_RADIUS_KM = RADIUS
    other = structure_needing(StructureFactory(commune=structure_with_needs.commune), [QVCT])
    ActionFactory(formation=FormationFactory(themes=[GPEC], indexed=False), commune=merignac)
    one = count_queries(lambda: matching.suggestions_for(structure_with_needs, today()))
    one_each = count_queries(lambda: matching.suggestions_by_structure([structure_with_needs], today()))
    random_catalogue(random.Random(7), formations=30)  # enough offers soon for every need to get a bar
    assert count_queries(lambda: matching.suggestions_for(structure_with_needs, today())) == one == 5
    assert count_queries(lambda: matching.suggestions_by_structure([structure_with_needs, other], today())) == one_each


def test_an_offer_answering_fewer_needs_may_still_rank_first(structure_with_needs, settings):
    # Five formations answer both needs, 20 km away, in three weeks, and nothing more: 140 + 18 + 18 = 176, the bar
    # of both needs. One answers GPEC only but has everything else at its best: 100 + 30 + 20 + 35 = 185. Its
    # themes alone leave it 76 points short of the bar: only its place, date, funding and quality make it first.
    settings.MATCHING_RADIUS_KM = RADIUS
    bordeaux = structure_with_needs.commune
    away = CommuneFactory(
        code="33999", name="Vingt kilomètres", latitude=bordeaux.latitude + 0.18, longitude=bordeaux.longitude
    )
    for index in range(5):
        formation = FormationFactory(
            title=f"Paire {index}", themes=[GPEC, MANAGEMENT], provider=ProviderFactory(qualiopi=False), indexed=False
        )
        session_at(ActionFactory(formation=formation, commune=away), away, 21)
    best = FormationFactory(title="Seule", themes=[GPEC], certifying=True, indexed=False)
    session_at(ActionFactory(formation=best, commune=bordeaux, funders=["16"], cpf_eligible=True), bordeaux, 1)
    origin = matching.origin_of(structure_with_needs)
    first = matching._candidates(
        matching._first_look([origin], [GPEC, MANAGEMENT], today(), RADIUS), origin, {GPEC, MANAGEMENT}, RADIUS
    )
    assert matching._bars([GPEC, MANAGEMENT], first, today(), RADIUS, matching.PER_THEME) == {
        GPEC: 176,
        MANAGEMENT: 176,
    }

    shown = matching.suggestions_for(structure_with_needs, today())

    assert [suggestion.title for suggestion in shown][:1] == ["Seule"]
    assert shown[0].score == 185
    everything = rank(
        [GPEC, MANAGEMENT],
        reference_candidates(structure_with_needs, [GPEC, MANAGEMENT]),
        today(),
        "Uniformation",
        RADIUS,
    )
    assert shown == spread([GPEC, MANAGEMENT], everything, 6, matching.PER_THEME)
