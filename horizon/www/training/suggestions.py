"""« Mes formations »: for each structure of an employer, the training offers that answer the needs found by its
latest HR diagnostic, near it or at a distance, grouped by need, each with the reasons it is suggested.

Who may come here: people who belong to a structure (employers), for their own structures only. Anyone else who is
logged in gets a 403. The page runs a fixed number of queries, whatever the number of structures, needs and offers.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from horizon.diagnostics.enums import DIAGNOSTIC_CODE
from horizon.organisations.perms import can_edit_structure, structures_of
from horizon.questionnaires.models import Response
from horizon.training.matching import radius_km, suggestions_by_structure


def suggestions(request):
    structures = structures_of(request.user)
    if not structures:
        raise PermissionDenied("Cette page présente les formations suggérées aux structures employeuses.")
    today = timezone.localdate()
    by_structure = suggestions_by_structure(structures, today)
    # The latest submitted diagnostic of each structure, for the link to its restitution.
    diagnostics = dict(
        Response.objects.of(DIAGNOSTIC_CODE)
        .filter(structure__in=structures, is_latest=True)
        .values_list("structure_id", "pk")
    )
    rows = [
        (
            structure,
            diagnostics.get(structure.pk),
            by_structure.get(structure.pk),
            can_edit_structure(request.user, structure),
        )
        for structure in structures
    ]
    return render(request, "training/suggestions.html", {"rows": rows, "radius": radius_km()})
