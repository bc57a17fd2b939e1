"""French full-text search: the normalisation (table tests, no database) and the search itself, which must behave
the same on SQLite (FTS5) and PostgreSQL (tsvector + GIN): the suite runs on both."""

import pytest
from django.db import connection

from horizon.programmes.enums import ProgrammeTheme
from horizon.training.models import Formation
from horizon.training.search import (
    TABLE,
    fold,
    fts5_query,
    index_formations,
    matching_ids,
    query_terms,
    ranks,
    rebuild_index,
    search_formations,
    terms,
    tsquery,
)
from tests.factories.training import FormationFactory, ProviderFactory

# Normalisation -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Apprentissage", "apprentissage"),
        ("L'Œuvre d'Été", "l oeuvre d ete"),
        ("Qualité de vie et des conditions de travail (QVCT)", "qualite de vie et des conditions de travail qvct"),
        ("Bien-être au travail", "bien etre au travail"),
        ("  GPEC — 2026  ", "gpec 2026"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold_lowers_strips_accents_and_punctuation(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("apprentis", "apprenti"),
        ("Fiches", "fiche"),
        ("postes", "poste"),
        ("équipes", "EQUIPE"),
        ("formations", "formation"),
        ("sociaux", "social"),
        ("Développement", "developpement"),
        ("qualité", "qualite"),
        ("recrutement", "recruter"),
        ("management", "manager"),
    ],
)
def test_words_of_a_family_share_their_term(a, b):
    assert terms(a) == terms(b)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fiche de poste", ["fich", "post"]),
        ("management à distance", ["manag", "distanc"]),
        ("la politique RH d'une association", ["polit", "rh", "associ"]),
        ("le la les de des du", []),
        ("poste poste Postes", ["post"]),
        ("bien-être", ["bien", "etre"]),
        ("RNCP 35678", ["rncp", "35678"]),
    ],
)
def test_query_terms_drop_stop_words_and_repeats(text, expected):
    assert query_terms(text) == expected


def test_query_terms_are_bounded():
    assert len(query_terms(" ".join(f"mot{n}" for n in range(50)))) == 12
    assert query_terms("x" * 10_000) == ["x" * 500]


@pytest.mark.parametrize(
    ("words", "fts5", "pg"),
    [
        (["apprent"], '"apprent"*', "apprent:*"),
        (["fich", "post"], '"fich"* AND "post"*', "fich:* & post:*"),
        (["polit", "rh"], '"polit"* AND "rh"', "polit:* & rh"),
    ],
)
def test_queries_match_prefixes_of_long_enough_terms(words, fts5, pg):
    assert fts5_query(words) == fts5
    assert tsquery(words) == pg


# Search (both databases) -------------------------------------------------------------------------------------------


def titles(queryset):
    return [formation.title for formation in queryset]


def found(text, queryset=None):
    queryset = Formation.objects.open() if queryset is None else queryset
    return sorted(titles(search_formations(queryset, text)))


@pytest.fixture
def catalogue(db):
    FormationFactory(title="Apprentissage : recruter et accompagner", objective="Accueillir un jeune en contrat.")
    FormationFactory(title="Tuteur d'apprentis", objective="Transmettre son métier.")
    FormationFactory(title="Rédiger les fiches de poste", objective="Décrire les missions.")
    FormationFactory(title="Manager une équipe à distance", objective="Animer le télétravail.")
    FormationFactory(title="Comptabilité associative", objective="Tenir les comptes d'une association.")


def test_apprenti_finds_apprentissage_and_apprentis(catalogue):
    assert found("apprenti") == ["Apprentissage : recruter et accompagner", "Tuteur d'apprentis"]


def test_fiche_de_poste_finds_the_plural(catalogue):
    assert found("fiche de poste") == ["Rédiger les fiches de poste"]


def test_management_a_distance_finds_manager_une_equipe_a_distance(catalogue):
    assert found("management à distance") == ["Manager une équipe à distance"]


@pytest.mark.parametrize("text", ["COMPTABILITÉ", "comptabilite", "Comptable", "associatif", "ASSOCIATION"])
def test_accents_and_case_are_ignored(catalogue, text):
    assert found(text) == ["Comptabilité associative"]


def test_every_word_must_match(catalogue):
    assert found("apprentissage comptabilité") == []
    assert found("xylophone") == []


def test_text_without_searchable_words_filters_nothing(catalogue):
    assert len(found("de la")) == 5
    assert len(found("")) == 5


def test_a_word_being_typed_finds_the_words_it_starts(catalogue):
    assert found("télétrav") == ["Manager une équipe à distance"]


def test_provider_name_and_certification_codes_are_searched(db):
    FormationFactory(title="Gestion de la paie", provider=ProviderFactory(name="Institut Montaigne Formation"))
    FormationFactory(title="Encadrant technique", certifications=[{"type": "RNCP", "code": "35678"}])
    assert found("montaigne") == ["Gestion de la paie"]
    assert found("RNCP 35678") == ["Encadrant technique"]


def test_title_matches_rank_before_content_matches(db):
    FormationFactory(
        title="Conduire un projet associatif",
        objective="Le tutorat des nouveaux salariés, le tutorat des bénévoles et le tutorat des jeunes.",
        content="Tutorat : outils, posture et suivi du tutorat.",
    )
    FormationFactory(title="Tutorat en entreprise", objective="Accompagner un nouvel arrivant.")
    ranked = search_formations(Formation.objects.all(), "tutorat").order_by("-search_rank")
    assert titles(ranked) == ["Tutorat en entreprise", "Conduire un projet associatif"]
    first, second = ranked
    assert first.search_rank > second.search_rank > 0


def test_search_composes_with_other_filters(db):
    qualiopi = ProviderFactory(qualiopi=True)
    FormationFactory(title="Recrutement inclusif", provider=qualiopi, themes=[ProgrammeTheme.RECRUTEMENT_APPRENTISSAGE])
    FormationFactory(title="Recrutement et entretien", provider=ProviderFactory(without_qualiopi=True))
    FormationFactory(title="Entretien professionnel", provider=qualiopi)

    queryset = Formation.objects.filter(provider__qualiopi=True)
    assert found("recrutement", queryset) == ["Recrutement inclusif"]
    themed = search_formations(Formation.objects.all(), "recruter").filter(
        themes__theme=ProgrammeTheme.RECRUTEMENT_APPRENTISSAGE
    )
    assert titles(themed) == ["Recrutement inclusif"]
    assert search_formations(Formation.objects.all(), "entretien").count() == 2
    # As a subquery of another query, too.
    assert (
        Formation.objects.filter(pk__in=search_formations(Formation.objects.all(), "entretien").values("pk")).count()
        == 2
    )


@pytest.mark.parametrize("text", ["tutorat", "tutorat entreprise", "entrep"])
def test_ranks_read_in_one_query_are_the_search_ranks(db, text):
    FormationFactory(title="Tutorat en entreprise", objective="Accompagner un nouvel arrivant en entreprise.")
    FormationFactory(title="Conduire un projet", objective="Le tutorat des bénévoles, en entreprise ou non.")
    FormationFactory(title="Tutorat", content="Le tutorat : outils et posture.")
    FormationFactory(title="Comptabilité")
    searched = search_formations(Formation.objects.all(), text)
    assert ranks(text) == {formation.pk: formation.search_rank for formation in searched}
    assert set(Formation.objects.filter(pk__in=matching_ids(text)).values_list("pk", flat=True)) == set(ranks(text))


def test_text_without_searchable_words_has_no_ranks_nor_subquery(db):
    FormationFactory(title="Tutorat")
    assert ranks("de la") == {}
    assert matching_ids("de la") is None


def test_the_index_follows_a_change_once_refreshed(db):
    formation = FormationFactory(title="Gestion du temps")
    formation.title = "Prévention des risques psychosociaux"
    formation.save()
    assert found("psychosociaux") == []  # not refreshed yet
    index_formations([formation.pk])
    assert found("psychosocial") == ["Prévention des risques psychosociaux"]
    assert found("gestion temps") == []


def test_a_closed_formation_is_not_found(db):
    formation = FormationFactory(title="Animer une réunion")
    FormationFactory(title="Animer un atelier", closed=True)
    assert found("animer") == ["Animer une réunion"]
    # Closing it takes it out of the index as well, once refreshed.
    Formation.objects.filter(pk=formation.pk).update(closed_at=formation.created_at)
    index_formations([formation.pk])
    assert found("animer", Formation.objects.all()) == []


def test_deleting_a_formation_deletes_its_index_row(db):
    formation = FormationFactory(title="Sauveteur secouriste du travail")
    formation.delete()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
        assert cursor.fetchone()[0] == 0


def test_index_and_rebuild_in_bulk(db):
    provider = ProviderFactory()
    formations = Formation.objects.bulk_create(
        Formation(source="bulk", source_id=str(n), provider=provider, title=f"Atelier numérique {n}")
        for n in range(2500)
    )
    assert found("numérique") == []
    index_formations(formation.pk for formation in formations)
    assert search_formations(Formation.objects.all(), "numerique").count() == 2500
    assert rebuild_index() == 2500
    assert search_formations(Formation.objects.all(), "atelier 1234").count() == 1
