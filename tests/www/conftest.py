"""The cast of the page tests: a small structure (3 to 5 staff, so the TPE variant), its administrator Alice, its
member Bruno, and a coordinator."""

import pytest

from horizon.organisations.enums import MembershipRole
from horizon.programmes.enums import ProgrammeRole
from tests.factories.accounts import user_with_role
from tests.factories.organisations import StructureFactory, employer


@pytest.fixture
def structure(db):
    return StructureFactory(name="Centre social Bastide", headcount_band="02")


@pytest.fixture
def admin(structure):
    return employer(structure, MembershipRole.ADMIN, first_name="Alice", last_name="Durand")


@pytest.fixture
def member(structure):
    return employer(structure, MembershipRole.MEMBER, first_name="Bruno", last_name="Petit")


@pytest.fixture
def coordinator(db):
    return user_with_role(ProgrammeRole.COORDINATOR)
