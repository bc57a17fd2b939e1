"""Training requests: the life cycle (every pair of statuses × every role), the events it leaves, the rules of a
new request and the e-mails sent to the right people."""

import itertools

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from horizon.organisations.enums import MembershipRole
from horizon.programmes.enums import ProgrammeRole
from horizon.training import perms
from horizon.training import requests as services
from horizon.training.enums import RequestStatus as S
from horizon.training.models import RequestEvent, TrainingRequest, TransitionNotAllowed
from tests.factories.accounts import UserFactory, user_with_role
from tests.factories.organisations import StructureFactory, employer
from tests.factories.training import ProviderMembershipFactory, SessionFactory, offer

ALLOWED = {
    (S.SENT, S.ACCEPTED),
    (S.SENT, S.REFUSED),
    (S.SENT, S.CANCELLED),
    (S.ACCEPTED, S.ENROLLED),
    (S.ACCEPTED, S.CANCELLED),
    (S.ENROLLED, S.COMPLETED),
    (S.ENROLLED, S.CANCELLED),
}
PAIRS = list(itertools.product(S.values, S.values))
DECIDERS = ("provider", "coordinator")
CANCELLERS = ("employer",)
ROLES = ("employer", "provider", "coordinator", "other_employer", "other_provider", "consultant")


@pytest.fixture
def cast(db):
    structure = StructureFactory(name="Régie de quartier")
    formation = offer("Manager une équipe")
    provider_member = ProviderMembershipFactory(provider=formation.provider, user=UserFactory(email="of@of.fr")).user
    return {
        "structure": structure,
        "formation": formation,
        "employer": employer(structure, MembershipRole.MEMBER, email="rh@regie.fr"),
        "provider": provider_member,
        "coordinator": user_with_role(ProgrammeRole.COORDINATOR, email="coord@horizon.fr"),
        "other_employer": employer(email="autre@asso.fr"),
        "other_provider": ProviderMembershipFactory(user=UserFactory(email="autre@of.fr")).user,
        "consultant": user_with_role(ProgrammeRole.CONSULTANT, email="conseil@cabinet.fr"),
    }


def make_request(cast, status=S.SENT):
    training_request = TrainingRequest.objects.create(
        structure=cast["structure"], formation=cast["formation"], requested_by=cast["employer"], status=status
    )
    return TrainingRequest.objects.select_related("formation").get(pk=training_request.pk)


@pytest.mark.parametrize(("start", "to"), PAIRS)
def test_life_cycle_table(cast, start, to):
    """The model allows exactly the moves of the table (whoever asks), and each leaves an attributable event."""
    training_request = make_request(cast, start)
    if (start, to) in ALLOWED:
        event = training_request.transition(to, cast["coordinator"], note="Raison")
        training_request.refresh_from_db()
        assert training_request.status == to
        assert (event.from_status, event.to_status, event.user, event.note) == (
            start,
            to,
            cast["coordinator"],
            "Raison",
        )
    else:
        with pytest.raises(TransitionNotAllowed) as error:
            training_request.transition(to, cast["coordinator"], note="Raison")
        assert "ne peut pas passer" in error.value.messages[0]
        training_request.refresh_from_db()
        assert training_request.status == start
        assert not RequestEvent.objects.exists()


@pytest.mark.parametrize(("start", "to"), sorted(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_make_each_move(cast, start, to, role):
    """Provider's members and coordinators decide; the structure's members cancel; nobody else does anything."""
    training_request = make_request(cast, start)
    user = cast[role]
    may = role in (CANCELLERS if to == S.CANCELLED else DECIDERS)
    assert perms.can_transition_request(user, training_request, to) is may
    if may:
        event = services.transition(training_request, to, user, note="Motif")
        assert event.user == user
        assert TrainingRequest.objects.get(pk=training_request.pk).status == to
    else:
        with pytest.raises(PermissionDenied):
            services.transition(training_request, to, user, note="Motif")
        assert TrainingRequest.objects.get(pk=training_request.pk).status == start
        assert not RequestEvent.objects.exists()


@pytest.mark.parametrize("start", [S.REFUSED, S.COMPLETED, S.CANCELLED])
def test_final_statuses_offer_no_action(cast, start):
    training_request = make_request(cast, start)
    assert training_request.is_final
    for role in ROLES:
        assert perms.request_actions(cast[role], training_request) == []
    with pytest.raises(TransitionNotAllowed):
        services.transition(training_request, S.CANCELLED, cast["employer"])


def test_refusal_needs_a_reason(cast):
    training_request = make_request(cast)
    with pytest.raises(ValidationError) as error:
        services.transition(training_request, S.REFUSED, cast["provider"], note="   ")
    assert error.value.message_dict == {"note": ["Indiquez le motif du refus : il est transmis à l'employeur."]}
    assert TrainingRequest.objects.get(pk=training_request.pk).status == S.SENT
    services.transition(training_request, S.REFUSED, cast["provider"], note="Session complète")
    assert training_request.status == S.REFUSED
    assert training_request.events.get().note == "Session complète"


def test_unknown_status_is_refused(cast):
    training_request = make_request(cast)
    with pytest.raises(PermissionDenied):
        services.transition(training_request, "perdue", cast["coordinator"])


def test_view_permissions(cast):
    training_request = make_request(cast)
    visible = {role: perms.can_view_request(cast[role], training_request) for role in ROLES}
    assert visible == {
        "employer": True,
        "provider": True,
        "coordinator": True,
        "other_employer": False,
        "other_provider": False,
        "consultant": False,
    }
    for role, may in visible.items():
        assert (training_request in perms.requests_visible_to(cast[role])) is may
    assert perms.can_request(cast["employer"], cast["structure"])
    assert not perms.can_request(cast["other_employer"], cast["structure"])
    assert not perms.can_request(cast["coordinator"], cast["structure"])


def test_inactive_memberships_give_nothing(cast):
    training_request = make_request(cast)
    cast["provider"].provider_memberships.update(is_active=False)
    cast["employer"].memberships.update(is_active=False)
    provider, requester = (type(cast["provider"]).objects.get(pk=cast[name].pk) for name in ("provider", "employer"))
    assert not perms.can_view_request(provider, training_request)
    assert not perms.can_view_request(requester, training_request)
    assert not perms.can_decide_request(provider, training_request)
    assert not perms.can_cancel_request(requester, training_request)


# Creating a request ----------------------------------------------------------------------------------------------


def test_create_request_records_the_sending_and_notifies_provider_and_coordinators(cast):
    ProviderMembershipFactory(
        provider=cast["formation"].provider, user=UserFactory(email="ancien@of.fr"), is_active=False
    )
    session = cast["formation"].sessions.get()
    training_request = services.create_request(
        cast["structure"],
        cast["formation"],
        cast["employer"],
        people=3,
        session=session,
        preferred_period=" au printemps ",
        comment="Pour nos encadrants",
        base_url="https://horizon.example/",
    )
    assert (training_request.status, training_request.people, training_request.preferred_period) == (
        S.SENT,
        3,
        "au printemps",
    )
    event = training_request.events.get()
    assert (event.from_status, event.to_status, event.user) == ("", S.SENT, cast["employer"])
    assert sorted(message.to[0] for message in mail.outbox) == ["coord@horizon.fr", "of@of.fr"]
    assert all(len(message.to) == 1 for message in mail.outbox)
    message = mail.outbox[0]
    assert message.subject == "Nouvelle demande de formation : Manager une équipe"
    assert "Régie de quartier" in message.body
    assert "Nombre de personnes : 3" in message.body
    assert "Période souhaitée : au printemps" in message.body
    assert f"https://horizon.example/offre-de-formation/demandes/{training_request.pk}/" in message.body


def test_create_request_rules(cast):
    other_session = SessionFactory()
    closed = offer("Ancienne", formation={"closed": True})
    with pytest.raises(PermissionDenied):
        services.create_request(cast["structure"], cast["formation"], cast["other_employer"])
    with pytest.raises(PermissionDenied):
        services.create_request(cast["structure"], cast["formation"], cast["coordinator"])
    with pytest.raises(ValidationError) as error:
        services.create_request(cast["structure"], cast["formation"], cast["employer"], session=other_session, people=0)
    assert set(error.value.message_dict) == {"session", "people"}
    with pytest.raises(ValidationError) as error:
        services.create_request(cast["structure"], closed, cast["employer"])
    assert set(error.value.message_dict) == {"formation"}
    assert not TrainingRequest.objects.exists()
    assert mail.outbox == []


def test_people_must_be_positive_in_the_database(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingRequest.objects.create(structure=cast["structure"], formation=cast["formation"], people=0)


# E-mails on changes ----------------------------------------------------------------------------------------------


def test_status_changes_are_mailed_to_the_requester(cast):
    training_request = make_request(cast)
    services.transition(training_request, S.ACCEPTED, cast["provider"], base_url="https://horizon.example")
    assert [message.to for message in mail.outbox] == [["rh@regie.fr"]]
    assert mail.outbox[0].subject == "Votre demande de formation est acceptée : Manager une équipe"
    mail.outbox.clear()
    services.transition(training_request, S.ENROLLED, cast["coordinator"])
    services.transition(training_request, S.COMPLETED, cast["provider"])
    assert [message.subject.split(" : ")[0] for message in mail.outbox] == [
        "Votre demande de formation est inscrite",
        "Votre demande de formation est réalisée",
    ]


def test_refusal_mail_gives_the_reason(cast):
    training_request = make_request(cast)
    services.transition(training_request, S.REFUSED, cast["provider"], note="Plus de places cette année")
    assert mail.outbox[0].to == ["rh@regie.fr"]
    assert "Motif du refus : Plus de places cette année" in mail.outbox[0].body


def test_cancellation_by_the_requester_tells_the_provider_not_the_requester(cast):
    training_request = make_request(cast)
    services.transition(training_request, S.CANCELLED, cast["employer"], note="Budget gelé")
    assert [message.to for message in mail.outbox] == [["of@of.fr"]]
    assert "annulée" in mail.outbox[0].body and "Budget gelé" in mail.outbox[0].body


def test_cancellation_by_a_colleague_tells_the_requester_too(cast):
    colleague = employer(cast["structure"], email="direction@regie.fr")
    training_request = make_request(cast, S.ACCEPTED)
    services.transition(training_request, S.CANCELLED, colleague)
    assert sorted(message.to[0] for message in mail.outbox) == ["of@of.fr", "rh@regie.fr"]
    event = training_request.events.get()
    assert (event.from_status, event.to_status, event.user) == (S.ACCEPTED, S.CANCELLED, colleague)
