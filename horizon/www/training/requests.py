"""Training requests (*demandes*): an employer asks for a formation from its page, then the employer, the provider
and the coordinators follow the request on these pages.

Who sees what (horizon.training.perms): an employer the requests of their structures, a provider's member those
addressed to their provider, a coordinator all of them. Anyone else who is logged in gets a 403 on the list; a
request one may not see is not found (404), so that forged ids show nothing. Writes go through
horizon.training.requests, which checks the life cycle and the roles again, records who did what and notifies.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from horizon.organisations.models import Structure
from horizon.organisations.perms import structures_of
from horizon.programmes.perms import is_coordinator
from horizon.training import requests as services
from horizon.training.enums import RequestStatus
from horizon.training.models import Formation, Session, TrainingRequest
from horizon.training.perms import (
    can_list_requests,
    can_view_request,
    providers_of,
    request_actions,
    requests_visible_to,
)
from horizon.www.catalogue.views import session_place

from .request_forms import RequestForm, TransitionForm
from .views import session_dates

PAGE_SIZE = 20
STATUS_PARAM = "statut"

# The buttons of each move, and whether it asks for a note (the reason of a refusal is required).
ACTIONS = {
    RequestStatus.ACCEPTED: ("Accepter la demande", "btn-success", False),
    RequestStatus.REFUSED: ("Refuser la demande", "btn-outline-danger", True),
    RequestStatus.ENROLLED: ("Confirmer l'inscription", "btn-primary", False),
    RequestStatus.COMPLETED: ("Marquer la formation comme réalisée", "btn-primary", False),
    RequestStatus.CANCELLED: ("Annuler la demande", "btn-outline-danger", True),
}
STATUS_BADGES = {
    RequestStatus.SENT: "text-bg-info",
    RequestStatus.ACCEPTED: "text-bg-success",
    RequestStatus.REFUSED: "text-bg-danger",
    RequestStatus.ENROLLED: "text-bg-primary",
    RequestStatus.COMPLETED: "text-bg-dark",
    RequestStatus.CANCELLED: "text-bg-secondary",
}


def _base_url(request):
    return request.build_absolute_uri("/")


def _request_for(request, pk):
    training_request = (
        TrainingRequest.objects.select_related(
            "structure", "formation__provider", "session__action__commune", "session__commune", "requested_by"
        )
        .filter(pk=pk)
        .first()
    )
    if training_request is None or not can_view_request(request.user, training_request):
        raise Http404("Demande introuvable.")
    return training_request


def request_list(request):
    """The requests a person follows, newest first, filtered by status (?statut=), 20 a page."""
    user = request.user
    if not can_list_requests(user):
        raise PermissionDenied("Votre compte n'est rattaché à aucune structure ni à aucun organisme de formation.")
    visible = requests_visible_to(user)
    counts = visible.aggregate(
        total=Count("pk"), **{value: Count("pk", filter=Q(status=value)) for value in RequestStatus.values}
    )
    status = request.GET.get(STATUS_PARAM, "")
    if status not in RequestStatus.values:
        status = ""
    listed = visible.filter(status=status) if status else visible
    listed = listed.select_related("structure", "formation__provider", "session", "requested_by").order_by(
        "-created_at", "-pk"
    )
    paginator = Paginator(listed, PAGE_SIZE)
    paginator.count = counts[status] if status else counts["total"]  # already counted above
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "query": query.urlencode(),
        "status": status,
        "status_label": RequestStatus(status).label if status else "",
        "tabs": [(value, label, counts[value]) for value, label in RequestStatus.choices],
        "total": counts["total"],
        "status_param": STATUS_PARAM,
        "badges": STATUS_BADGES,
        "is_coordinator": is_coordinator(user),
        "is_employer": bool(structures_of(user)),
        "is_provider": bool(providers_of(user)),
        "rows": [(item, STATUS_BADGES[item.status]) for item in page.object_list],
    }
    return render(request, "training/requests/list.html", context)


def request_create(request, formation_pk):
    """An employer asks for a formation: for which structure (if they belong to several), which session (or none in
    particular), how many people, when, and a comment for the provider."""
    user = request.user
    structures = structures_of(user)
    if not structures:
        raise PermissionDenied("Seuls les membres d'une structure employeuse peuvent demander une formation.")
    formation = Formation.objects.select_related("provider").filter(pk=formation_pk, closed_at__isnull=True).first()
    if formation is None:
        raise Http404("Cette formation n'est plus proposée.")
    sessions = (
        Session.objects.upcoming(timezone.localdate())
        .filter(formation=formation)
        .select_related("action", "commune")
        .order_by("start_date", "pk")
    )
    labels = {session.pk: f"{session_dates(session)} — {session_place(session)}" for session in sessions}
    form = RequestForm(
        request.POST or None,
        structures=Structure.objects.filter(pk__in=[structure.pk for structure in structures]).order_by("name"),
        sessions=sessions,
        session_labels=labels,
        single_structure=structures[0] if len(structures) == 1 else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            training_request = services.create_request(
                data.get("structure") or structures[0],
                formation,
                user,
                people=data["people"],
                session=data["session"],
                preferred_period=data["preferred_period"],
                comment=data["comment"],
                base_url=_base_url(request),
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                f"Votre demande est envoyée à {formation.provider.name}. Vous serez prévenu·e par e-mail de sa suite.",
            )
            return redirect("training:request_detail", training_request.pk)
    context = {
        "formation": formation,
        "form": form,
        "single_structure": structures[0] if len(structures) == 1 else None,
        "has_sessions": bool(labels),
    }
    return render(request, "training/requests/create.html", context)


def _detail_context(request, training_request, failed=None):
    """The request, its history and the moves the viewer may make (`failed`: a bound TransitionForm with errors)."""
    allowed = request_actions(request.user, training_request)
    attached = failed is not None and failed.data.get("status") in allowed
    general_errors = [] if failed is None or attached else [e for errors in failed.errors.values() for e in errors]
    actions = []
    for to in allowed:
        label, css, with_note = ACTIONS[to]
        form = failed if failed is not None and failed.data.get("status") == to else None
        actions.append(
            {
                "status": to,
                "label": label,
                "css": css,
                "with_note": with_note,
                "required": to == RequestStatus.REFUSED,
                "form": form,
            }
        )
    session = training_request.session
    return {
        "training_request": training_request,
        "badge": STATUS_BADGES[training_request.status],
        "session_label": f"{session_dates(session)} — {session_place(session)}" if session else "",
        "events": list(training_request.events.select_related("user")),
        "actions": actions,
        "general_errors": general_errors,
    }


def request_detail(request, pk):
    training_request = _request_for(request, pk)
    return render(request, "training/requests/detail.html", _detail_context(request, training_request))


@require_POST
def request_transition(request, pk):
    """One move of a request (a small POST form of the detail page)."""
    training_request = _request_for(request, pk)
    allowed = request_actions(request.user, training_request)
    wanted = request.POST.get("status", "")
    if wanted in training_request.next_statuses() and wanted not in allowed:
        raise PermissionDenied("Votre rôle ne vous permet pas cette action sur la demande.")
    form = TransitionForm(request.POST, allowed=allowed)
    if form.is_valid():
        try:
            services.transition(
                training_request,
                form.cleaned_data["status"],
                request.user,
                form.cleaned_data["note"],
                base_url=_base_url(request),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"La demande est désormais « {training_request.get_status_display().lower()} ».")
            return redirect("training:request_detail", training_request.pk)
    context = _detail_context(request, training_request, failed=form)
    return render(request, "training/requests/detail.html", context, status=400)
