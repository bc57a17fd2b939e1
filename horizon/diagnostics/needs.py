"""Needs: the programme themes on which a submitted diagnostic says the structure needs support.

A dimension of the definition lists the programme themes it feeds (`need_themes`); when its score says
"besoin d'accompagnement" (level at or below its threshold, a need flagged by the employer, or nothing known),
each of those themes is a need of the structure. Needs are stored as rows (one per theme and response) so that
the needs register and the training offers can query them by territory and theme; a structure's current needs
are those of its latest submitted diagnostic.
"""

from horizon.organisations.enums import ChangeAction
from horizon.organisations.services import record_change
from horizon.programmes.enums import ProgrammeTheme

from .enums import DIAGNOSTIC_CODE
from .models import Need


def needed_themes(definition, results):
    """{programme theme: [dimension codes that call for it]}, in the definition's order. Pure."""
    themes = {}
    for dimension in definition.get("dimensions", []):
        result = results.get(dimension["code"])
        if result is None or not result.need_support:
            continue
        for theme in dimension.get("need_themes", []):
            themes.setdefault(theme, []).append(dimension["code"])
    return themes


def on_response_submitted(sender, response, results, **kwargs):
    if response.structure_id is None:
        return
    definition = response.version.content
    known = set(ProgrammeTheme.values)
    Need.objects.filter(response=response).delete()
    Need.objects.bulk_create(
        Need(response=response, structure_id=response.structure_id, theme=theme, dimensions=dimensions)
        for theme, dimensions in needed_themes(definition, results).items()
        if theme in known
    )
    if response.version.code == DIAGNOSTIC_CODE:
        record_change(response.structure, response.submitted_by, ChangeAction.DIAGNOSTIC_SUBMITTED)


def on_response_reopened(sender, response, **kwargs):
    Need.objects.filter(response=response).delete()
