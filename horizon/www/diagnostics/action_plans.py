"""The action plan of a diagnostic: see it, build it from the proposed actions, add and edit actions, change their
status in one click (htmx swaps the action; without JavaScript the page comes back), record its agreement.

Permissions: horizon.diagnostics.perms. The structure's members write, coordinators read (403 on writes), anyone
else gets a 404 whatever the id (forged ids of another structure find nothing). GET never writes. Domain rules
and the history live in horizon.diagnostics.action_plans.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST, require_safe

from horizon.diagnostics import action_plans as services
from horizon.diagnostics.enums import DIAGNOSTIC_CODE, ActionStatus
from horizon.diagnostics.models import Action, ActionPlan
from horizon.diagnostics.perms import can_edit_action_plan, can_view_action_plan
from horizon.questionnaires.models import Response

from .forms import ActionForm, AgreementForm, StatusForm

# ?tri= on the plan page: the URL keeps the order (shareable, back button works).
SORTS = {"ordre": "Ordre du plan", "etat": "État", "echeance": "Échéance"}
DEFAULT_SORT = "ordre"
STATUS_ORDER = {status: index for index, status in enumerate(ActionStatus.values)}
NOT_FOUND = "Plan d'action introuvable."


# --- Finding what the person may see -------------------------------------------------------------------------


def _check(request, structure, write):
    """404 for whoever may not see the structure's plan, 403 for whoever may see it but not write."""
    if structure is None or not can_view_action_plan(request.user, structure):
        raise Http404(NOT_FOUND)
    if write and not can_edit_action_plan(request.user, structure):
        raise PermissionDenied("Seuls les membres de la structure modifient son plan d'action.")


def _diagnostic_for(request, pk, write=False):
    response = get_object_or_404(
        Response.objects.of(DIAGNOSTIC_CODE).select_related(
            "version", "structure", "action_plan", "action_plan__agreement_recorded_by"
        ),
        pk=pk,
    )
    _check(request, response.structure, write)
    return response


def _plan_for(request, plan_pk, write=False):
    plan = get_object_or_404(
        ActionPlan.objects.select_related("structure", "response__version", "agreement_recorded_by"), pk=plan_pk
    )
    _check(request, plan.structure, write)
    return plan


def _action_for(request, pk, write=False):
    action = get_object_or_404(
        Action.objects.select_related("plan__structure", "plan__response__version", "plan__agreement_recorded_by"),
        pk=pk,
    )
    _check(request, action.plan.structure, write)
    return action


def _sort_of(value):
    return value if value in SORTS else DEFAULT_SORT


def _plan_url(plan_or_response, sort=DEFAULT_SORT, anchor=""):
    response_pk = plan_or_response.response_id if isinstance(plan_or_response, ActionPlan) else plan_or_response.pk
    url = reverse("diagnostics:action_plan", args=[response_pk])
    if sort != DEFAULT_SORT:
        url += f"?tri={sort}"
    return url + (f"#{anchor}" if anchor else "")


# --- What the templates show ---------------------------------------------------------------------------------


def _decorate(actions, labels, today):
    """Give each action what its row shows: the theme's label and whether it is overdue."""
    for action in actions:
        action.theme_label = services.theme_label(labels, action.dimension)
        action.overdue = action.is_overdue(today)
    return actions


def _sorted(actions, sort):
    if sort == "etat":
        return sorted(actions, key=lambda a: (STATUS_ORDER[a.status], a.due_date is None, a.due_date, a.position, a.pk))
    if sort == "echeance":
        return sorted(actions, key=lambda a: (a.due_date is None, a.due_date, a.position, a.pk))
    return sorted(actions, key=lambda a: (a.position, a.pk))


def _plan_state(plan, today):
    """The plan's actions (decorated, in plan order) and its summary, in one query."""
    labels = services.theme_labels(plan.response.version.content)
    actions = _decorate(list(plan.actions.select_related("updated_by")), labels, today)
    return {"actions": actions, "summary": services.summarise(plan, actions, today)}


# --- Pages ---------------------------------------------------------------------------------------------------


@require_safe
def plan(request, pk):
    response = _diagnostic_for(request, pk)
    structure = response.structure
    plan = getattr(response, "action_plan", None)
    can_edit = can_edit_action_plan(request.user, structure)
    today = timezone.localdate()
    sort = _sort_of(request.GET.get("tri"))
    context = {
        "response": response,
        "structure": structure,
        "plan": plan,
        "can_edit": can_edit,
        "today": today,
        "sort": sort,
        "sorts": SORTS,
        "status_choices": ActionStatus.choices,
    }
    if plan is not None:
        state = _plan_state(plan, today)
        state["actions"] = _sorted(state["actions"], sort)
        context.update(state)
    elif not response.is_draft:
        proposals = services.proposed_actions(response.version.content, list(response.results.all()))
        labels = services.theme_labels(response.version.content)
        context["proposals"] = [(proposal, services.theme_label(labels, proposal.dimension)) for proposal in proposals]
    return render(request, "diagnostics/action_plan.html", context)


@require_POST
def create_plan(request, pk):
    response = _diagnostic_for(request, pk, write=True)
    try:
        plan = services.create_plan(response, request.user)
    except services.ActionPlanError as exc:
        messages.error(request, str(exc))
        return redirect(_plan_url(response))
    count = plan.actions.count()
    if count:
        messages.success(
            request,
            f"Le plan d'action est prêt avec {count} action{'s' if count > 1 else ''} proposée{'s' if count > 1 else ''} "
            "à partir de vos thèmes prioritaires : précisez pour chacune un·e responsable et une échéance, "
            "ajoutez les vôtres, puis faites-le valider.",
        )
    else:
        messages.success(
            request,
            "Le plan d'action est créé. Aucun thème du diagnostic ne demande d'action prioritaire : "
            "ajoutez les actions que vous souhaitez mener.",
        )
    return redirect(_plan_url(plan))


def _themes(plan):
    return list(services.theme_labels(plan.response.version.content).items())


def add_action(request, plan_pk):
    plan = _plan_for(request, plan_pk, write=True)
    themes = _themes(plan)
    initial_theme = request.GET.get("theme", "")
    initial = {"dimension": initial_theme if initial_theme in dict(themes) else ""}
    form = ActionForm(request.POST or None, themes=themes, with_status=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.add_action(plan, request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"L'action « {action.title} » a été ajoutée au plan.")
            return redirect(_plan_url(plan, anchor=f"action-{action.pk}"))
    context = {
        "plan": plan,
        "response": plan.response,
        "structure": plan.structure,
        "form": form,
        "page_title": "Ajouter une action",
        "submit_label": "Ajouter l'action",
    }
    return render(request, "diagnostics/action_plan_form.html", context, status=422 if form.errors else 200)


def edit_action(request, pk):
    action = _action_for(request, pk, write=True)
    plan = action.plan
    fields = ["title", "dimension", "description", "owner", "due_date", "status"]
    form = ActionForm(
        request.POST or None,
        themes=_themes(plan),
        initial={name: getattr(action, name) for name in fields},
    )
    if request.method == "POST" and form.is_valid():
        try:
            action, changes = services.update_action(action, request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if changes:
                messages.success(request, f"L'action « {action.title} » a été enregistrée.")
            else:
                messages.info(request, f"Aucune modification de l'action « {action.title} ».")
            return redirect(_plan_url(plan, anchor=f"action-{action.pk}"))
    context = {
        "plan": plan,
        "response": plan.response,
        "structure": plan.structure,
        "action": action,
        "form": form,
        "page_title": "Modifier une action",
        "submit_label": "Enregistrer l'action",
    }
    return render(request, "diagnostics/action_plan_form.html", context, status=422 if form.errors else 200)


@require_POST
def set_status(request, pk):
    """One action's status from the plan page: htmx swaps the action (and the summary); without JavaScript the
    plan page comes back, in the order it was shown, at the action."""
    action = _action_for(request, pk, write=True)
    plan = action.plan
    sort = _sort_of(request.POST.get("tri"))
    form = StatusForm(request.POST)
    changed = False
    if form.is_valid():
        action, changes = services.set_status(action, form.cleaned_data["status"], request.user)
        changed = bool(changes)
        message = (
            f"« {action.title} » : {action.get_status_display().lower()}."
            if changed
            else f"« {action.title} » était déjà « {action.get_status_display()} »."
        )
    else:
        message = "Choisissez un état de la liste."
    if not request.htmx:
        if form.is_valid():
            (messages.success if changed else messages.info)(request, message)
        else:
            messages.error(request, message)
        return redirect(_plan_url(plan, sort, anchor=f"action-{action.pk}"))
    today = timezone.localdate()
    state = _plan_state(plan, today)
    row = next(a for a in state["actions"] if a.pk == action.pk)
    context = {
        **state,
        "action": row,
        "can_edit": True,
        "sort": sort,
        "status_choices": ActionStatus.choices,
        "plan": plan,
        "response": plan.response,
        "today": today,
        "announcement": message,
    }
    return render(
        request, "diagnostics/includes/action_status_swap.html", context, status=200 if form.is_valid() else 422
    )


def agree(request, plan_pk):
    plan = _plan_for(request, plan_pk, write=True)
    initial = {
        "direction_name": plan.direction_name,
        "staff_representative_name": plan.staff_representative_name,
        "agreed_on": timezone.localdate(),
    }
    form = AgreementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        again = plan.is_agreed
        try:
            plan = services.agree(plan, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"{'La nouvelle validation' if again else 'La validation'} du plan d'action est enregistrée : "
                f"le {date_format(plan.agreed_on, 'j F Y')}, par {plan.direction_name} et {plan.staff_representative_name}.",
            )
            return redirect(_plan_url(plan))
    context = {
        "plan": plan,
        "response": plan.response,
        "structure": plan.structure,
        "form": form,
        "changed_since_agreement": services.changed_since_agreement(plan),
    }
    return render(request, "diagnostics/action_plan_agree.html", context, status=422 if form.errors else 200)
