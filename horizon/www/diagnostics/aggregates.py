"""The diagnostics dashboard: levels by theme and needs of the structures of a territory and sector.

For coordinators (every figure) and funders (figures covering at least k structures only). The GET form owns
the state (the URL), htmx swaps only the results and, out of band, the filter fields (the EPCI list follows the
département). `?export=xlsx` gives the same figures as a spreadsheet.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from horizon.diagnostics.aggregates import aggregates_xlsx, diagnostic_aggregates
from horizon.diagnostics.perms import can_view_aggregates, sees_small_groups

from .filters import AggregatesFilterForm

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def aggregates(request):
    if not can_view_aggregates(request.user):
        raise PermissionDenied
    form = AggregatesFilterForm(request.GET)
    results = diagnostic_aggregates(**form.criteria(), entitled=sees_small_groups(request.user))
    if request.GET.get("export") == "xlsx":
        filename = f"diagnostics-rh-statistiques-{timezone.localdate():%Y-%m-%d}.xlsx"
        return HttpResponse(
            aggregates_xlsx(results, form.described()),
            content_type=XLSX_CONTENT_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    query = request.GET.copy()
    query.pop("export", None)
    context = {
        "form": form,
        "results": results,
        "query": query.urlencode(),
        "active_filters": form.active_filters(),
    }
    template = "diagnostics/includes/aggregates_partial.html" if request.htmx else "diagnostics/aggregates.html"
    return render(request, template, context)
