import pytest
from django.urls import reverse

from horizon.accounts.models import LoginAttempt, User
from horizon.programmes.enums import ProgrammeRole
from tests.factories.accounts import ProgrammeFactory, ProgrammeMembershipFactory, UserFactory

# Django's own admin templates read undefined variables (e.g. `password_url|default:…` in the password
# widget), which --fail-on-template-vars would report: this module checks our admin configuration, not them.
pytestmark = [pytest.mark.django_db, pytest.mark.ignore_template_errors]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_user_changelist_and_change_page(admin_client):
    member = ProgrammeMembershipFactory(role=ProgrammeRole.CONSULTANT, organisation_name="Cabinet Conseil").user
    response = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": member.email})
    assert response.status_code == 200
    assert member.email in response.content.decode()
    other = UserFactory(email="sans-role@exemple.fr")
    response = admin_client.get(
        reverse("admin:accounts_user_changelist"), {"programme_memberships__role": ProgrammeRole.CONSULTANT}
    )
    html = response.content.decode()
    assert member.email in html
    assert other.email not in html
    response = admin_client.get(reverse("admin:accounts_user_change", args=[member.pk]))
    assert response.status_code == 200
    assert "Cabinet Conseil" in response.content.decode()


def test_user_add_in_admin(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Nouvelle.Personne@exemple.fr",
            "first_name": "Nouvelle",
            "last_name": "Personne",
            "usable_password": "true",
            "password1": "Une-phrase-de-passe-2024",
            "password2": "Une-phrase-de-passe-2024",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.get(email="nouvelle.personne@exemple.fr").check_password("Une-phrase-de-passe-2024")


def test_user_add_refuses_duplicate_email_in_any_case(admin_client):
    UserFactory(email="deja@exemple.fr")
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "DEJA@exemple.fr",
            "usable_password": "true",
            "password1": "Une-phrase-de-passe-2024",
            "password2": "Une-phrase-de-passe-2024",
        },
    )
    assert response.status_code == 200
    assert User.objects.filter(email__iexact="deja@exemple.fr").count() == 1


def test_login_attempts_are_read_only(admin_client):
    attempt = LoginAttempt.objects.create(email="x@exemple.fr", ip_address="192.0.2.1")
    assert admin_client.get(reverse("admin:accounts_loginattempt_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:accounts_loginattempt_add")).status_code == 403
    response = admin_client.post(reverse("admin:accounts_loginattempt_change", args=[attempt.pk]), {"email": "y"})
    assert response.status_code == 403
    assert admin_client.post(reverse("admin:accounts_loginattempt_delete", args=[attempt.pk])).status_code == 403
    attempt.refresh_from_db()
    assert attempt.email == "x@exemple.fr"


def test_programme_admin_pages(admin_client):
    programme = ProgrammeFactory()
    membership = ProgrammeMembershipFactory(programme=programme)
    for url in (
        reverse("admin:programmes_programme_changelist"),
        reverse("admin:programmes_programme_change", args=[programme.pk]),
        reverse("admin:programmes_programmemembership_changelist"),
        reverse("admin:programmes_programmemembership_change", args=[membership.pk]),
    ):
        assert admin_client.get(url).status_code == 200, url


def test_admin_is_in_french(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "Tentatives de connexion" in html
    assert "Rôles dans les programmes" in html
