from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from horizon.diagnostics.action_plans import structure_overview
from horizon.organisations.models import Collective, Structure
from horizon.organisations.perms import can_edit_structure, can_list_structures, structures_of
from horizon.programmes.enums import ProgrammeRole
from horizon.programmes.perms import programme_roles
from horizon.training.perms import providers_of


def home(request):
    """Each person's starting page: what they can do next, by role."""
    user = request.user
    roles = programme_roles(user)
    today = timezone.localdate()
    context = {
        # Each structure with where its HR diagnostic and action plan stand (an employer has one or two), and
        # whether the person may edit its profile and invite colleagues (a structure's admins only).
        "structures": [
            (structure, structure_overview(structure, today), can_edit_structure(user, structure))
            for structure in structures_of(user)
        ],
        "roles": [ProgrammeRole(role) for role in sorted(roles)],
        "is_coordinator": ProgrammeRole.COORDINATOR in roles,
        "small_group_k": settings.SMALL_GROUP_K,
        # The training providers the person manages: the way to "Mon offre de formation".
        "providers": providers_of(user),
    }
    if can_list_structures(user):
        context["registry_counts"] = {
            "structures": Structure.objects.active().count(),
            "collectives": Collective.objects.count(),
        }
    return render(request, "home/home.html", context)


@login_not_required
@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("base de données injoignable", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@login_not_required
def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


@login_not_required
def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


@login_not_required
def server_error(request):
    # No context processors here: the database may be what failed.
    return HttpResponseServerError(render_to_string("errors/500.html"))
