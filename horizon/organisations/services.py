"""Writes on structures that must stay consistent: memberships, invitations and the change history."""

import secrets

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from horizon.utils.tasks import send_email

from .enums import ChangeAction, MembershipRole
from .models import Invitation, Membership, StructureChange


def _display(instance, name):
    """A field's value as a person reads it: the label of a choice, the name of a related object."""
    field = instance._meta.get_field(name)
    value = getattr(instance, name)
    if value is None:
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def diff_fields(before, after, fields):
    """{field: [before, after]} for the fields whose value changed, as readable text."""
    changes = {}
    for name in fields:
        if getattr(before, name) != getattr(after, name):
            changes[name] = [_display(before, name), _display(after, name)]
    return changes


def record_change(structure, user, action, changes=None, note=""):
    return StructureChange.objects.create(
        structure=structure,
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        changes=changes or {},
        note=note[:255],
    )


@transaction.atomic
def add_member(structure, user, role=MembershipRole.MEMBER, by=None):
    """Make `user` an active member with `role`; an administrator who is added again stays administrator."""
    membership = Membership.objects.select_for_update().filter(user=user, structure=structure).first()
    if membership is None:
        membership = Membership(user=user, structure=structure)
    elif membership.is_active and membership.role == MembershipRole.ADMIN:
        role = MembershipRole.ADMIN
    membership.role = role
    membership.is_active = True
    membership.save()
    record_change(
        structure, by or user, ChangeAction.MEMBER_ADDED, note=f"{user.email} ({membership.get_role_display()})"
    )
    return membership


def create_invitation(structure, email, role, by):
    invitation = Invitation.objects.create(
        structure=structure, email=email.lower(), role=role, invited_by=by, token=secrets.token_urlsafe(32)
    )
    record_change(structure, by, ChangeAction.INVITATION_SENT, note=invitation.email)
    return invitation


@transaction.atomic
def accept_invitation(invitation, user):
    """The invited person joins the structure with the role of the invitation; the invitation is used up."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValueError("Cette invitation a expiré ou a déjà été utilisée.")
    membership = add_member(invitation.structure, user, invitation.role, by=user)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


def send_invitation(invitation, request):
    """E-mail the invitation link (through the task queue: immediate in development, a worker in production)."""
    link = request.build_absolute_uri(reverse("accounts:invitation", args=[invitation.token]))
    context = {"invitation": invitation, "link": link, "validity_days": settings.INVITATION_VALIDITY_DAYS}
    send_email.enqueue(
        subject=f"Invitation à rejoindre {invitation.structure} sur Horizon ESS",
        body=render_to_string("emails/structure_invitation.txt", context),
        to=[invitation.email],
    )
