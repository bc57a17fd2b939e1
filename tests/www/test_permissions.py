"""The permission matrix: for each role and each page, the status it gets (forged ids of other structures included)."""

import pytest
from django.urls import reverse

from horizon.organisations.enums import MembershipRole
from horizon.programmes.enums import ProgrammeRole
from tests.factories.accounts import UserFactory, user_with_role
from tests.factories.organisations import CollectiveFactory, StructureFactory, employer
from tests.permissions import FORBIDDEN, NOT_FOUND, OK, assert_status

ROLES = [
    "anonymous",
    "no_role",
    "admin",
    "member",
    "coordinator",
    *[r for r in ProgrammeRole.values if r != "coordinator"],
]

# page name → expected status per role; "own" pages use the employer's structure, "other" a structure of another.
OTHER_ROLES = {role: None for role in ProgrammeRole.values if role != "coordinator"}
MATRIX = {
    "home": {"admin": OK, "member": OK, "coordinator": OK, "no_role": OK, **dict.fromkeys(OTHER_ROLES, OK)},
    "structure_list": {
        "admin": FORBIDDEN,
        "member": FORBIDDEN,
        "coordinator": OK,
        "no_role": FORBIDDEN,
        **dict.fromkeys(OTHER_ROLES, FORBIDDEN),
    },
    "structure_export": {
        "admin": FORBIDDEN,
        "member": FORBIDDEN,
        "coordinator": OK,
        "no_role": FORBIDDEN,
        **dict.fromkeys(OTHER_ROLES, FORBIDDEN),
    },
    "own_detail": {
        "admin": OK,
        "member": OK,
        "coordinator": OK,
        "no_role": NOT_FOUND,
        **dict.fromkeys(OTHER_ROLES, NOT_FOUND),
    },
    "other_detail": {
        "admin": NOT_FOUND,
        "member": NOT_FOUND,
        "coordinator": OK,
        "no_role": NOT_FOUND,
        **dict.fromkeys(OTHER_ROLES, NOT_FOUND),
    },
    "own_edit": {
        "admin": OK,
        "member": FORBIDDEN,
        "coordinator": OK,
        "no_role": NOT_FOUND,
        **dict.fromkeys(OTHER_ROLES, NOT_FOUND),
    },
    "other_edit": {
        "admin": NOT_FOUND,
        "member": NOT_FOUND,
        "coordinator": OK,
        "no_role": NOT_FOUND,
        **dict.fromkeys(OTHER_ROLES, NOT_FOUND),
    },
    "own_members": {
        "admin": OK,
        "member": FORBIDDEN,
        "coordinator": OK,
        "no_role": NOT_FOUND,
        **dict.fromkeys(OTHER_ROLES, NOT_FOUND),
    },
    "other_members": {
        "admin": NOT_FOUND,
        "member": NOT_FOUND,
        "coordinator": OK,
        "no_role": NOT_FOUND,
        **dict.fromkeys(OTHER_ROLES, NOT_FOUND),
    },
    "find": {"admin": OK, "member": OK, "coordinator": OK, "no_role": OK, **dict.fromkeys(OTHER_ROLES, OK)},
    "declare": {"admin": OK, "member": OK, "coordinator": OK, "no_role": OK, **dict.fromkeys(OTHER_ROLES, OK)},
    "collective_list": {
        "admin": FORBIDDEN,
        "member": FORBIDDEN,
        "coordinator": OK,
        "no_role": FORBIDDEN,
        **dict.fromkeys(OTHER_ROLES, FORBIDDEN),
    },
    "collective_detail": {
        "admin": FORBIDDEN,
        "member": FORBIDDEN,
        "coordinator": OK,
        "no_role": FORBIDDEN,
        **dict.fromkeys(OTHER_ROLES, FORBIDDEN),
    },
    "collective_create": {
        "admin": FORBIDDEN,
        "member": FORBIDDEN,
        "coordinator": OK,
        "no_role": FORBIDDEN,
        **dict.fromkeys(OTHER_ROLES, FORBIDDEN),
    },
    "collective_edit": {
        "admin": FORBIDDEN,
        "member": FORBIDDEN,
        "coordinator": OK,
        "no_role": FORBIDDEN,
        **dict.fromkeys(OTHER_ROLES, FORBIDDEN),
    },
}


@pytest.fixture
def world(db):
    own = StructureFactory()
    other = StructureFactory()
    collective = CollectiveFactory()
    users = {
        "admin": employer(own, MembershipRole.ADMIN),
        "member": employer(own, MembershipRole.MEMBER),
        "no_role": UserFactory(),
        **{role: user_with_role(role) for role in ProgrammeRole.values},
    }
    urls = {
        "home": reverse("www:home"),
        "structure_list": reverse("structures:list"),
        "structure_export": reverse("structures:export"),
        "own_detail": reverse("structures:detail", args=[own.pk]),
        "other_detail": reverse("structures:detail", args=[other.pk]),
        "own_edit": reverse("structures:edit", args=[own.pk]),
        "other_edit": reverse("structures:edit", args=[other.pk]),
        "own_members": reverse("structures:members", args=[own.pk]),
        "other_members": reverse("structures:members", args=[other.pk]),
        "find": reverse("structures:find"),
        "declare": reverse("structures:declare"),
        "collective_list": reverse("collectives:list"),
        "collective_detail": reverse("collectives:detail", args=[collective.pk]),
        "collective_create": reverse("collectives:create"),
        "collective_edit": reverse("collectives:edit", args=[collective.pk]),
    }
    return users, urls


@pytest.mark.parametrize("page", MATRIX)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, role, page):
    users, urls = world
    user = None if role == "anonymous" else users[role]
    assert_status(client, user, urls[page], MATRIX[page].get(role), f"{role} on {page}")


@pytest.mark.parametrize(
    "name, args",
    [
        ("structures:edit", None),
        ("structures:members", None),
        ("structures:add_contact", None),
    ],
)
def test_employer_cannot_post_to_another_structure(client, db, name, args):
    mine, theirs = StructureFactory(), StructureFactory(name="Avant")
    client.force_login(employer(mine))
    response = client.post(reverse(name, args=[theirs.pk]), {"name": "Piratée", "email": "x@exemple.fr"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Avant"
    assert not theirs.invitations.exists()
    assert not theirs.contacts.exists()


def test_employer_cannot_remove_a_member_of_another_structure(client, db):
    theirs = StructureFactory()
    victim = employer(theirs)
    client.force_login(employer(StructureFactory()))
    membership = victim.memberships.get()
    response = client.post(reverse("structures:remove_member", args=[theirs.pk, membership.pk]))
    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.is_active


def test_membership_of_one_structure_cannot_be_removed_through_another(client, db):
    """A forged membership id under the employer's own structure URL finds nothing."""
    mine = StructureFactory()
    user = employer(mine)
    victim = employer(StructureFactory())
    client.force_login(user)
    response = client.post(reverse("structures:remove_member", args=[mine.pk, victim.memberships.get().pk]))
    assert response.status_code == 404
    assert victim.memberships.get().is_active
