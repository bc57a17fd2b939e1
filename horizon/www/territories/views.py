import re

from django.contrib.auth.decorators import login_not_required
from django.db.models import prefetch_related_objects
from django.shortcuts import render
from django.views.decorators.http import require_GET

from horizon.territories.models import Commune
from horizon.territories.search import parse_place

MAX_QUERY_LENGTH = 100
DEFAULT_LISTBOX_ID = "communes"
LISTBOX_ID = re.compile(r"[A-Za-z][\w-]{0,99}")


@login_not_required  # reference data, also used on the sign-up and declaration pages
@require_GET
def communes(request):
    """The options of the commune autocomplete (see CommuneField): up to 10 communes matching ?q=, as an htmx
    partial whose option ids start with ?listbox=, the id of the list they go into."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    listbox_id = request.GET.get("listbox", "")
    if not LISTBOX_ID.fullmatch(listbox_id):
        listbox_id = DEFAULT_LISTBOX_ID
    communes = Commune.objects.search(query)
    prefetch_related_objects(communes, "postal_codes")
    postal_code = parse_place(query).postal_code
    context = {
        "options": [{"code": commune.code, "label": commune.label_for(postal_code)} for commune in communes],
        "query": query,
        "listbox_id": listbox_id,
    }
    return render(request, "territories/includes/commune_options.html", context)
