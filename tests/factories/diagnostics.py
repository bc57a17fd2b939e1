"""The real HR diagnostic, published, and submitted diagnostics at chosen levels per theme."""

from horizon.diagnostics.enums import DIAGNOSTIC_CODE
from horizon.diagnostics.samples import answers_for_levels
from horizon.questionnaires import catalogue, services
from horizon.questionnaires.models import Response


def diagnostic_version():
    """The current version of the HR diagnostic of the definitions folder (published once)."""
    return services.publish(catalogue.load_definition(DIAGNOSTIC_CODE))[0]


def draft_diagnostic(structure, user, variant=None):
    version = diagnostic_version()
    variant = variant or catalogue.variant_for(version.content, structure)
    return services.start(version, structure, user, variant=variant)


def submitted_diagnostic(structure, user, levels=None, default=2, flagged=(), variant=None):
    """A diagnostic of `structure` answered at `levels` ({dimension code: 0–4 or None}) and submitted by `user`."""
    response = draft_diagnostic(structure, user, variant)
    response.answers = answers_for_levels(response.version.content, response.variant, levels, default, flagged)
    response.save(update_fields=["answers"])
    services.submit(response, user)
    return Response.objects.select_related("version", "structure").get(pk=response.pk)
