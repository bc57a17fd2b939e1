"""Writes on structures that must stay consistent: memberships, invitations and the change history."""

import secrets

from django.db import transaction
from django.utils import timezone

from .enums import ChangeAction, MembershipRole
from .models import Invitation, Membership, StructureChange


def _display(value):
    if value is None:
        return ""
    if hasattr(value, "pk"):
        return str(value)
    return str(value)


def diff_fields(before, after, fields):
    """{field: [before, after]} for the fields whose value changed, as readable text."""
    changes = {}
    for name in fields:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changes[name] = [_display(old), _display(new)]
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
    membership, created = Membership.objects.update_or_create(
        user=user, structure=structure, defaults={"role": role, "is_active": True}
    )
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
