"""Programme themes of training offers: the rules file, the keyword syntax and the derivation (pure, table-tested
without the database), then the bulk refresh (coordinators' choices left alone, a constant number of queries per
batch), the coordinators' choice and its reset, and the derive_themes command."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from horizon.programmes.enums import ProgrammeTheme as T
from horizon.training import themes
from horizon.training.enums import OfferChangeAction, ThemeOrigin
from horizon.training.models import FormationTheme, OfferChange
from horizon.training.themes import (
    ThemeRulesError,
    derive_themes,
    keyword_matches,
    load_rules,
    parse_rules,
    refresh_derived_themes,
)
from tests.factories.accounts import UserFactory
from tests.factories.training import FormationFactory, ProviderFactory
from tests.queries import count_queries

# --- The rules file ------------------------------------------------------------------------------------------


def test_the_rules_file_is_valid_and_covers_every_theme():
    rules = load_rules()
    assert [rule.theme for rule in rules] == list(T.values)
    assert all(rule.keywords or rule.formacodes or rule.rome for rule in rules)


def valid_document(**overrides):
    return {"themes": {theme: {} for theme in T.values} | overrides}


@pytest.mark.parametrize(
    "document, expected",
    [
        ({"themes": {**valid_document()["themes"], "numerique": {}}}, "règle « numerique » : thème inconnu"),
        (valid_document(gpec={"keywords": ["manag**"]}), "règle « gpec », keywords : mot-clé « manag** » mal formé"),
        (valid_document(gpec={"keywords": ["... équipe"]}), "mot-clé « ... équipe » mal formé"),
        (valid_document(gpec={"keywords": ["équipe ..."]}), "mot-clé « équipe ... » mal formé"),
        (valid_document(gpec={"keywords": ["harcèlement moral|au travail"]}), "mêle un petit mot ignoré"),
        (valid_document(gpec={"keywords": ["de la"]}), "aucun mot à chercher"),
        (valid_document(gpec={"keywords": ["ge*"]}), "au moins 3 lettres"),
        (valid_document(gpec={"keywords": ["(gpec)"]}), "mot-clé « (gpec) » mal formé"),
        (valid_document(gpec={"keywords": [""]}), "texte non vide"),
        (valid_document(gpec={"keywords": "gpec"}), "règle « gpec », keywords : une liste est attendue"),
        (valid_document(gpec={"formacodes": ["3309"]}), "« 3309 » n'est pas un code valide"),
        (valid_document(gpec={"nsf": ["31"]}), "« 31 » n'est pas un code valide"),
        (valid_document(gpec={"rome": ["M15"]}), "« M15 » n'est pas un code valide"),
        (valid_document(gpec={"exclude_codes": {"naf": ["8899"]}}), "exclude_codes : un dictionnaire"),
        (valid_document(gpec={"motscles": ["gpec"]}), "règle « gpec » : clé(s) inconnue(s) motscles"),
        (valid_document(gpec=["gpec"]), "règle « gpec » : un dictionnaire est attendu"),
        ({"themes": {"gpec": {}}}, "thème(s) sans règle : fiche_de_poste"),
        ({"regles": {}}, "clé « themes »"),
        (valid_document() | {"version": 2}, "clé(s) inconnue(s) : version"),
    ],
)
def test_a_faulty_rule_is_named_in_french(document, expected):
    with pytest.raises(ThemeRulesError) as error:
        parse_rules(document)
    assert expected in str(error.value)


def test_every_fault_of_a_file_is_reported_at_once():
    document = valid_document(gpec={"keywords": ["ge*"], "rome": ["Z9999"]})
    with pytest.raises(ThemeRulesError) as error:
        parse_rules(document)
    assert len(error.value.errors) == 2


def test_a_file_that_cannot_be_read_is_reported(tmp_path):
    broken = tmp_path / "rules.yaml"
    broken.write_text("themes: [gpec\n", encoding="utf-8")
    with pytest.raises(ThemeRulesError, match="rules.yaml : YAML invalide"):
        load_rules(broken)
    with pytest.raises(ThemeRulesError, match="lecture impossible"):
        load_rules(tmp_path / "absent.yaml")


def test_codes_written_as_numbers_are_read_as_strings():
    rules = parse_rules(valid_document(politique_rh={"nsf": [315], "formacodes": [33054]}))
    rule = next(rule for rule in rules if rule.theme == "politique_rh")
    assert rule.nsf == ("315",)
    assert rule.formacodes == ("33054",)


# --- Keyword syntax ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "keyword, text, found",
    [
        ("fiche de poste", "Rédiger les fiches de poste", False),  # a plural needs a *
        ("fiche* de poste*", "Rédiger les fiches de postes", True),
        ("fiche* de poste*", "FICHE DU POSTE", True),  # small words are ignored, case too
        ("encadr* équipe*", "Encadrement d’équipe", True),  # typographic apostrophe
        ("encadr* équipe*", "Encadrer en équipe", False),  # « en » is not a small word: it changes the meaning
        ("animer|piloter équipe*", "Piloter son équipe", True),
        ("animer|piloter équipe*", "Motiver son équipe", False),
        ("recrut* ... apprenti", "Recruter et former un apprenti", True),  # three words in between
        ("recrut* ... apprenti", "Recruter des salariés puis former et accueillir un apprenti", False),  # four
        ("égalité ... femme*", "Égalité entre les femmes et les hommes", True),
        ("rh", "Assistant RH", True),
        ("rh", "Rhétorique", False),  # whole words only
        ("télétravail*", "TELETRAVAIL", True),  # accents do not matter
        ("mise en œuvre", "mise en oeuvre", True),
        ("femmes hommes", "égalité femmes‑hommes", True),  # non-breaking hyphen
    ],
)
def test_keyword_syntax(keyword, text, found):
    assert keyword_matches(keyword, text) is found


# --- Derivation (pure) ---------------------------------------------------------------------------------------


def derive(title="", objective="", content="", formacodes=(), nsf=(), rome=()):
    return derive_themes(
        formacodes=list(formacodes),
        nsf_codes=list(nsf),
        rome_codes=list(rome),
        title=title,
        objective=objective,
        content=content,
    )


DERIVATIONS = [
    # One or more realistic titles per theme
    ("Rédiger et actualiser les fiches de poste", "", {T.FICHE_DE_POSTE}),
    ("Définir les postes", "Construire les fiches de fonction de votre association", {T.FICHE_DE_POSTE}),
    ("Recruter et intégrer un nouveau salarié", "", {T.RECRUTEMENT_APPRENTISSAGE}),
    ("Devenir maître d'apprentissage", "", {T.RECRUTEMENT_APPRENTISSAGE}),
    ("Accueillir et accompagner un apprenti dans sa structure", "", {T.RECRUTEMENT_APPRENTISSAGE}),
    (
        "Développer sa marque employeur",
        "Attirer et fidéliser ses salariés",
        {T.RECRUTEMENT_APPRENTISSAGE, T.POLITIQUE_RH},
    ),
    ("Élaborer le plan de développement des compétences", "", {T.FORMATION_COMPETENCES}),
    ("Devenir une entreprise apprenante", "Transmettre les savoir-faire en interne", {T.FORMATION_COMPETENCES}),
    ("Conduire les entretiens professionnels", "", {T.PARCOURS_PROFESSIONNELS}),
    ("Sécuriser les parcours professionnels de ses salariés", "", {T.PARCOURS_PROFESSIONNELS}),
    ("Mettre en place une démarche GPEC", "", {T.GPEC}),
    ("Cartographier les emplois et les compétences de sa structure", "", {T.GPEC}),
    ("Anticiper", "Gestion prévisionnelle des emplois et des compétences en TPE", {T.GPEC}),
    ("Les fondamentaux de la paie", "", {T.POLITIQUE_RH}),
    ("Construire une politique RH de qualité", "", {T.POLITIQUE_RH}),
    ("Droit du travail pour les employeurs associatifs", "", {T.POLITIQUE_RH}),
    ("Mettre en œuvre une AFEST dans sa structure", "", {T.AFEST}),
    ("Former ses tuteurs à l'action de formation en situation de travail", "", {T.AFEST}),
    ("Manager une équipe au quotidien", "", {T.MANAGEMENT}),
    ("Prise de poste d'encadrement : réussir ses débuts de manager", "", {T.MANAGEMENT}),
    ("Gestion des conflits au sein de l'équipe", "", {T.MANAGEMENT}),
    ("Préparer et conduire l'entretien annuel", "", {T.MANAGEMENT}),
    ("Prévenir les risques psychosociaux", "", {T.QVCT_TELETRAVAIL}),
    ("Mettre en place le télétravail dans son association", "", {T.QVCT_TELETRAVAIL}),
    ("Démarche qualité de vie et des conditions de travail (QVCT)", "", {T.QVCT_TELETRAVAIL}),
    ("Prévention des risques professionnels et document unique", "", {T.QVCT_TELETRAVAIL}),
    ("Formation des élus du CSE", "", {T.DIALOGUE_SOCIAL}),
    ("Animer le dialogue social dans les petites structures", "", {T.DIALOGUE_SOCIAL}),
    ("Égalité professionnelle entre les femmes et les hommes", "", {T.EGALITE_DIVERSITE}),
    ("Agir pour l'égalité femmes-hommes au travail", "", {T.EGALITE_DIVERSITE}),
    ("Recruter et intégrer des travailleurs handicapés", "", {T.RECRUTEMENT_APPRENTISSAGE, T.EGALITE_DIVERSITE}),
    ("MANAGER À DISTANCE ET TÉLÉTRAVAIL", "", {T.MANAGEMENT, T.QVCT_TELETRAVAIL}),
    # Negatives: trade courses, candidates' side, words that mean something else
    ("CAP Accompagnant éducatif petite enfance en apprentissage", "Se former par l'apprentissage", set()),
    ("Accompagnant éducatif et social", "Accompagner les personnes en situation de handicap au quotidien", set()),
    ("BAFA", "Encadrer un groupe d'enfants et travailler en équipe", set()),
    ("Cuisinier en restauration collective", "Gérer les stocks et encadrer une brigade", set()),
    ("Gestion prévisionnelle : budget et plan de trésorerie", "", set()),
    ("Management de projet informatique", "", set()),
    ("Management de la qualité ISO 9001", "", set()),
    ("Titre professionnel Manager d'unité marchande", "", set()),
    ("Community manager : animer les réseaux sociaux", "", set()),
    ("Harcèlement scolaire : prévenir et agir", "", set()),
    ("Entretien professionnel des locaux", "Techniques d'entretien des sols", set()),
    ("Recruter et fidéliser les bénévoles", "", set()),
    ("Préparation aux épreuves de recrutement de la fonction publique", "", set()),
    ("Devenir tuteur pédagogique en formation à distance", "", set()),
    ("Mandataire judiciaire", "Information et soutien des tuteurs familiaux", set()),
    ("Anglais professionnel", "Plan de formation individualisé selon votre niveau", set()),
    ("Sauveteur secouriste du travail (SST)", "", set()),
]


@pytest.mark.parametrize("title, objective, expected", DERIVATIONS, ids=[case[0][:50] for case in DERIVATIONS])
def test_derive_themes_from_words(title, objective, expected):
    assert derive(title, objective) == {str(theme) for theme in expected}


def test_the_table_covers_every_theme_and_enough_cases():
    assert len(DERIVATIONS) >= 30
    assert set().union(*(expected for *_, expected in DERIVATIONS)) == set(T)


@pytest.mark.parametrize(
    "codes, expected",
    [
        ({"formacodes": ["33091"]}, {T.GPEC, T.PARCOURS_PROFESSIONNELS, T.POLITIQUE_RH}),  # field 330 too
        ({"formacodes": ["33054"]}, {T.POLITIQUE_RH}),  # the whole RESSOURCES HUMAINES field
        ({"formacodes": ["44588"]}, {T.AFEST, T.RECRUTEMENT_APPRENTISSAGE}),  # TUTORAT ENTREPRISE
        ({"formacodes": ["33096"]}, {T.QVCT_TELETRAVAIL, T.POLITIQUE_RH}),  # TRAVAIL A DISTANCE
        ({"formacodes": ["32032"]}, {T.MANAGEMENT}),  # ENCADREMENT
        ({"formacodes": ["32074"]}, set()),  # GESTION PREVISIONNELLE is finance
        ({"formacodes": ["42829"]}, set()),  # SAUVETAGE SECOURISME TRAVAIL
        ({"formacodes": ["44513"]}, set()),  # PEDAGOGIE ALTERNANCE indexes any apprenticeship course
        ({"nsf": ["315t"]}, {T.POLITIQUE_RH}),
        ({"nsf": [" 315 "]}, {T.POLITIQUE_RH}),
        ({"nsf": ["333"]}, set()),
        ({"rome": ["M1511"]}, {T.QVCT_TELETRAVAIL}),
        ({"rome": ["m1506"]}, {T.MANAGEMENT}),
        ({"rome": ["M1510"]}, {T.EGALITE_DIVERSITE}),
        ({"rome": ["K2111"]}, set()),  # trainers
    ],
)
def test_derive_themes_from_codes(codes, expected):
    assert derive("Session 2026", **codes) == {str(theme) for theme in expected}


def test_trade_codes_silence_the_words_of_management_but_not_its_codes():
    assert derive("Chef de cuisine : manager sa brigade") == {T.MANAGEMENT}
    assert derive("Chef de cuisine : manager sa brigade", nsf=["221"]) == set()
    assert derive("BTS Management commercial", "Management de l'équipe commerciale", nsf=["312"]) == set()
    assert derive("Manager une équipe commerciale", formacodes=["32032"], nsf=["312"]) == {T.MANAGEMENT}


def test_the_content_counts_only_for_unambiguous_phrases():
    assert derive("Journée d'étude", content="Présentation de l'AFEST et des phases réflexives") == {T.AFEST}
    assert derive("Pâtisserie de base", content="Management d'une brigade, gestion des stocks, hygiène") == set()
    assert derive("Secrétaire assistant", content="Le recrutement : rédiger une annonce") == set()
    assert derive("Les bases", content="Le CSE : le comité social et économique") == {T.DIALOGUE_SOCIAL}


def test_a_keyword_cannot_span_the_title_and_the_objective():
    assert derive("Agir pour l'égalité", "Femmes et hommes : la parole") == set()
    assert derive("Agir pour l'égalité entre femmes et hommes", "") == {T.EGALITE_DIVERSITE}
    assert derive("Accueillir", "un apprenti") == set()


def test_missing_values_derive_nothing():
    assert derive_themes(formacodes=None, nsf_codes=None, rome_codes=None, title="", objective="") == set()


# --- Refreshing in bulk --------------------------------------------------------------------------------------


def formation(title="Formation", **kwargs):
    return FormationFactory(title=title, indexed=False, **kwargs)


def themes_of(formation_obj):
    return {(row.theme, row.origin) for row in FormationTheme.objects.filter(formation=formation_obj).order_by("theme")}


@pytest.mark.django_db
def test_refresh_writes_the_derived_themes_and_removes_stale_ones():
    gpec = formation("Mettre en place une démarche GPEC", nsf_codes=["315"])
    stale = formation("Cuisine de base", themes=[T.MANAGEMENT])
    report = refresh_derived_themes([gpec.pk, stale.pk, 999_999])
    assert themes_of(gpec) == {(T.GPEC, ThemeOrigin.DERIVED), (T.POLITIQUE_RH, ThemeOrigin.DERIVED)}
    assert themes_of(stale) == set()
    assert (report.refreshed, report.skipped, report.added, report.removed, report.untagged) == (2, 1, 2, 1, 1)
    assert report.themes == {T.GPEC: 1, T.POLITIQUE_RH: 1}
    # Running it again changes nothing.
    again = refresh_derived_themes([gpec.pk, stale.pk])
    assert (again.added, again.removed) == (0, 0)


@pytest.mark.django_db
def test_refresh_leaves_alone_the_offers_whose_themes_a_coordinator_chose():
    chosen = formation("Mettre en place une démarche GPEC")
    FormationTheme.objects.create(formation=chosen, theme=T.MANAGEMENT, origin=ThemeOrigin.MANUAL)
    chosen.themes_edited_at = chosen.created_at
    chosen.save()
    report = refresh_derived_themes([chosen.pk])
    assert themes_of(chosen) == {(T.MANAGEMENT, ThemeOrigin.MANUAL)}
    assert (report.refreshed, report.skipped) == (0, 1)


@pytest.mark.django_db
def test_refresh_gives_back_to_the_rules_the_rows_of_an_offer_nobody_chose_for():
    offer = formation("Prévenir les risques psychosociaux")
    FormationTheme.objects.create(formation=offer, theme=T.QVCT_TELETRAVAIL, origin=ThemeOrigin.MANUAL)
    FormationTheme.objects.create(formation=offer, theme=T.GPEC, origin=ThemeOrigin.MANUAL)
    refresh_derived_themes([offer.pk])
    assert themes_of(offer) == {(T.QVCT_TELETRAVAIL, ThemeOrigin.DERIVED)}


@pytest.mark.django_db
def test_refresh_runs_a_constant_number_of_queries_per_batch():
    provider = ProviderFactory()

    def offers(count):
        return [
            formation(title, provider=provider).pk
            for title in ["Manager une équipe", "Prévenir les RPS", "Cuisine"] * (count // 3)
        ]

    few, many = offers(3), offers(30)
    one_batch = count_queries(lambda: refresh_derived_themes(few))
    assert one_batch <= 7  # savepoint, offers, rows, insert (delete, relabel when needed), release
    assert count_queries(lambda: refresh_derived_themes(many)) == one_batch
    FormationTheme.objects.all().delete()
    assert count_queries(lambda: refresh_derived_themes(many, batch_size=10)) == 3 * one_batch
    assert FormationTheme.objects.filter(formation_id__in=many).count() == 20


# --- The coordinators' choice --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_choose_themes_then_reset():
    coordinator = UserFactory()
    offer = formation("Manager une équipe", themes=[T.MANAGEMENT])
    assert themes.choose_themes(offer, {T.GPEC, T.FICHE_DE_POSTE}, user=coordinator, note="Programme GPEC")
    offer.refresh_from_db()
    assert offer.themes_edited_by == coordinator and offer.themes_edited_at is not None
    assert themes_of(offer) == {(T.GPEC, ThemeOrigin.MANUAL), (T.FICHE_DE_POSTE, ThemeOrigin.MANUAL)}
    change = OfferChange.objects.get(formation=offer)
    assert change.action == OfferChangeAction.THEMES
    assert change.changes == {"themes": ["Management", "Fiche de poste, GPEC"]}
    assert change.note == "Programme GPEC"

    # The same choice again writes nothing.
    assert not themes.choose_themes(offer, {T.GPEC, T.FICHE_DE_POSTE}, user=coordinator)
    assert OfferChange.objects.filter(formation=offer).count() == 1

    # Back to the rules.
    assert themes.reset_themes(offer, user=coordinator) == {T.MANAGEMENT}
    offer.refresh_from_db()
    assert offer.themes_edited_by is None and offer.themes_edited_at is None
    assert themes_of(offer) == {(T.MANAGEMENT, ThemeOrigin.DERIVED)}
    reset = OfferChange.objects.filter(formation=offer).first()
    assert reset.changes == {"themes": ["Fiche de poste, GPEC", "Management"]}
    assert reset.note == themes.RESET_NOTE


@pytest.mark.django_db
def test_confirming_the_derived_themes_freezes_them_and_says_so():
    offer = formation("Manager une équipe", themes=[T.MANAGEMENT])
    assert themes.choose_themes(offer, {T.MANAGEMENT}, user=UserFactory())
    assert themes_of(offer) == {(T.MANAGEMENT, ThemeOrigin.MANUAL)}
    change = OfferChange.objects.get(formation=offer)
    assert (change.changes, change.note) == ({}, "Thèmes confirmés")


@pytest.mark.django_db
def test_choosing_no_theme_is_a_choice_and_unknown_themes_are_refused():
    offer = formation("Manager une équipe", themes=[T.MANAGEMENT])
    assert themes.choose_themes(offer, set(), user=UserFactory())
    assert themes_of(offer) == set()
    assert OfferChange.objects.get(formation=offer).changes == {"themes": ["Management", "aucun"]}
    with pytest.raises(ValueError, match="numerique"):
        themes.choose_themes(offer, {"numerique"}, user=UserFactory())


# --- The command ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_rederives_open_offers_not_chosen_by_a_coordinator():
    open_offer = formation("Manager une équipe")
    closed = formation("Prévenir les risques psychosociaux", closed=True)
    chosen = formation("Égalité professionnelle", themes=[T.GPEC])
    chosen.themes_edited_at = chosen.created_at
    chosen.save()

    out = StringIO()
    call_command("derive_themes", stdout=out)
    output = out.getvalue()
    assert "1 formations ouvertes recalculées : 1 thème(s) ajouté(s), 0 retiré(s)." in output
    assert "1 formations ouvertes dont la coordination a choisi les thèmes : inchangées." in output
    width = max(len(label) for label in T.labels)
    assert f"  {'Management'.ljust(width)}  1\n" in output
    assert f"  {'GPEC'.ljust(width)}  0\n" in output
    assert themes_of(open_offer) == {(T.MANAGEMENT, ThemeOrigin.DERIVED)}
    assert themes_of(closed) == set()
    assert themes_of(chosen) == {(T.GPEC, ThemeOrigin.DERIVED)}  # left as it was

    out = StringIO()
    call_command("derive_themes", "--all", stdout=out)
    assert "2 formations recalculées" in out.getvalue()
    assert themes_of(closed) == {(T.QVCT_TELETRAVAIL, ThemeOrigin.DERIVED)}


@pytest.mark.django_db
def test_the_command_refuses_faulty_rules(monkeypatch, tmp_path):
    faulty = tmp_path / "rules.yaml"
    faulty.write_text("themes:\n  numerique: {}\n", encoding="utf-8")
    monkeypatch.setattr(themes, "RULES_PATH", faulty)
    with pytest.raises(CommandError, match="thème inconnu"):
        call_command("derive_themes", stdout=StringIO())
