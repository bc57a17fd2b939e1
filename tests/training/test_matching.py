"""The ranking of training offers for a structure's needs: table tests, no database (the gathering from the
database is tested with the pages, in tests/www/test_training_suggestions.py)."""

import datetime

import pytest

from horizon.training import matching
from horizon.training.enums import DatePrecision, Modality
from horizon.training.matching import Candidate, by_theme, french_date, rank, score, spread

TODAY = datetime.date(2027, 1, 15)
GPEC, MANAGEMENT, QVCT, AFEST = "gpec", "management", "qvct_teletravail", "afest"
RADIUS = 50


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
