import pytest
from django.urls import reverse

from horizon.accounts.models import User
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

SIGNUP_URL = "/compte/inscription/"
GOOD_PASSWORD = "Une-phrase-de-passe-2024"


def signup_data(**overrides):
    return {
        "email": "dominique.durand@exemple.fr",
        "first_name": "Dominique",
        "last_name": "Durand",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        "consent": "on",
        **overrides,
    }


def test_signup_url_name():
    assert reverse("accounts:signup") == SIGNUP_URL


def test_signup_page_is_public_accessible_and_links_to_login(client):
    response = client.get(SIGNUP_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    for autocomplete in ("email", "given-name", "family-name", "new-password"):
        assert f'autocomplete="{autocomplete}"' in html
    assert reverse("accounts:login") in html
    assert reverse("accounts:terms") in html


def test_signup_creates_logs_in_and_redirects_to_find_structure(client):
    response = client.post(SIGNUP_URL, signup_data(email="Dominique.Durand@Exemple.fr"))
    assert response.status_code == 302
    assert response["Location"] == reverse("structures:find")
    user = User.objects.get()
    assert user.email == "dominique.durand@exemple.fr"
    assert (user.first_name, user.last_name) == ("Dominique", "Durand")
    assert user.check_password(GOOD_PASSWORD)
    assert user.terms_accepted_at is not None
    assert not user.is_staff
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_follows_a_safe_next(client):
    response = client.post(SIGNUP_URL, signup_data(next="/compte/profil/"))
    assert response["Location"] == "/compte/profil/"


def test_signup_ignores_an_unsafe_next(client):
    response = client.post(SIGNUP_URL, signup_data(next="https://pirate.example.com/"))
    assert response["Location"] == reverse("structures:find")


def test_duplicate_email_case_insensitive(client):
    UserFactory(email="dominique.durand@exemple.fr")
    response = client.post(SIGNUP_URL, signup_data(email="DOMINIQUE.Durand@exemple.fr"))
    assert response.status_code == 200
    assert "Un compte existe déjà avec cette adresse e-mail." in response.context["form"].errors["email"][0]
    assert User.objects.count() == 1
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "password",
    ["court1", "12345678901234", "motdepasse", "dominique.durand"],
    ids=["too-short", "numeric", "common", "similar-to-email"],
)
def test_weak_password_refused_in_french(client, password):
    response = client.post(SIGNUP_URL, signup_data(password1=password, password2=password))
    assert response.status_code == 200
    errors = response.context["form"].errors["password2"]
    assert errors
    assert all(("mot de passe" in error.lower()) or ("ressemble" in error.lower()) for error in errors), errors
    assert not User.objects.exists()


def test_password_mismatch(client):
    response = client.post(SIGNUP_URL, signup_data(password2="Une-autre-phrase-2024"))
    assert response.context["form"].errors["password2"] == ["Les deux mots de passe ne correspondent pas."]
    assert not User.objects.exists()


def test_consent_is_required(client):
    data = signup_data()
    del data["consent"]
    response = client.post(SIGNUP_URL, data)
    assert response.status_code == 200
    assert response.context["form"].errors["consent"] == [
        "Vous devez accepter les conditions générales d'utilisation pour créer un compte."
    ]
    assert not User.objects.exists()


def test_missing_names_and_email_errors_shown_in_french(client):
    response = client.post(SIGNUP_URL, signup_data(first_name="", last_name="", email="pas-une-adresse"))
    form = response.context["form"]
    assert form.errors["first_name"] == ["Ce champ est obligatoire."]
    assert form.errors["last_name"] == ["Ce champ est obligatoire."]
    assert form.errors["email"] == ["Saisissez une adresse e-mail valide, par exemple prenom.nom@exemple.fr."]
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert "Ce champ est obligatoire." in html


def test_signed_in_user_is_sent_home(client):
    client.force_login(UserFactory())
    response = client.get(SIGNUP_URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("www:home")


def test_terms_page_is_public(client):
    response = client.get(reverse("accounts:terms"))
    assert response.status_code == 200
    assert response.content.decode().count("<h1") == 1
