"""Who holds which programme role. Every app asks here rather than reading memberships itself."""

from .enums import ProgrammeRole


def programme_roles(user):
    """The set of active programme roles of a user, computed once per request object."""
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_programme_roles"):
        user._programme_roles = frozenset(user.programme_memberships.active().values_list("role", flat=True).distinct())
    return user._programme_roles


def is_coordinator(user):
    return ProgrammeRole.COORDINATOR in programme_roles(user)
