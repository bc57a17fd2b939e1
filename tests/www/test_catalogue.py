"""The public catalogue: the search page (filters, sorts, htmx, pagination, query counts) and the offer page."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from horizon.programmes.enums import ProgrammeRole, ProgrammeTheme
from horizon.training.dates import french_date
from horizon.training.enums import DatePrecision, Modality, RecruitmentState
from horizon.www.catalogue.views import format_euros, session_dates
from tests.factories.accounts import UserFactory, user_with_role
from tests.factories.organisations import StructureFactory, employer
from tests.factories.territories import CommuneFactory, EpciFactory
from tests.factories.training import (
    ActionFactory,
    FormationFactory,
    ProviderFactory,
    ProviderMembershipFactory,
    SessionFactory,
    in_days,
    load_lheo_labels,
    offer,
)
from tests.queries import count_queries

URL = reverse("catalogue:search")


def listed(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return [result.formation.title for result in response.context["results"]]


@pytest.fixture
def libourne(db):
    return CommuneFactory(
        code="33243",
        name="Libourne",
        latitude=44.9153,
        longitude=-0.2439,
        epci=EpciFactory(siren="200070084", name="CA du Libournais", kind="CA"),
    )


# Readable values ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [(1234, "1\u202f234\u00a0€"), (1234.5, "1\u202f234,50\u00a0€"), (80, "80\u00a0€"), (None, "")],
)
def test_prices_read_the_french_way(amount, text):
    assert format_euros(amount) == text


@pytest.mark.parametrize(
    ("precision", "text"),
    [(DatePrecision.DAY, "7 septembre 2026"), (DatePrecision.MONTH, "septembre 2026"), (DatePrecision.YEAR, "2026")],
)
def test_partial_dates_show_what_is_known(precision, text):
    assert french_date(datetime.date(2026, 9, 7), precision) == text


@pytest.mark.parametrize(
    ("start", "end", "precision", "text"),
    [
        (datetime.date(2026, 9, 7), datetime.date(2026, 9, 11), DatePrecision.DAY, "Du 7 au 11 septembre 2026"),
        (
            datetime.date(2026, 9, 28),
            datetime.date(2026, 10, 2),
            DatePrecision.DAY,
            "Du 28 septembre au 2 octobre 2026",
        ),
        (
            datetime.date(2026, 12, 28),
            datetime.date(2027, 1, 8),
            DatePrecision.DAY,
            "Du 28 décembre 2026 au 8 janvier 2027",
        ),
        (datetime.date(2026, 9, 7), None, DatePrecision.DAY, "Le 7 septembre 2026"),
        (datetime.date(2026, 9, 1), None, DatePrecision.MONTH, "Septembre 2026"),
        (datetime.date(2026, 1, 1), None, DatePrecision.YEAR, "2026"),
        (None, None, DatePrecision.DAY, "Dates à venir"),
    ],
)
def test_session_dates_read_as_people_write_them(db, start, end, precision, text):
    session = SessionFactory.build(
        action=ActionFactory.build(), start_date=start, end_date=end, start_precision=precision
    )
    assert session_dates(session) == text


# Search page -------------------------------------------------------------------------------------------------------


def test_the_catalogue_is_public_and_lists_open_offers_with_upcoming_sessions(client, db):
    offer("Tutorat en entreprise")
    offer("Formation passée", session={"past": True})
    offer("Formation retirée", formation={"closed": True})
    offer("Session annulée", session={"cancelled": True})
    offer("Inscriptions closes", session={"registrations_closed": True})
    offer("Dates à venir", session={"undated": True})
    offer("Entrées permanentes", action={"permanent": True}, session={"ongoing": True})
    offer("En cours, dates fixes", session={"ongoing": True})
    FormationFactory(title="Sans session")
    response = client.get(URL)
    assert response.status_code == 200
    assert sorted(r.formation.title for r in response.context["results"]) == [
        "Dates à venir",
        "Entrées permanentes",
        "Tutorat en entreprise",
    ]
    content = response.content.decode()
    assert "<h1>Catalogue des formations</h1>" in content
    assert "3 formations" in content
    assert 'href="/compte/' in content or "Se connecter" in content


def test_the_header_links_to_the_catalogue_for_everybody(client, db):
    assert 'href="/formations/"' in client.get(reverse("accounts:login")).content.decode()
    client.force_login(UserFactory())
    assert 'href="/formations/"' in client.get(URL).content.decode()


def test_a_partial_start_date_counts_for_its_whole_month_or_year(client, db):
    today = timezone.localdate()
    first_of_month = today.replace(day=1)
    offer("Ce mois-ci", session={"start_date": first_of_month, "month_only": True})
    offer("Cette année", session={"start_date": datetime.date(today.year, 1, 1), "year_only": True})
    offer("Le mois dernier", session={"start_date": first_of_month - datetime.timedelta(days=1), "month_only": True})
    assert sorted(listed(client)) == ["Ce mois-ci", "Cette année"]


def test_text_search_ranks_by_relevance_then_date(client, db):
    offer("Accueillir un apprenti", session={"start_date": in_days(90)})
    offer("Apprentissage : les aides", session={"start_date": in_days(30)})
    offer("Gestion de projet", formation={"objective": "Pour les maîtres d'apprentissage."})
    offer("Comptabilité")
    titles = listed(client, q="apprenti")
    assert set(titles[:2]) == {"Accueillir un apprenti", "Apprentissage : les aides"}
    assert titles[2:] == ["Gestion de projet"]
    assert listed(client, q="apprenti", tri="date") == [
        "Apprentissage : les aides",
        "Gestion de projet",
        "Accueillir un apprenti",
    ]


def test_equal_relevance_goes_by_next_session_then_undated_last(client, db):
    # The relevance order is sorted in Python from ranks read in one query: ties must fall as SQL put them.
    provider = ProviderFactory(name="Institut Garonne")
    offer("Tutorat en entreprise", provider=provider, session={"undated": True})
    offer("Tutorat en entreprise", provider=provider, session={"start_date": in_days(30)})
    later = offer("Tutorat en entreprise", provider=provider, session={"start_date": in_days(10)})
    best = offer("Tutorat : le tutorat en entreprise", provider=provider, session={"start_date": in_days(90)})
    offer("Comptabilité", provider=provider)
    response = client.get(URL, {"q": "tutorat"})
    results = response.context["results"]
    assert [r.formation.pk for r in results[:2]] == [best.pk, later.pk]
    assert [r.session.start_date for r in results[1:]] == [in_days(10), in_days(30), None]
    assert response.context["page"].paginator.count == 4


def test_pages_by_relevance_count_and_slice_the_whole_list(client, db):
    for n in range(23):
        offer(f"Atelier {n:02d}", session={"start_date": in_days(10 + n)})
    first = client.get(URL, {"q": "atelier"})
    assert first.context["page"].paginator.count == 23
    assert [r.formation.title for r in first.context["results"]][:2] == ["Atelier 00", "Atelier 01"]
    second = client.get(URL, {"q": "atelier", "page": "2"})
    assert [r.formation.title for r in second.context["results"]] == ["Atelier 20", "Atelier 21", "Atelier 22"]
    assert "page 2 sur 2" in second.content.decode()


def test_default_order_is_the_next_session(client, db):
    offer("Plus tard", session={"start_date": in_days(80)})
    offer("Bientôt", session={"start_date": in_days(10)})
    offer("Sans date", session={"undated": True})
    assert listed(client) == ["Bientôt", "Plus tard", "Sans date"]


@pytest.mark.parametrize("params", [{}, {"theme": ProgrammeTheme.MANAGEMENT}])
def test_the_same_offers_in_the_same_order_with_or_without_a_narrowing_filter(client, db, params):
    # With no filter, the listing reads what the joinable rule asks of actions and formations in subqueries; with a
    # filter that narrows it, in joins (available_q's join_action): same formations, same order, same count.
    today = timezone.localdate()
    first_of_month = today.replace(day=1)
    new_year = datetime.date(today.year, 1, 1)
    kept = [  # (title, next start, offer options), created in this order: equal starts go by id
        ("Cette année", new_year, {"session": {"start_date": new_year, "year_only": True}}),
        ("Ce mois-ci", first_of_month, {"session": {"start_date": first_of_month, "month_only": True}}),
        ("Entrées permanentes", in_days(-10), {"action": {"permanent": True}, "session": {"ongoing": True}}),
        ("Dans 10 jours", in_days(10), {"session": {"start_date": in_days(10)}}),
        ("Dates à venir", None, {"session": {"undated": True}}),
    ]
    left_out = [
        ("Action retirée", {"action": {"closed_at": timezone.now()}}),
        ("Formation retirée", {"formation": {"closed": True}}),
        ("Session annulée", {"session": {"cancelled": True}}),
        ("Inscriptions closes", {"session": {"registrations_closed": True}}),
        ("En cours, dates fixes", {"session": {"ongoing": True}}),
        (
            "Le mois dernier",
            {"session": {"start_date": first_of_month - datetime.timedelta(days=1), "month_only": True}},
        ),
    ]
    for title, _start, options in kept:
        offer(title, themes=[ProgrammeTheme.MANAGEMENT], **options)
    for title, options in left_out:
        offer(title, themes=[ProgrammeTheme.MANAGEMENT], **options)
    response = client.get(URL, params)
    by_next_start = sorted(kept, key=lambda row: (row[1] is None, row[1] or today))  # stable: equal starts by id
    assert [result.formation.title for result in response.context["results"]] == [row[0] for row in by_next_start]
    assert response.context["page"].paginator.count == len(kept)


def test_filter_by_theme_certifying_and_qualiopi(client, db):
    offer("Management", themes=[ProgrammeTheme.MANAGEMENT], certifying_rncp=True)
    offer("Management sans Qualiopi", themes=[ProgrammeTheme.MANAGEMENT], provider=ProviderFactory(qualiopi=False))
    offer("Fiches de poste", themes=[ProgrammeTheme.FICHE_DE_POSTE])
    assert sorted(listed(client, theme="management")) == ["Management", "Management sans Qualiopi"]
    assert listed(client, theme="management", qualiopi="on") == ["Management"]
    assert listed(client, certifiante="on") == ["Management"]


def test_filter_by_departement_and_epci(client, bordeaux, libourne, perigueux):
    offer("À Bordeaux", action={"commune": bordeaux})
    offer("À Libourne", action={"commune": libourne})
    offer("À Périgueux", action={"commune": perigueux})
    offer("À distance", action={"remote": True})
    assert sorted(listed(client, departement="33")) == ["À Bordeaux", "À Libourne"]
    assert listed(client, departement="33", epci="200070084") == ["À Libourne"]
    assert listed(client, epci="200040392") == ["À Périgueux"]
    assert sorted(listed(client, departement="24", a_distance="on")) == ["À Périgueux", "À distance"]


def test_within_a_radius_of_a_commune_sorted_by_distance(client, bordeaux, merignac, libourne, perigueux):
    offer("À Libourne", action={"commune": libourne}, session={"start_date": in_days(5)})
    offer("À Bordeaux", action={"commune": bordeaux}, session={"start_date": in_days(50)})
    offer("À Périgueux", action={"commune": perigueux})
    params = {"commune": merignac.code, "commune_texte": "Mérignac (33)", "rayon": "50", "tri": "distance"}
    response = client.get(URL, params)
    results = response.context["results"]
    assert [r.formation.title for r in results] == ["À Bordeaux", "À Libourne"]
    assert results[0].distance == "5,0\u00a0km"
    assert "à 5,0\u00a0km</strong> de Mérignac" in response.content.decode()
    # 20 km keeps Bordeaux only; the default radius is 30 km; by date, Libourne comes first.
    assert listed(client, **{**params, "rayon": "20"}) == ["À Bordeaux"]
    assert listed(client, **{**params, "rayon": "", "tri": ""}) == ["À Bordeaux"]
    assert listed(client, **{**params, "tri": "date"}) == ["À Libourne", "À Bordeaux"]


def test_the_nearest_session_is_shown_when_sorting_by_distance(client, bordeaux, libourne, merignac):
    formation = FormationFactory(title="Deux lieux")
    SessionFactory(action=ActionFactory(formation=formation, commune=libourne), start_date=in_days(5))
    SessionFactory(action=ActionFactory(formation=formation, commune=bordeaux), start_date=in_days(40))
    response = client.get(URL, {"commune": merignac.code, "rayon": "50", "tri": "distance"})
    (result,) = response.context["results"]
    assert result.place.endswith("Bordeaux (33)")
    assert result.other_sessions == 1


def test_filter_by_start_dates(client, db):
    offer("Dans 10 jours", session={"start_date": in_days(10)})
    offer("Dans 40 jours", session={"start_date": in_days(40)})
    offer("Sans date", session={"undated": True})
    du, au = in_days(20).isoformat(), in_days(50).isoformat()
    assert listed(client, du=du) == ["Dans 40 jours"]
    assert listed(client, au=in_days(20).isoformat()) == ["Dans 10 jours"]
    assert listed(client, du=du, au=au) == ["Dans 40 jours"]
    # A start in the past is read as today.
    assert listed(client, du="2000-01-01") == ["Dans 10 jours", "Dans 40 jours"]


def test_filter_by_modality_cpf_and_funder(client, db):
    load_lheo_labels()
    offer("Présentiel", action={"priced": True})
    offer("À distance CPF", action={"remote": True, "cpf": True, "funders": ["10"]})
    offer("Mixte", action={"blended": True})
    assert listed(client, modalite=Modality.DISTANCE) == ["À distance CPF"]
    assert listed(client, modalite=Modality.BLENDED) == ["Mixte"]
    assert listed(client, cpf="on") == ["À distance CPF"]
    assert listed(client, financeur="16") == ["Présentiel"]
    assert listed(client, financeur="5") == ["Présentiel"]
    assert listed(client, financeur="10") == ["À distance CPF"]
    response = client.get(URL, {"financeur": "16"})
    assert response.context["active_filters"][0][:2] == ("Financement possible par", "OPCO")


def test_results_show_provider_themes_modality_price_and_duration(client, db):
    load_lheo_labels()
    offer(
        "Recruter sans discriminer",
        themes=[ProgrammeTheme.RECRUTEMENT_APPRENTISSAGE],
        provider=ProviderFactory(name="Institut Garonne", qualiopi=True),
        action={"priced": True},
        sessions=3,
    )
    content = client.get(URL).content.decode()
    assert "Institut Garonne" in content
    assert "Qualiopi" in content
    assert "Recrutement et apprentissage" in content
    assert "En présentiel" in content
    assert "35\u00a0h — 1\u202f234\u00a0€ TTC" in content
    assert "(+ 2 autres sessions)" in content


def test_an_invalid_filter_is_explained_and_the_others_still_apply(client, db):
    offer("Tutorat", themes=[ProgrammeTheme.AFEST])
    offer("Paie")
    response = client.get(
        URL,
        {
            "theme": ProgrammeTheme.AFEST,
            "du": "31/02/2026",
            "commune_texte": "Zzyzx",
            "tri": "distance",
            "modalite": "9",
        },
    )
    assert response.status_code == 200
    assert [r.formation.title for r in response.context["results"]] == ["Tutorat"]
    content = response.content.decode()
    assert "Saisissez une date valide." in content
    assert "Aucune commune ne correspond à « Zzyzx »." in content
    assert "Sélectionnez un choix valide" in content
    assert 'aria-invalid="true"' in content


def test_a_period_that_ends_before_it_starts_is_refused(client, db):
    response = client.get(URL, {"du": in_days(30).isoformat(), "au": in_days(10).isoformat()})
    assert "La fin de la période doit suivre son début." in response.content.decode()


def test_sort_by_distance_needs_a_commune(client, db):
    offer("Tutorat")
    response = client.get(URL, {"tri": "distance"})
    assert "Choisissez une commune pour trier par distance." in response.content.decode()
    assert response.context["sort"] == "date"


def test_active_filters_are_removable_chips(client, bordeaux):
    response = client.get(URL, {"q": "tutorat", "qualiopi": "on", "commune": bordeaux.code, "rayon": "20"})
    chips = {label: (shown, rest) for label, shown, rest in response.context["active_filters"]}
    assert chips["Mots-clés"] == ("tutorat", "qualiopi=on&commune=33063&rayon=20")
    assert chips["Commune"][0] == "Bordeaux (33), 20 km"
    assert chips["Commune"][1] == "q=tutorat&qualiopi=on"
    assert chips["Organismes certifiés Qualiopi"][0] == "oui"
    assert "(retirer ce filtre)" in response.content.decode()


def test_htmx_swaps_the_results_and_announces_the_count(client, db):
    offer("Tutorat")
    headers = {"HX-Request": "true", "HX-Trigger": "filtres", "HX-Current-URL": "http://testserver/formations/"}
    response = client.get(URL, {"q": "tutorat"}, headers=headers)
    content = response.content.decode()
    assert "<html" not in content
    assert "Tutorat" in content
    assert '<div id="annonce-resultats" hx-swap-oob="innerHTML">1 formation trouvée</div>' in content
    assert 'id="filtres"' not in content  # the filters stay as they are
    assert response["HX-Push-Url"] == "/formations/?q=tutorat"
    response = client.get(URL, {"q": "", "theme": "", "tri": "", "page": "1"}, headers=headers)
    assert response["HX-Push-Url"] == "/formations/"
    assert response["Vary"] == "HX-Request, Cookie" or "HX-Request" in response["Vary"]


def test_htmx_sends_the_filters_back_when_they_must_change(client, db):
    base = {"HX-Request": "true", "HX-Trigger": "filtres", "HX-Current-URL": "http://testserver/formations/"}
    # An error to show.
    content = client.get(URL, {"du": "demain"}, headers=base).content.decode()
    assert 'id="filtres"' in content and 'hx-swap-oob="true"' in content
    # An error to take away.
    content = client.get(URL, {}, headers={**base, "X-Catalogue-Errors": "1"}).content.decode()
    assert 'id="filtres"' in content
    # A new département: the EPCI list follows.
    content = client.get(URL, {"departement": "33"}, headers=base).content.decode()
    assert 'id="filtres"' in content
    # A removed chip or a page link (not the form).
    content = client.get(URL, {}, headers={**base, "HX-Trigger": ""}).content.decode()
    assert 'id="filtres"' in content


def test_pagination_keeps_the_filters(client, db):
    for n in range(23):
        offer(f"Atelier {n:02d}", session={"start_date": in_days(10 + n)})
    response = client.get(URL, {"q": "atelier", "tri": "date"})
    assert len(response.context["results"]) == 20
    assert "?q=atelier&amp;tri=date&amp;page=2" in response.content.decode()
    response = client.get(URL, {"q": "atelier", "tri": "date", "page": "2"})
    assert [r.formation.title for r in response.context["results"]] == ["Atelier 20", "Atelier 21", "Atelier 22"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "atelier"},
        {"theme": ProgrammeTheme.MANAGEMENT, "departement": "33"},
        {"q": "atelier", "commune": "33063", "rayon": "30", "tri": "distance"},
    ],
)
def test_query_count_does_not_grow_with_rows(client, bordeaux, params):
    load_lheo_labels()

    def add(n):
        for _ in range(n):
            offer("Atelier", themes=[ProgrammeTheme.MANAGEMENT, ProgrammeTheme.AFEST], sessions=2)

    add(2)
    few = count_queries(lambda: client.get(URL, params))
    add(8)
    many = count_queries(lambda: client.get(URL, params))
    assert few == many
    assert many <= 12


# Offer page --------------------------------------------------------------------------------------------------------


def test_the_offer_page_tells_what_a_person_needs_to_decide(client, db):
    load_lheo_labels()
    formation = offer(
        "Encadrant technique d'insertion",
        certifying_rncp=True,
        objective="Encadrer une équipe en parcours d'insertion.",
        content="Module 1 : accueil.",
        expected_results="Titre professionnel.",
        provider=ProviderFactory(name="Institut Garonne", email="contact@garonne.fr", phone="05 56 11 22 33"),
        action={"priced": True, "cpf": True},
        sessions=0,
    )
    action = formation.actions.get()
    SessionFactory(
        action=action, start_date=datetime.date(2099, 9, 1), start_precision=DatePrecision.MONTH, end_date=None
    )
    SessionFactory(
        action=action, start_date=datetime.date(2099, 1, 1), start_precision=DatePrecision.YEAR, end_date=None
    )
    SessionFactory(
        action=action,
        start_date=datetime.date(2099, 3, 2),
        end_date=datetime.date(2099, 3, 6),
        recruitment_state=RecruitmentState.CLOSED,
    )
    response = client.get(reverse("catalogue:offer", args=[formation.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    for text in [
        "Encadrer une équipe en parcours d&#x27;insertion.",
        "Module 1 : accueil.",
        "Titre professionnel.",
        "RNCP 35678",
        "Niveau 5",
        "35&nbsp;h",
        "1\u202f234\u00a0€ TTC",
        "Éligible au CPF",
        "OPCO, Entreprise",
        "En présentiel",
        "Certifié Qualiopi",
        "contact@garonne.fr",
        "Septembre 2099",
        "<strong>2099</strong>",
        "Du 2 au 6 mars 2099",
        "Inscriptions fermées",
    ]:
        assert text in content, text
    assert "Modifier l&#x27;offre" not in content
    assert content.index("2099</strong>") < content.index("Du 2 au 6 mars") < content.index("Septembre 2099")


def test_a_closed_offer_says_so(client, db):
    formation = offer("Ancienne formation", formation={"closed": True})
    content = client.get(reverse("catalogue:offer", args=[formation.pk])).content.decode()
    assert "Cette offre n'est plus proposée par l'organisme" in content
    assert "Sessions à venir" not in content


def test_an_employer_sees_how_far_each_session_is(client, bordeaux, libourne):
    structure = StructureFactory(name="Centre social Bastide", commune=bordeaux, latitude=44.8378, longitude=-0.5792)
    formation = offer("Tutorat", action={"commune": libourne})
    url = reverse("catalogue:offer", args=[formation.pk])
    assert "de Centre social Bastide" not in client.get(url).content.decode()
    client.force_login(employer(structure))
    content = client.get(url).content.decode()
    assert "À 28\u00a0km de Centre social Bastide" in content


def test_edit_links_only_for_the_right_roles(client, db):
    formation = offer("Tutorat")
    url = reverse("catalogue:offer", args=[formation.pk])
    edit, add_session, themes = (
        reverse("training:edit", args=[formation.pk]),
        reverse("training:session_add", args=[formation.pk]),
        reverse("training:themes", args=[formation.pk]),
    )

    def links(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        content = client.get(url).content.decode()
        return {
            name for name, link in [("edit", edit), ("session", add_session), ("themes", themes)] if link in content
        }

    assert links(None) == set()
    assert links(employer()) == set()
    assert links(ProviderMembershipFactory(provider=formation.provider).user) == {"edit", "session"}
    assert links(ProviderMembershipFactory().user) == set()  # another provider
    assert links(user_with_role(ProgrammeRole.COORDINATOR)) == {"edit", "session", "themes"}
    assert links(user_with_role(ProgrammeRole.CONSULTANT)) == set()


def test_an_unknown_offer_is_a_404(client, db):
    assert client.get(reverse("catalogue:offer", args=[999999])).status_code == 404


def test_offer_page_query_count_does_not_grow_with_sessions(client, db):
    load_lheo_labels()
    formation = offer("Tutorat", themes=[ProgrammeTheme.AFEST], sessions=2)
    url = reverse("catalogue:offer", args=[formation.pk])
    client.force_login(employer())
    few = count_queries(lambda: client.get(url))
    action = formation.actions.get()
    for days in range(6):
        SessionFactory(action=action, start_date=in_days(100 + days))
    assert count_queries(lambda: client.get(url)) == few


def test_permanent_entries_read_as_such(client, db):
    formation = offer("Remise à niveau", action={"permanent": True}, session={"ongoing": True})
    content = client.get(reverse("catalogue:offer", args=[formation.pk])).content.decode()
    assert "Entrées permanentes du" in content


# A commune named in the search text ----------------------------------------------------------------------------


def test_a_search_ending_with_a_commune_offers_to_search_around_it(client, perigueux):
    html = client.get(URL, {"q": "apprentissage Périgueux"}).content.decode()
    suggestion = re.search(r"data-place-suggestion>(.*?)</p>", html, re.DOTALL).group(1)
    assert f'href="{URL}?q=apprentissage&amp;commune=24322"' in suggestion
    assert "«&nbsp;apprentissage&nbsp;» à moins de 30&nbsp;km de Périgueux (24)" in suggestion


def test_a_commune_alone_offers_every_offer_around_it(client, perigueux):
    html = client.get(URL, {"q": "perigueux"}).content.decode()
    suggestion = re.search(r"data-place-suggestion>(.*?)</p>", html, re.DOTALL).group(1)
    assert f'href="{URL}?commune=24322"' in suggestion
    assert "Toutes les formations à moins de 30&nbsp;km de Périgueux (24)" in suggestion


@pytest.mark.parametrize(
    "params",
    [
        {"q": "management à distance"},  # no commune of that name
        {"q": "apprentissage Périgueux", "departement": "24"},  # a place is chosen already
    ],
)
def test_no_place_is_offered_when_it_would_not_help(client, perigueux, params):
    assert "data-place-suggestion" not in client.get(URL, params).content.decode()
