import pytest
from django.urls import reverse

from tests.factories.territories import CommuneFactory, PostalCodeFactory

pytestmark = pytest.mark.usefixtures("territories")
URL = reverse("territories:communes")


def test_url():
    assert URL == "/territoires/communes/"


def test_anonymous_people_get_options(client):
    response = client.get(URL, {"q": "bord", "listbox": "id_commune_listbox"})

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<li class="list-group-item list-group-item-action" role="option" id="id_commune_listbox-33063" '
        'data-value="33063" aria-selected="false">Bordeaux (33) — 33000, 33090…</li>'
    ) in html
    assert '<span id="id_commune_listbox-status" hx-swap-oob="innerHTML">1 commune proposée' in html


def test_options_come_largest_first(client):
    html = client.get(URL, {"q": "saint"}).content.decode()

    assert html.count('role="option"') == 3
    assert html.index("Saint-Denis (974)") < html.index("Saint-Denis (93)") < html.index("Saint-Émilion (33)")
    assert "3 communes proposées" in html


def test_postal_code_query_shows_the_matching_postal_code_first(client):
    html = client.get(URL, {"q": "33800"}).content.decode()

    assert "Bordeaux (33) — 33800, 33000…" in html


def test_empty_query_gives_no_option_and_no_message(client):
    html = client.get(URL, {"q": " "}).content.decode()

    assert 'role="option"' not in html
    assert "Aucune commune" not in html


def test_no_match_says_so(client):
    html = client.get(URL, {"q": "<Atlantis>"}).content.decode()

    assert 'role="option" aria-disabled="true">Aucune commune ne correspond à « &lt;Atlantis&gt; ».</li>' in html
    assert "<Atlantis>" not in html


def test_listbox_id_is_checked(client):
    html = client.get(URL, {"q": "libourne", "listbox": '"><script>'}).content.decode()

    assert 'id="communes-33243"' in html
    assert "<script>" not in html


def test_post_is_refused(client):
    assert client.post(URL, {"q": "bord"}).status_code == 405


@pytest.mark.parametrize("query", ["ville", "emilion", "33"])
def test_query_count_does_not_grow_with_the_communes(client, django_assert_max_num_queries, query):
    for number in range(30):
        commune = CommuneFactory(code=f"33{number + 500}", name=f"Villeneuve-{number}", population=number)
        PostalCodeFactory(code=f"33{number + 500}", commune=commune)
        PostalCodeFactory(code=f"33{number + 600}", commune=commune)

    with django_assert_max_num_queries(3):
        response = client.get(URL, {"q": query})

    assert response.content.decode().count('role="option"') == {"ville": 10, "emilion": 1, "33": 10}[query]
