"""The check every permission matrix makes: what one person gets on one page, and the people it is made with."""

from django.urls import reverse

from horizon.organisations.enums import MembershipRole
from horizon.programmes.enums import ProgrammeRole
from tests.factories.accounts import UserFactory, user_with_role
from tests.factories.organisations import StructureFactory, employer

OK, FORBIDDEN, NOT_FOUND, LOGIN = 200, 403, 404, 302


def people_by_role(**extra):
    """One person per entry of a permission matrix: a structure's admin and member, someone with no role, one holder
    of each programme role, then `extra` (name: user) for the page's own cases. Needs the database."""
    own = StructureFactory()
    return {
        "admin": employer(own, MembershipRole.ADMIN),
        "member": employer(own, MembershipRole.MEMBER),
        "no_role": UserFactory(),
        **{role: user_with_role(role) for role in ProgrammeRole.values},
        **extra,
    }


def assert_status(client, user, url, expected, label=""):
    """GET `url` as `user` (None: anonymous); anonymous people are sent to the login page."""
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    expected = LOGIN if user is None else expected
    assert response.status_code == expected, label
    if expected == LOGIN:
        assert response["Location"].startswith(reverse("accounts:login"))
