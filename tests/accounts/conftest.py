import pytest

from tests.factories.accounts import UserFactory

PASSWORD = "mot-de-passe-solide-42"


@pytest.fixture
def user(db):
    return UserFactory(email="camille.martin@exemple.fr", first_name="Camille", last_name="Martin")


@pytest.fixture
def logged_in_client(client, user):
    client.force_login(user)
    return client
