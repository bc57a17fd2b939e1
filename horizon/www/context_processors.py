from horizon.organisations.perms import structures_of
from horizon.programmes.perms import programme_roles


def navigation(request):
    """What the header needs: the user's programme roles and structures (one query each, lazily)."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"nav_roles": programme_roles(user), "nav_structures": structures_of(user)}
