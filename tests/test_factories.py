from horizon.organisations.identifiers import validate_siret
from tests.factories.organisations import StructureFactory, employer


def test_structure_factory_builds_a_valid_structure(db):
    structure = StructureFactory()
    validate_siret(structure.siret)
    assert structure.siren == structure.siret[:9]
    assert structure.commune.departement.region.code == "75"


def test_employer_is_admin_of_their_structure(db):
    user = employer()
    assert user.memberships.get().role == "admin"
