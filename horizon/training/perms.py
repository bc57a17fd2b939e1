"""Who may see and change the training offer. Views, templates and the API all ask here.

The catalogue is public. A provider's members (role "Organisme de formation", through ProviderMembership) create
and edit their own offers and sessions; coordinators edit any offer and choose its programme themes.
"""

from horizon.programmes.perms import is_coordinator

from .models import ProviderMembership


def providers_of(user):
    """The providers a user manages (active memberships), computed once per request."""
    if not user.is_authenticated:
        return []
    if not hasattr(user, "_providers"):
        user._providers = list(
            ProviderMembership.objects.active().filter(user=user).select_related("provider").order_by("provider__name")
        )
    return [membership.provider for membership in user._providers]


def is_provider_member(user, provider_id):
    return provider_id is not None and any(provider.pk == provider_id for provider in providers_of(user))


def can_edit_offer(user, formation):
    return is_coordinator(user) or is_provider_member(user, formation.provider_id)


def can_create_offer(user, provider):
    return is_coordinator(user) or is_provider_member(user, provider.pk)


def can_edit_themes(user):
    return is_coordinator(user)
