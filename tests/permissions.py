"""The check every permission matrix makes: what one person gets on one page."""

from django.urls import reverse

OK, FORBIDDEN, NOT_FOUND, LOGIN = 200, 403, 404, 302


def assert_status(client, user, url, expected, label=""):
    """GET `url` as `user` (None: anonymous); anonymous people are sent to the login page."""
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    expected = LOGIN if user is None else expected
    assert response.status_code == expected, label
    if expected == LOGIN:
        assert response["Location"].startswith(reverse("accounts:login"))
