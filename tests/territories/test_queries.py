import pytest

from horizon.territories.models import Commune
from tests.factories.territories import CommuneFactory, PostalCodeFactory

pytestmark = pytest.mark.usefixtures("territories")


def codes(communes):
    return [commune.code for commune in communes]


@pytest.mark.parametrize("query", ["saint emilion", "Saint-Émilion", "SAINT ÉMILION", "st emilion", "saint-emil"])
def test_search_ignores_accents_case_and_punctuation(query):
    assert codes(Commune.objects.search(query)) == ["33394"]


@pytest.mark.parametrize("query", ["BORDEAUX", "bordeaux", "Bord", "33000", "33000 Bordeaux"])
def test_search_finds_bordeaux(query):
    assert codes(Commune.objects.search(query))[0] == "33063"


def test_search_finds_a_later_word_after_the_names_that_start_with_it():
    CommuneFactory(code="33999", name="Denis-le-Petit", population=10)

    assert codes(Commune.objects.search("denis")) == ["33999", "97411", "93066"]


def test_search_puts_larger_communes_first():
    assert codes(Commune.objects.search("saint")) == ["97411", "93066", "33394"]


def test_search_by_postal_code_prefix():
    assert codes(Commune.objects.search("334")) == ["33318"]
    assert codes(Commune.objects.search("336")) == ["33281", "33318"]
    assert codes(Commune.objects.search("33")) == ["33063", "33281", "33318", "33243", "33394"]


def test_search_narrows_by_departement():
    assert codes(Commune.objects.search("Saint-Denis (93)")) == ["93066"]


def test_search_returns_at_most_the_limit():
    for number in range(12):
        CommuneFactory(code=f"339{number:02}", name="Villeneuve")

    assert len(Commune.objects.search("villeneuve")) == 10
    assert len(Commune.objects.search("villeneuve", limit=3)) == 3


@pytest.mark.parametrize("query", ["", "  ", "-", "zzzz", "99999"])
def test_search_finds_nothing(query):
    assert Commune.objects.search(query) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bordeaux", ["33063"]),
        ("bordeaux (33)", ["33063"]),
        ("Bordeaux (33) — 33000, 33090…", ["33063"]),
        ("33000", ["33063"]),
        ("33000 Bordeaux", ["33063"]),
        ("Saint-Denis", ["93066", "97411"]),
        ("Saint-Denis (974)", ["97411"]),
        ("Bordea", []),
        ("33500 Bordeaux", []),
        ("", []),
    ],
)
def test_named_is_exact(text, expected):
    assert codes(Commune.objects.named(text).order_by("code")) == expected


def test_a_renamed_commune_gets_new_search_keys():
    commune = Commune.objects.get(code="33394")
    commune.name = "Saint-Émilion-la-Grande"
    commune.save()

    assert commune.search_name == "saint emilion la grande"
    assert sorted(commune.search_keys.values_list("key", flat=True)) == ["emilion la grande", "grande", "la grande"]
    assert codes(Commune.objects.search("grande")) == ["33394"]


def test_label_lists_postal_codes_matching_the_query_first():
    bordeaux = Commune.objects.get(code="33063")

    assert bordeaux.label == "Bordeaux (33) — 33000, 33090…"
    assert bordeaux.label_for("333") == "Bordeaux (33) — 33300, 33000…"
    assert Commune.objects.get(code="15031").label == "Celles (15)"


class TestWithinKm:
    def test_near_and_far(self):
        bordeaux = Commune.objects.get(code="33063")

        within_10 = codes(Commune.objects.within_km(bordeaux, 10).order_by("code"))
        within_35 = codes(Commune.objects.within_km(bordeaux, 35).order_by("code"))

        assert within_10 == ["33063", "33281", "33318"]  # Bordeaux, Mérignac, Pessac
        assert "33243" not in within_10  # Libourne, 28 km away
        assert "33243" in within_35

    def test_agrees_with_the_distance_of_each_commune(self):
        libourne = Commune.objects.get(code="33243")
        expected = {
            commune.code for commune in Commune.objects.exclude(latitude=None) if commune.distance_km(libourne) <= 30
        }

        assert set(codes(Commune.objects.within_km(libourne, 30))) == expected

    def test_composes_with_other_filters(self):
        bordeaux = Commune.objects.get(code="33063")

        assert codes(Commune.objects.filter(population__lt=100000).within_km(bordeaux, 10).order_by("code")) == [
            "33281",
            "33318",
        ]

    def test_spans_the_world(self):
        bordeaux = Commune.objects.get(code="33063")

        assert Commune.objects.within_km(bordeaux, 20000).count() == Commune.objects.exclude(latitude=None).count()

    def test_commune_without_coordinates_is_only_near_itself(self):
        celles = Commune.objects.get(code="15031")

        assert codes(Commune.objects.within_km(celles, 50)) == ["15031"]


def test_factories_build_searchable_communes():
    postal_code = PostalCodeFactory(code="33610", commune=CommuneFactory(code="33122", name="Cestas", population=17000))

    assert codes(Commune.objects.search("cestas")) == [postal_code.commune_id]
    assert codes(Commune.objects.search("33610")) == ["33122"]
