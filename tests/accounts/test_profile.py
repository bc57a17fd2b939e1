import json

import pytest
from django.urls import reverse

from horizon.organisations.enums import MembershipRole
from horizon.programmes.enums import ProgrammeRole
from tests.factories.accounts import ProgrammeMembershipFactory, UserFactory
from tests.factories.organisations import MembershipFactory, StructureFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

PROFILE_URL = "/compte/profil/"


@pytest.fixture
def structure(user):
    structure = StructureFactory(name="Crèche Les Petits Pas")
    MembershipFactory(user=user, structure=structure, role=MembershipRole.ADMIN)
    return structure


@pytest.fixture
def stranger():
    stranger = UserFactory(
        email="autre.personne@exemple.fr", first_name="Sacha", last_name="Inconnu", phone="0600000000"
    )
    MembershipFactory(user=stranger, structure=StructureFactory(name="Association Secrète"))
    ProgrammeMembershipFactory(user=stranger, role=ProgrammeRole.FUNDER, organisation_name="Région Secrète")
    return stranger


def test_url_names():
    assert reverse("accounts:profile") == PROFILE_URL
    assert reverse("accounts:export_data").startswith(PROFILE_URL)


def test_profile_shows_own_data_structures_and_roles(logged_in_client, user, structure):
    ProgrammeMembershipFactory(user=user, role=ProgrammeRole.CONSULTANT, organisation_name="Cabinet Conseil")
    response = logged_in_client.get(PROFILE_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert user.email in html
    assert "Crèche Les Petits Pas" in html
    assert reverse("structures:detail", args=[structure.pk]) in html
    assert "Administrateur·rice" in html
    assert "Consultant·e" in html
    assert "Horizon ESS 2021-2023" in html
    assert reverse("accounts:password_change") in html
    assert reverse("accounts:export_data") in html
    for autocomplete in ("given-name", "family-name", "tel"):
        assert f'autocomplete="{autocomplete}"' in html


def test_inactive_memberships_are_not_listed(logged_in_client, user):
    MembershipFactory(user=user, structure=StructureFactory(name="Ancienne Structure"), is_active=False)
    assert "Ancienne Structure" not in logged_in_client.get(PROFILE_URL).content.decode()


def test_profile_edit(logged_in_client, user):
    response = logged_in_client.post(
        PROFILE_URL,
        {"first_name": "Camille", "last_name": "Martin-Durand", "phone": "05 56 00 00 00", "job_title": "Directrice"},
        follow=True,
    )
    assert response.redirect_chain == [(PROFILE_URL, 302)]
    assert "Votre profil a été mis à jour." in response.content.decode()
    user.refresh_from_db()
    assert (user.last_name, user.phone, user.job_title) == ("Martin-Durand", "05 56 00 00 00", "Directrice")


def test_profile_edit_cannot_change_email_or_privileges(logged_in_client, user):
    logged_in_client.post(
        PROFILE_URL,
        {
            "first_name": "Camille",
            "last_name": "Martin",
            "email": "nouvelle@exemple.fr",
            "is_staff": "on",
            "is_superuser": "on",
        },
    )
    user.refresh_from_db()
    assert user.email == "camille.martin@exemple.fr"
    assert not user.is_staff and not user.is_superuser


def test_profile_edit_requires_names(logged_in_client, user):
    response = logged_in_client.post(PROFILE_URL, {"first_name": "", "last_name": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["first_name"] == ["Ce champ est obligatoire."]
    user.refresh_from_db()
    assert user.first_name == "Camille"


def test_a_user_only_ever_sees_their_own_profile(logged_in_client, user, stranger):
    html = logged_in_client.get(PROFILE_URL, {"pk": stranger.pk, "user": stranger.pk}).content.decode()
    for secret in (
        "autre.personne@exemple.fr",
        "Sacha",
        "Inconnu",
        "0600000000",
        "Association Secrète",
        "Région Secrète",
    ):
        assert secret not in html
    data = json.loads(logged_in_client.get(reverse("accounts:export_data"), {"pk": stranger.pk}).content)
    assert data["user"]["email"] == user.email
    assert "Association Secrète" not in json.dumps(data, ensure_ascii=False)

    # A POST only ever edits the logged-in person.
    logged_in_client.post(PROFILE_URL, {"first_name": "Piratée", "last_name": "X", "pk": stranger.pk})
    stranger.refresh_from_db()
    assert stranger.first_name == "Sacha"


def test_export_json(logged_in_client, user, structure, stranger):
    user.phone = "05 56 11 22 33"
    user.job_title = "Directrice"
    user.save()
    ProgrammeMembershipFactory(user=user, role=ProgrammeRole.FACILITATOR, organisation_name="ARACT")
    MembershipFactory(user=user, structure=StructureFactory(name="Ancienne Structure"), is_active=False)

    response = logged_in_client.get(reverse("accounts:export_data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="horizon-ess-mes-donnees-')
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    data = json.loads(response.content)

    assert data["user"]["email"] == "camille.martin@exemple.fr"
    assert data["user"]["first_name"] == "Camille"
    assert data["user"]["last_name"] == "Martin"
    assert data["user"]["phone"] == "05 56 11 22 33"
    assert data["user"]["job_title"] == "Directrice"
    assert data["user"]["date_joined"]
    assert "password" not in data["user"]

    memberships = {m["structure"]["name"]: m for m in data["memberships"]}
    assert set(memberships) == {"Crèche Les Petits Pas", "Ancienne Structure"}
    assert memberships["Crèche Les Petits Pas"]["role"] == "admin"
    assert memberships["Crèche Les Petits Pas"]["role_label"] == "Administrateur·rice"
    assert memberships["Crèche Les Petits Pas"]["structure"]["siret"] == structure.siret
    assert memberships["Ancienne Structure"]["is_active"] is False

    assert data["programme_roles"] == [
        {
            "programme": {
                "id": data["programme_roles"][0]["programme"]["id"],
                "name": "Horizon ESS 2021-2023",
                "slug": "horizon-ess-2021-2023",
            },
            "role": "facilitator",
            "role_label": "Animateur·rice",
            "organisation_name": "ARACT",
            "is_active": True,
            "created_at": data["programme_roles"][0]["created_at"],
        }
    ]
    assert "Sacha" not in response.content.decode()


def test_export_is_get_only(logged_in_client):
    assert logged_in_client.post(reverse("accounts:export_data")).status_code == 405


@pytest.mark.parametrize("name", ["accounts:profile", "accounts:export_data", "accounts:password_change"])
def test_anonymous_access_redirects_to_login(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_anonymous_post_to_profile_changes_nothing(client, user):
    response = client.post(PROFILE_URL, {"first_name": "X", "last_name": "Y"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.first_name == "Camille"


def test_profile_query_count_does_not_grow_with_memberships(logged_in_client, user):
    def profile():
        assert logged_in_client.get(PROFILE_URL).status_code == 200

    MembershipFactory(user=user)
    ProgrammeMembershipFactory(user=user, role=ProgrammeRole.CONSULTANT)
    baseline = count_queries(profile)
    for _ in range(4):
        MembershipFactory(user=user)
    ProgrammeMembershipFactory(user=user, role=ProgrammeRole.FUNDER)
    assert count_queries(profile) == baseline
