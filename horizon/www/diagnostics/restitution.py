"""The restitution of a submitted HR diagnostic: the page and its PDF.

`pk` is the questionnaire response. Whoever may not see the response, or asks for a response to another
questionnaire, gets a 404 (forged ids find nothing). A diagnostic still in draft has no restitution yet: people
who may see it are sent back to its overview with a message saying so.
"""

import time

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.text import slugify

from horizon.diagnostics import perms
from horizon.diagnostics.charts import NARROW_WIDTH, ChartRow, maturity_chart
from horizon.diagnostics.enums import DIAGNOSTIC_CODE
from horizon.diagnostics.models import ActionPlan
from horizon.diagnostics.restitution import restitution_for
from horizon.questionnaires.models import Response
from horizon.questionnaires.perms import can_view_response
from horizon.training.matching import suggestions_for

PDF_STYLESHEET = "css/pdf/restitution.css"
NOT_SUBMITTED = (
    "Ce diagnostic n'a pas encore été envoyé : sa restitution sera disponible dès que la structure l'aura envoyé."
)


def _diagnostic_for(request, pk):
    """The submitted diagnostic `pk` if the person may see its restitution; a redirect for a draft; else 404."""
    response = get_object_or_404(
        Response.objects.of(DIAGNOSTIC_CODE).select_related("version", "structure", "submitted_by"), pk=pk
    )
    if not can_view_response(request.user, response):
        raise Http404("Diagnostic introuvable.")
    if response.is_draft:
        messages.info(request, NOT_SUBMITTED)
        return None, redirect("responses:detail", pk=response.pk)
    if not perms.can_view_restitution(request.user, response):
        raise Http404("Diagnostic introuvable.")
    return response, None


def _day(value):
    return formats.date_format(timezone.localtime(value), "j F Y")


def _chart(restitution, **options):
    previous = restitution.previous
    return maturity_chart(
        [
            ChartRow(theme.label, theme.level, theme.delta.previous_level if theme.delta else None)
            for theme in restitution.themes
        ],
        scale_min=restitution.scale_min,
        scale_max=restitution.scale_max,
        current_label=f"Niveau au diagnostic du {_day(restitution.submitted_at)}",
        previous_label=f"Niveau au diagnostic précédent, du {_day(previous.submitted_at)}" if previous else None,
        **options,
    )


def _context(response):
    restitution = restitution_for(response)
    return {
        "response": response,
        "structure": response.structure,
        "restitution": restitution,
        "themes": restitution.themes,
        "previous": restitution.previous,
        "evolution": restitution.evolution,
    }


def restitution(request, pk):
    response, redirection = _diagnostic_for(request, pk)
    if redirection:
        return redirection
    context = _context(response)
    context["has_plan"] = ActionPlan.objects.filter(response=response).exists()
    # Two drawings of the same chart, one shown at a time: the narrow one keeps its text readable on a phone.
    context["chart"] = _chart(context["restitution"], css_class="maturity-chart w-100 h-auto d-none d-md-block")
    context["chart_narrow"] = _chart(
        context["restitution"],
        id_prefix="profil-etroit",
        width=NARROW_WIDTH,
        css_class="maturity-chart w-100 h-auto d-md-none",
    )
    return render(request, "diagnostics/restitution.html", context)


def restitution_suggestions(request, pk):
    """The offers for a diagnostic's needs, loaded after the restitution itself (htmx) so that the page stays fast
    whatever the size of the catalogue; without JavaScript, a page of its own."""
    response, redirection = _diagnostic_for(request, pk)
    if redirection:
        return redirection
    structure = response.structure
    context = {
        "response": response,
        "structure": structure,
        "suggestions": suggestions_for(structure, timezone.localdate(), response=response) if structure else [],
    }
    template = "diagnostics/includes/restitution_suggestions.html" if request.htmx else "diagnostics/suggestions.html"
    return render(request, template, context)


def _pdf_stylesheet():
    from weasyprint import CSS  # imported on first use: WeasyPrint loads Pango when imported

    return CSS(filename=finders.find(PDF_STYLESHEET))


def render_pdf(response):
    """(PDF bytes, seconds taken) of the restitution of a submitted diagnostic."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    started = time.perf_counter()
    context = _context(response)
    context["chart"] = _chart(context["restitution"], id_prefix="pdf-profil", font_family="DejaVu Sans")
    context["generated_at"] = timezone.localtime()
    html = render_to_string("pdf/restitution.html", context)
    # The document needs nothing from outside: no URL is ever fetched (escaped content cannot point anywhere).
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf(stylesheets=[_pdf_stylesheet()])
    return pdf, time.perf_counter() - started


def pdf_filename(response):
    structure = slugify(response.structure.display_name) if response.structure else "structure"
    day = timezone.localtime(response.submitted_at).date().isoformat()
    return f"{DIAGNOSTIC_CODE}-{structure or 'structure'}-{day}.pdf"


def restitution_pdf(request, pk):
    response, redirection = _diagnostic_for(request, pk)
    if redirection:
        return redirection
    pdf, _ = render_pdf(response)
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{pdf_filename(response)}"'},
    )
