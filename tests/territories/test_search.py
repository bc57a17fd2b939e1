import pytest

from horizon.territories.search import PlaceQuery, commune_label, inner_keys, parse_place
from horizon.utils.text import normalize


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Saint-Émilion", "saint emilion"),
        ("BORDEAUX", "bordeaux"),
        ("L'Île-d'Yeu", "l ile d yeu"),
        ("  Châlons-en-Champagne ", "chalons en champagne"),
        ("Bors (Canton de Tude-et-Lavalette)", "bors canton de tude et lavalette"),
        ("Œuilly", "uilly"),
        ("Saint--Denis", "saint denis"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize(value, expected):
    assert normalize(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bordeaux", PlaceQuery(name="bordeaux")),
        ("saint émilion", PlaceQuery(name="saint emilion")),
        ("Saint-Denis (93)", PlaceQuery(name="saint denis", departement="93")),
        ("Ajaccio (2a)", PlaceQuery(name="ajaccio", departement="2A")),
        ("Saint-Denis (974)", PlaceQuery(name="saint denis", departement="974")),
        ("Bordeaux (33) — 33000, 33100…", PlaceQuery(name="bordeaux", departement="33")),
        ("Château-Chinon (Ville) (58)", PlaceQuery(name="chateau chinon ville", departement="58")),
        ("33000", PlaceQuery(postal_code="33000")),
        ("330", PlaceQuery(postal_code="330")),
        ("33000 Bordeaux", PlaceQuery(name="bordeaux", postal_code="33000")),
        ("St Jean de Luz", PlaceQuery(name="saint jean de luz")),
        ("ste", PlaceQuery(name="ste")),
        ("  ", PlaceQuery()),
    ],
)
def test_parse_place(text, expected):
    assert parse_place(text) == expected


def test_an_empty_place_is_false():
    assert not parse_place(" - ")
    assert parse_place("(33)")


@pytest.mark.parametrize(
    ("postal_codes", "expected"),
    [
        ([], "Libourne (33)"),
        (["33500"], "Libourne (33) — 33500"),
        (["33000", "33100"], "Libourne (33) — 33000, 33100"),
        (["33000", "33100", "33200"], "Libourne (33) — 33000, 33100…"),
    ],
)
def test_commune_label(postal_codes, expected):
    assert commune_label("Libourne", "33", postal_codes) == expected


@pytest.mark.parametrize(
    ("search_name", "expected"),
    [
        ("bordeaux", []),
        ("saint emilion", ["emilion"]),
        ("saint germain en laye", ["germain en laye", "en laye", "laye"]),
    ],
)
def test_inner_keys(search_name, expected):
    assert inner_keys(search_name) == expected
