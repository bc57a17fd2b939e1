from django.utils.functional import SimpleLazyObject

from horizon.diagnostics.perms import can_view_aggregates
from horizon.organisations.perms import structures_of
from horizon.programmes.enums import ProgrammeRole
from horizon.programmes.perms import programme_roles
from horizon.training.perms import providers_of


def navigation(request):
    """What the header needs: the user's programme roles and structures, queried only if a template asks."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav_roles": SimpleLazyObject(lambda: programme_roles(user)),
        "nav_structures": SimpleLazyObject(lambda: structures_of(user)),
        "nav_aggregates": SimpleLazyObject(lambda: can_view_aggregates(user)),
        # Only people with the provider role manage an offer: nobody else pays the query.
        "nav_providers": SimpleLazyObject(
            lambda: providers_of(user) if ProgrammeRole.PROVIDER in programme_roles(user) else []
        ),
    }
