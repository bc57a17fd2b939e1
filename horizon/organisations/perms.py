"""Who may see and change a structure's data. Views, templates and the API all ask here."""

from horizon.programmes.perms import is_coordinator

from .enums import MembershipRole
from .models import Membership, Structure


def structures_of(user):
    """The structures a user belongs to (active memberships), computed once per request."""
    if not user.is_authenticated:
        return []
    if not hasattr(user, "_structures"):
        user._structures = list(Structure.objects.of_member(user).select_related("commune").order_by("name"))
    return user._structures


def is_member(user, structure_id):
    """An active member (administrator or member) of the structure; reuses the per-request list of structures."""
    return structure_id is not None and any(structure.pk == structure_id for structure in structures_of(user))


def _membership_role(user, structure):
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_structure_roles"):
        user._structure_roles = dict(Membership.objects.active().filter(user=user).values_list("structure_id", "role"))
    return user._structure_roles.get(structure.pk)


def can_view_structure(user, structure):
    return is_coordinator(user) or _membership_role(user, structure) is not None


def can_edit_structure(user, structure):
    return is_coordinator(user) or _membership_role(user, structure) == MembershipRole.ADMIN


def can_manage_members(user, structure):
    return can_edit_structure(user, structure)


def can_list_structures(user):
    return is_coordinator(user)


def can_manage_collectives(user):
    return is_coordinator(user)
