import pytest
from django.urls import reverse

from horizon.organisations.enums import ChangeAction
from horizon.organisations.models import Collective
from horizon.programmes.enums import ProgrammeRole
from tests.factories.accounts import user_with_role
from tests.factories.organisations import CollectiveFactory, StructureFactory
from tests.queries import count_queries


@pytest.fixture
def coordinator_client(client, db):
    client.force_login(user_with_role(ProgrammeRole.COORDINATOR))
    return client


def test_create_edit_and_fill_a_collective(coordinator_client):
    response = coordinator_client.post(reverse("collectives:create"), {"name": "Réseau des crèches", "kind": "Réseau"})
    collective = Collective.objects.get(name="Réseau des crèches")
    assert response.status_code == 302

    coordinator_client.post(
        reverse("collectives:edit", args=[collective.pk]), {"name": "Réseau des crèches parentales"}
    )
    collective.refresh_from_db()
    assert collective.name == "Réseau des crèches parentales"

    structure = StructureFactory()
    coordinator_client.post(reverse("collectives:detail", args=[collective.pk]), {"structure": structure.siret})
    assert list(collective.structures.all()) == [structure]
    assert structure.changes.filter(action=ChangeAction.COLLECTIVE_ADDED).exists()

    coordinator_client.post(reverse("collectives:remove_structure", args=[collective.pk]), {"structure": structure.pk})
    assert not collective.structures.exists()
    assert structure.changes.filter(action=ChangeAction.COLLECTIVE_REMOVED).exists()


def test_unknown_identifier_and_duplicate_name_are_explained(coordinator_client):
    collective = CollectiveFactory(name="Fédération A")
    response = coordinator_client.post(
        reverse("collectives:detail", args=[collective.pk]), {"structure": "99999999999999"}
    )
    assert "Aucune structure du registre" in response.content.decode()
    response = coordinator_client.post(reverse("collectives:create"), {"name": "Fédération A"})
    assert "existe déjà" in response.content.decode()
    assert Collective.objects.count() == 1


def test_collective_pages_query_count_does_not_grow(coordinator_client):
    collective = CollectiveFactory()
    collective.structures.add(StructureFactory())

    def visit():
        coordinator_client.get(reverse("collectives:list"))
        coordinator_client.get(reverse("collectives:detail", args=[collective.pk]))

    few = count_queries(visit)
    assert 0 < few <= 12
    for _ in range(10):
        CollectiveFactory().structures.add(StructureFactory())
        collective.structures.add(StructureFactory())
    assert count_queries(visit) == few
