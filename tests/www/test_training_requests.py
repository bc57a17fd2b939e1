"""The pages of training requests: an employer asks from the offer page, the provider accepts, enrols and marks the
training done; the employer cancels; each role sees only its requests; forged ids show nothing."""

import pytest
from django.core import mail
from django.urls import reverse

from horizon.organisations.enums import MembershipRole
from horizon.programmes.enums import ProgrammeRole
from horizon.training.enums import RequestStatus as S
from horizon.training.models import TrainingRequest
from tests.factories.accounts import UserFactory, user_with_role
from tests.factories.organisations import StructureFactory, employer
from tests.factories.training import ProviderMembershipFactory, SessionFactory, offer
from tests.permissions import FORBIDDEN, NOT_FOUND, OK, assert_status
from tests.queries import count_queries

LIST = reverse("training:request_list")


@pytest.fixture
def formation(db):
    return offer("Animer une réunion", sessions=2)


@pytest.fixture
def provider_member(formation):
    return ProviderMembershipFactory(provider=formation.provider, user=UserFactory(email="of@of.fr")).user


def make_request(structure, formation, user, status=S.SENT):
    return TrainingRequest.objects.create(structure=structure, formation=formation, requested_by=user, status=status)


def transition(client, training_request, status, note=""):
    return client.post(
        reverse("training:request_transition", args=[training_request.pk]), {"status": status, "note": note}
    )


def test_life_cycle_through_the_pages(client, structure, member, formation, provider_member, coordinator):
    # The offer page shows the button to employers only.
    client.force_login(member)
    response = client.get(reverse("catalogue:offer", args=[formation.pk]))
    create_url = reverse("training:request_create", args=[formation.pk])
    assert create_url in response.content.decode()

    response = client.get(create_url)
    assert response.status_code == OK
    content = response.content.decode()
    assert "Sans session précise" in content and "Centre social Bastide" in content
    session = formation.sessions.order_by("start_date").first()
    response = client.post(
        create_url,
        {"structure": structure.pk, "session": session.pk, "people": 2, "preferred_period": "en mai", "comment": ""},
    )
    training_request = TrainingRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "training:request_detail", args=[training_request.pk]
    )
    assert (training_request.structure, training_request.session, training_request.people) == (structure, session, 2)
    assert sorted(message.to[0] for message in mail.outbox) == sorted([provider_member.email, coordinator.email])

    # The employer may only cancel; accepting is not theirs.
    detail = client.get(reverse("training:request_detail", args=[training_request.pk])).content.decode()
    assert "Annuler la demande" in detail and "Accepter la demande" not in detail
    assert transition(client, training_request, S.ACCEPTED).status_code == FORBIDDEN

    # The provider accepts, enrols, completes; each step is mailed to the requester.
    mail.outbox.clear()
    client.force_login(provider_member)
    detail = client.get(reverse("training:request_detail", args=[training_request.pk])).content.decode()
    assert "Accepter la demande" in detail and "Refuser la demande" in detail and "Annuler la demande" not in detail
    for status in (S.ACCEPTED, S.ENROLLED, S.COMPLETED):
        assert transition(client, training_request, status).status_code == 302
        training_request.refresh_from_db()
        assert training_request.status == status
    assert [message.to for message in mail.outbox] == [[member.email]] * 3
    detail = client.get(reverse("training:request_detail", args=[training_request.pk])).content.decode()
    assert "Cette demande est terminée" in detail
    assert list(training_request.events.values_list("to_status", "user")) == [
        (S.SENT, member.pk),
        (S.ACCEPTED, provider_member.pk),
        (S.ENROLLED, provider_member.pk),
        (S.COMPLETED, provider_member.pk),
    ]
    # A final request moves no more.
    assert transition(client, training_request, S.CANCELLED).status_code in (400, FORBIDDEN)


def test_employer_cancels(client, structure, admin, member, formation, provider_member):
    training_request = make_request(structure, formation, member, S.ACCEPTED)
    client.force_login(admin)
    response = transition(client, training_request, S.CANCELLED, "Plus de budget")
    assert response.status_code == 302
    training_request.refresh_from_db()
    assert training_request.status == S.CANCELLED
    assert training_request.events.get().note == "Plus de budget"
    assert sorted(message.to[0] for message in mail.outbox) == sorted([member.email, provider_member.email])


def test_refusal_without_reason_is_shown_next_to_the_field(client, structure, member, formation, provider_member):
    training_request = make_request(structure, formation, member)
    client.force_login(provider_member)
    response = transition(client, training_request, S.REFUSED, "  ")
    assert response.status_code == 400
    assert "Indiquez le motif du refus" in response.content.decode()
    training_request.refresh_from_db()
    assert training_request.status == S.SENT
    assert transition(client, training_request, S.REFUSED, "Complet").status_code == 302
    training_request.refresh_from_db()
    assert training_request.status == S.REFUSED


def test_impossible_move_is_explained(client, structure, member, formation, provider_member):
    training_request = make_request(structure, formation, member)
    client.force_login(provider_member)
    response = transition(client, training_request, S.COMPLETED)
    assert response.status_code == 400
    assert "pas possible" in response.content.decode()
    training_request.refresh_from_db()
    assert training_request.status == S.SENT


def test_transition_is_post_only(client, structure, member, formation, provider_member):
    training_request = make_request(structure, formation, member)
    client.force_login(provider_member)
    response = client.get(reverse("training:request_transition", args=[training_request.pk]) + "?status=acceptee")
    assert response.status_code == 405
    training_request.refresh_from_db()
    assert training_request.status == S.SENT


def test_who_sees_a_request(client, structure, member, formation, provider_member, coordinator):
    training_request = make_request(structure, formation, member)
    url = reverse("training:request_detail", args=[training_request.pk])
    other_employer = employer(StructureFactory())
    other_provider = ProviderMembershipFactory().user
    consultant = user_with_role(ProgrammeRole.CONSULTANT)
    for user, expected in (
        (None, None),
        (member, OK),
        (provider_member, OK),
        (coordinator, OK),
        (other_employer, NOT_FOUND),
        (other_provider, NOT_FOUND),
        (consultant, NOT_FOUND),
    ):
        assert_status(client, user, url, expected, str(user))
    client.logout()
    for user, expected in ((None, None), (consultant, FORBIDDEN), (other_employer, OK), (coordinator, OK)):
        assert_status(client, user, LIST, expected, str(user))
    client.logout()
    assert_status(client, None, reverse("training:request_create", args=[formation.pk]), None)
    assert_status(client, consultant, reverse("training:request_create", args=[formation.pk]), FORBIDDEN)
    assert_status(client, provider_member, reverse("training:request_create", args=[formation.pk]), FORBIDDEN)


def test_forged_ids_change_nothing(client, structure, member, formation, provider_member):
    """Another structure's request, another provider's request, a structure one does not belong to."""
    other_structure = StructureFactory()
    theirs = make_request(other_structure, formation, employer(other_structure))
    other_offer = offer("Autre")
    not_ours = make_request(structure, other_offer, member)

    client.force_login(member)
    assert transition(client, theirs, S.CANCELLED).status_code == NOT_FOUND
    # With one structure there is nothing to choose: a forged structure id is ignored.
    response = client.post(
        reverse("training:request_create", args=[formation.pk]), {"structure": other_structure.pk, "people": 1}
    )
    assert response.status_code == 302
    assert TrainingRequest.objects.latest("pk").structure == structure
    # With several, another structure is not among the choices.
    structure_b = StructureFactory()
    structure_b.memberships.create(user=member, role=MembershipRole.MEMBER)
    response = client.post(
        reverse("training:request_create", args=[formation.pk]), {"structure": other_structure.pk, "people": 1}
    )
    assert response.status_code == OK and "structure" in response.context["form"].errors
    response = client.post(
        reverse("training:request_create", args=[formation.pk]),
        {"structure": structure.pk, "people": 1, "session": SessionFactory().pk},
    )
    assert response.status_code == OK and "session" in response.context["form"].errors

    client.force_login(provider_member)
    assert transition(client, not_ours, S.ACCEPTED).status_code == NOT_FOUND
    assert client.get(reverse("training:request_detail", args=[not_ours.pk])).status_code == NOT_FOUND
    assert set(TrainingRequest.objects.values_list("status", flat=True)) == {S.SENT}
    assert TrainingRequest.objects.filter(structure=other_structure).count() == 1
    assert TrainingRequest.objects.count() == 3


def test_closed_offer_cannot_be_requested(client, member):
    closed = offer("Retirée", formation={"closed": True})
    client.force_login(member)
    assert client.get(reverse("training:request_create", args=[closed.pk])).status_code == NOT_FOUND
    page = client.get(reverse("catalogue:offer", args=[closed.pk])).content.decode()
    assert reverse("training:request_create", args=[closed.pk]) not in page


def test_button_hidden_from_non_employers(client, formation, provider_member):
    url = reverse("training:request_create", args=[formation.pk])
    assert url not in client.get(reverse("catalogue:offer", args=[formation.pk])).content.decode()
    client.force_login(provider_member)
    assert url not in client.get(reverse("catalogue:offer", args=[formation.pk])).content.decode()


def test_several_structures_choose_one(client, member, formation):
    second = StructureFactory(name="Ressourcerie du Lac")
    employer_ = member
    second.memberships.create(user=employer_, role=MembershipRole.MEMBER)
    client.force_login(employer_)
    content = client.get(reverse("training:request_create", args=[formation.pk])).content.decode()
    assert "Structure qui demande la formation" in content and "Ressourcerie du Lac" in content
    response = client.post(
        reverse("training:request_create", args=[formation.pk]), {"structure": second.pk, "people": 4}
    )
    assert response.status_code == 302
    assert TrainingRequest.objects.get().structure == second


def test_lists_show_each_role_its_requests(client, structure, member, formation, provider_member, coordinator):
    ours = make_request(structure, formation, member)
    accepted = make_request(structure, formation, member, S.ACCEPTED)
    other_structure = StructureFactory()
    theirs = make_request(other_structure, formation, employer(other_structure))
    elsewhere = make_request(structure, offer("Ailleurs"), member)

    def listed(user, query=""):
        client.force_login(user)
        response = client.get(LIST + query)
        assert response.status_code == OK
        return {item.pk for item, _badge in response.context["rows"]}

    assert listed(member) == {ours.pk, accepted.pk, elsewhere.pk}
    assert listed(member, "?statut=acceptee") == {accepted.pk}
    assert listed(member, "?statut=nimportequoi") == {ours.pk, accepted.pk, elsewhere.pk}
    assert listed(provider_member) == {ours.pk, accepted.pk, theirs.pk}
    assert listed(coordinator) == {ours.pk, accepted.pk, theirs.pk, elsewhere.pk}


def test_list_paginates(client, structure, member, formation):
    for _ in range(23):
        make_request(structure, formation, member)
    client.force_login(member)
    first = client.get(LIST)
    assert len(first.context["rows"]) == 20
    assert len(client.get(LIST + "?page=2").context["rows"]) == 3


def test_list_and_detail_queries_do_not_grow(client, structure, member, formation, provider_member, coordinator):
    def measure(user, url):
        client.force_login(user)
        return count_queries(lambda: client.get(url))

    training_request = make_request(structure, formation, member)
    detail = reverse("training:request_detail", args=[training_request.pk])
    before = {user: measure(user, LIST) for user in (member, provider_member, coordinator)}
    before_detail = measure(provider_member, detail)
    for index in range(6):
        other = StructureFactory()
        make_request(structure if index % 2 else other, offer(f"F{index}") if index % 3 else formation, member)
    training_request.transition(S.ACCEPTED, provider_member)
    training_request.transition(S.ENROLLED, coordinator)
    assert {user: measure(user, LIST) for user in (member, provider_member, coordinator)} == before
    assert measure(provider_member, detail) == before_detail
