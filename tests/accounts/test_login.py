from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from horizon.accounts.models import LoginAttempt
from tests.factories.accounts import UserFactory

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN_URL = "/compte/connexion/"
BAD_CREDENTIALS = "Adresse e-mail ou mot de passe incorrect."
THROTTLED = "Trop de tentatives de connexion. Réessayez dans 15 minutes ou réinitialisez votre mot de passe."


def post_login(client, email, password, ip="192.0.2.10", **extra):
    return client.post(LOGIN_URL, {"username": email, "password": password, **extra}, REMOTE_ADDR=ip)


@pytest.fixture(autouse=True)
def _throttling_settings(settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_FAILURE_WINDOW_MINUTES = 15


def test_login_url_name():
    assert reverse("accounts:login") == LOGIN_URL


def test_login_page_is_public_and_links_to_signup_and_reset(client):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert 'autocomplete="email"' in html
    assert 'autocomplete="current-password"' in html
    assert reverse("accounts:signup") in html
    assert reverse("accounts:password_reset") in html


def test_login_ok_case_insensitive_and_recorded(client, user):
    response = post_login(client, "  Camille.MARTIN@exemple.fr ", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("www:home")
    assert client.session["_auth_user_id"] == str(user.pk)
    attempt = LoginAttempt.objects.get()
    assert (attempt.email, attempt.ip_address, attempt.succeeded) == ("camille.martin@exemple.fr", "192.0.2.10", True)


def test_login_follows_safe_next_only(client, user):
    response = post_login(client, user.email, PASSWORD, next="/compte/profil/")
    assert response["Location"] == "/compte/profil/"
    client.logout()
    response = post_login(client, user.email, PASSWORD, next="https://pirate.example.com/")
    assert response["Location"] == reverse("www:home")


def test_bad_password_gives_french_message_and_records_failure(client, user):
    response = post_login(client, user.email, "mauvais-mot-de-passe")
    assert response.status_code == 200
    assert BAD_CREDENTIALS in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginAttempt.objects.filter(email=user.email, succeeded=False).count() == 1


def test_unknown_email_gives_the_same_message(client):
    response = post_login(client, "personne@inconnu.fr", "peu-importe-1234")
    assert BAD_CREDENTIALS in response.content.decode()
    assert LoginAttempt.objects.filter(email="personne@inconnu.fr", succeeded=False).exists()


def test_inactive_user_cannot_log_in(client):
    inactive = UserFactory(is_active=False)
    response = post_login(client, inactive.email, PASSWORD)
    assert BAD_CREDENTIALS in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_throttled_after_limit_failures_even_with_correct_password(client, user, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        assert BAD_CREDENTIALS in post_login(client, user.email, "mauvais").content.decode()
    # The limit is not reached yet: the right password still works…
    assert post_login(client, user.email, PASSWORD).status_code == 302
    client.logout()
    # …but that success did not erase the failures: one more failure reaches the limit.
    assert BAD_CREDENTIALS in post_login(client, user.email, "mauvais").content.decode()

    response = post_login(client, user.email, PASSWORD)
    html = response.content.decode()
    assert response.status_code == 200
    assert THROTTLED in html
    assert BAD_CREDENTIALS not in html
    assert "_auth_user_id" not in client.session
    assert LoginAttempt.objects.filter(email=user.email, throttled=True, succeeded=False).count() == 1


def test_throttle_counts_the_email_whatever_its_case_and_ip(client, user, settings):
    for index in range(settings.LOGIN_FAILURE_LIMIT):
        post_login(client, user.email.upper(), "mauvais", ip=f"198.51.100.{index}")
    response = post_login(client, user.email, PASSWORD, ip="203.0.113.99")
    assert THROTTLED in response.content.decode()


def test_throttling_does_not_check_the_password(client, user, settings, monkeypatch):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        post_login(client, user.email, "mauvais")

    def fail(*args, **kwargs):
        raise AssertionError("authenticate() must not be called while throttled")

    monkeypatch.setattr("horizon.www.accounts.forms.authenticate", fail)
    assert THROTTLED in post_login(client, user.email, PASSWORD).content.decode()


def test_throttle_for_one_email_does_not_block_others(client, user, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        post_login(client, "cible@exemple.fr", "mauvais")
    assert post_login(client, user.email, PASSWORD).status_code == 302


def test_ip_throttled_after_four_times_the_limit(client, user, settings):
    for index in range(4 * settings.LOGIN_FAILURE_LIMIT - 1):
        post_login(client, f"inconnu{index}@exemple.fr", "mauvais")
    # One below the IP limit: a correct login from that address still works, and does not reset the count.
    assert post_login(client, user.email, PASSWORD).status_code == 302
    client.logout()
    post_login(client, "encore-un@exemple.fr", "mauvais")
    assert THROTTLED in post_login(client, user.email, PASSWORD).content.decode()
    # Another address is not affected.
    assert post_login(client, user.email, PASSWORD, ip="203.0.113.7").status_code == 302


def test_throttle_lifts_after_the_window(client, user, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        post_login(client, user.email, "mauvais")
    assert THROTTLED in post_login(client, user.email, PASSWORD).content.decode()
    LoginAttempt.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    assert post_login(client, user.email, PASSWORD).status_code == 302


def test_refused_attempts_do_not_extend_the_lock(client, user, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        post_login(client, user.email, "mauvais")
    LoginAttempt.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    for _ in range(3):
        post_login(client, user.email, "mauvais-encore")  # counted failures again: 3 < 5
    assert post_login(client, user.email, PASSWORD).status_code == 302


def test_throttle_message_follows_the_window_setting(client, user, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_FAILURE_WINDOW_MINUTES = 30
    post_login(client, user.email, "mauvais")
    post_login(client, user.email, "mauvais")
    assert "Réessayez dans 30 minutes" in post_login(client, user.email, PASSWORD).content.decode()


def test_logout_requires_post(logged_in_client, user):
    response = logged_in_client.get(reverse("accounts:logout"))
    assert response.status_code == 405
    assert logged_in_client.session["_auth_user_id"] == str(user.pk)

    response = logged_in_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in logged_in_client.session
