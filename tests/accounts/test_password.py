import re

import pytest
from django.urls import reverse

from tests.factories.accounts import UserFactory

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Nouvelle-phrase-de-passe-99"


def without_csrf(response):
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", response.content.decode())


def test_password_change(logged_in_client, user):
    url = reverse("accounts:password_change")
    html = logged_in_client.get(url).content.decode()
    assert 'autocomplete="current-password"' in html
    assert 'autocomplete="new-password"' in html

    response = logged_in_client.post(
        url, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The session survives the change.
    assert logged_in_client.get(reverse("accounts:profile")).status_code == 200


def test_password_change_wrong_old_password(logged_in_client, user):
    response = logged_in_client.post(
        reverse("accounts:password_change"),
        {"old_password": "pas-le-bon", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_reset_page_is_public_with_links(client):
    response = client.get(reverse("accounts:password_reset"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'autocomplete="email"' in html
    assert reverse("accounts:login") in html
    assert reverse("accounts:signup") in html


def test_password_reset_sends_french_email_and_link_works(client, user, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "CAMILLE.martin@exemple.fr"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [user.email]
    assert message.subject == "Horizon ESS — choisissez un nouveau mot de passe"
    assert "Bonjour Camille" in message.body

    link = re.search(r"http://testserver(/compte/mot-de-passe/reinitialiser/\S+/)", message.body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    assert response.context["validlink"]
    set_password_url = response.redirect_chain[-1][0]
    html = response.content.decode()
    assert 'autocomplete="new-password"' in html

    response = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(response["Location"]).status_code == 200


def test_password_reset_for_unknown_email_gives_the_same_response(client, user, mailoutbox):
    known = client.post(reverse("accounts:password_reset"), {"email": user.email})
    unknown = client.post(reverse("accounts:password_reset"), {"email": "inconnu@exemple.fr"})
    assert len(mailoutbox) == 1
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    # Same page, apart from the per-request CSRF token.
    assert without_csrf(client.get(unknown["Location"])) == without_csrf(client.get(known["Location"]))


def test_password_reset_not_sent_to_inactive_account(client, mailoutbox):
    inactive = UserFactory(is_active=False)
    response = client.post(reverse("accounts:password_reset"), {"email": inactive.email})
    assert response.status_code == 302
    assert mailoutbox == []


def test_password_reset_done_page_does_not_confirm_the_account(client):
    html = client.get(reverse("accounts:password_reset_done")).content.decode()
    assert "Si un compte existe pour cette adresse" in html


def test_forged_reset_link_is_refused(client, user):
    url = reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "faux-jeton"})
    response = client.get(url)
    assert response.status_code == 200
    assert not response.context["validlink"]
    assert "Lien invalide" in response.content.decode()
