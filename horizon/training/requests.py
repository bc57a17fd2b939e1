"""Training requests (*demandes*): an employer asks a provider for a formation, and the provider and the
coordinators follow it through its life cycle (see TrainingRequest.TRANSITIONS).

Every write runs in a transaction; a change of status locks the request's row first, so that two people clicking at
once cannot both move it. Each step leaves a RequestEvent (who, when, why). E-mails are queued in the same
transaction (the production task queue stores them in the database: a rolled-back write sends nothing):
- a new request → the provider's active members and the coordinators;
- a change of status → the person who sent the request (unless they made the change themselves); a cancellation
  → also the provider's active members, who were following it.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from horizon.programmes.enums import ProgrammeRole
from horizon.utils.tasks import send_email

from .enums import RequestStatus
from .models import RequestEvent, TrainingRequest
from .perms import can_request, can_transition_request

CLOSED_OFFER = "Cette formation n'est plus proposée par l'organisme : elle ne peut plus être demandée."
WRONG_SESSION = "Choisissez une session à venir de cette formation, ou « sans session précise »."
PEOPLE_REQUIRED = "Indiquez au moins une personne à former."
NOT_ALLOWED = "Vous ne pouvez pas faire passer cette demande à l'état « {status} »."


def _provider_emails(formation):
    return list(
        formation.provider.memberships.active()
        .filter(user__is_active=True)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


def _coordinator_emails():
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            programme_memberships__is_active=True,
            programme_memberships__role=ProgrammeRole.COORDINATOR,
        )
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


def _send(template, subject, context, recipients):
    """One e-mail per person (nobody sees the others' addresses)."""
    body = render_to_string(template, context)
    for email in dict.fromkeys(recipients):  # without duplicates, in order
        if email:
            send_email.enqueue(subject=subject, body=body, to=[email])


def _link(training_request, base_url):
    return f"{base_url.rstrip('/')}{reverse('training:request_detail', args=[training_request.pk])}"


@transaction.atomic
def create_request(structure, formation, user, *, people=1, session=None, preferred_period="", comment="", base_url=""):
    """A member of `structure` asks for `formation` (a session of it, or none in particular). Raises
    PermissionDenied for someone who does not belong to the structure, ValidationError (keyed by field) for a
    closed offer, a session of another formation or no one to train. `base_url` prefixes the links of the e-mails."""
    if not can_request(user, structure):
        raise PermissionDenied("Vous ne faites pas partie de cette structure.")
    errors = {}
    if formation.closed_at is not None:
        errors["formation"] = CLOSED_OFFER
    if session is not None and (session.formation_id != formation.pk or session.closed_at is not None):
        errors["session"] = WRONG_SESSION
    if people is None or people < 1:
        errors["people"] = PEOPLE_REQUIRED
    if errors:
        raise ValidationError(errors)
    training_request = TrainingRequest.objects.create(
        structure=structure,
        formation=formation,
        session=session,
        requested_by=user,
        people=people,
        preferred_period=(preferred_period or "").strip(),
        comment=(comment or "").strip(),
    )
    RequestEvent.objects.create(request=training_request, from_status="", to_status=RequestStatus.SENT, user=user)
    _send(
        "emails/training_request_sent.txt",
        f"Nouvelle demande de formation : {formation.title}",
        {"training_request": training_request, "link": _link(training_request, base_url)},
        _provider_emails(formation) + _coordinator_emails(),
    )
    return training_request


@transaction.atomic
def transition(training_request, to, user, note="", base_url=""):
    """Move a request to status `to` on behalf of `user`. Raises PermissionDenied when the person's role does not
    allow this move, TransitionNotAllowed (French message) when the life cycle does not, ValidationError on
    "note" for a refusal without a reason. Returns the RequestEvent."""
    locked = (
        TrainingRequest.objects.select_for_update(of=("self",))
        .select_related("formation__provider", "structure", "requested_by")
        .get(pk=training_request.pk)
    )
    if to not in RequestStatus.values or not can_transition_request(user, locked, to):
        label = RequestStatus(to).label.lower() if to in RequestStatus.values else to
        raise PermissionDenied(NOT_ALLOWED.format(status=label))
    event = locked.transition(to, user, note)
    context = {"training_request": locked, "event": event, "link": _link(locked, base_url)}
    subject = f"Votre demande de formation est {locked.get_status_display().lower()} : {locked.formation.title}"
    requester = locked.requested_by
    if requester is not None and requester.is_active and requester != user:
        _send("emails/training_request_status.txt", subject, context, [requester.email])
    if to == RequestStatus.CANCELLED:
        _send(
            "emails/training_request_cancelled.txt",
            f"Demande de formation annulée : {locked.formation.title}",
            context,
            [email for email in _provider_emails(locked.formation) if email != user.email],
        )
    training_request.status = locked.status
    training_request.updated_at = locked.updated_at
    return event
