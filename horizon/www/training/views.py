"""A provider's own training offer: the list of its offers, and the pages that create and edit offers and sessions.

Who may come here: the members of a provider (role "Organisme de formation") for their provider's offers, and
coordinators for any offer. Anyone else who is logged in gets a 403 (they manage no offer at all); an offer of
another provider is not found (404), so that forged ids show nothing. Writes go through horizon.training.services,
which record who changed what.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Min, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from horizon.programmes.enums import ProgrammeTheme
from horizon.programmes.perms import is_coordinator
from horizon.training import services
from horizon.training.enums import DatePrecision
from horizon.training.models import MANUAL_SOURCE, Formation, Provider, Session
from horizon.training.perms import can_create_offer, can_edit_offer, providers_of

from .forms import CreateOfferForm, OfferForm, SessionForm, action_label, offer_initial

PAGE_SIZE = 20
HISTORY_SIZE = 30
CLOSED = "retirees"


def _offer_manager(request):
    """Coordinators and provider members go on; anyone else is told why they may not (403)."""
    user = request.user
    if not (is_coordinator(user) or providers_of(user)):
        raise PermissionDenied("Votre compte n'est rattaché à aucun organisme de formation.")


def _formation_for(request, pk):
    _offer_manager(request)
    formation = Formation.objects.select_related("provider").filter(pk=pk).first()
    if formation is None or not can_edit_offer(request.user, formation):
        raise Http404("Offre introuvable.")
    return formation


def _apply_errors(form, error, names=None):
    """Show a ValidationError raised by the services next to the form's fields (`names` maps service names to
    form field names)."""
    names = names or {}
    for name, messages_ in error.message_dict.items():
        field = names.get(name, name)
        form.add_error(field if field in form.fields else None, messages_)


def _offer_context(formation, form):
    """What the pages editing an offer or one of its sessions show of the offer."""
    return {"formation": formation, "form": form, "imported": formation.source != MANUAL_SOURCE}


def session_dates(session):
    """ "du 12/03/2026 au 13/03/2026", "le 12/03/2026", "en 09/2026" (a month known only), "dates à venir"."""
    start = services.format_date(session.start_date, session.start_precision)
    end = services.format_date(session.end_date, session.end_precision)
    if not start:
        return f"jusqu'au {end}" if end else "dates à venir"
    if end and end != start:
        return f"du {start} au {end}"
    return f"le {start}" if session.start_precision == DatePrecision.DAY else f"en {start}"


def _upcoming(today):
    return Q(sessions__closed_at__isnull=True) & (
        Q(sessions__end_date__gte=today) | Q(sessions__end_date__isnull=True, sessions__start_date__gte=today)
    )


def mine(request):
    """ "Mon offre de formation": the offers of the person's provider(s); coordinators are sent to the catalogue."""
    _offer_manager(request)
    providers = providers_of(request.user)
    context = {"providers": providers, "is_coordinator": is_coordinator(request.user)}
    if providers:
        today = timezone.localdate()
        offers = Formation.objects.filter(provider__in=providers)
        counts = offers.aggregate(
            open=Count("pk", filter=Q(closed_at__isnull=True)), closed=Count("pk", filter=Q(closed_at__isnull=False))
        )
        show_closed = request.GET.get("etat") == CLOSED and counts["closed"] > 0
        upcoming = _upcoming(today)
        listed = (
            offers.filter(closed_at__isnull=not show_closed)
            .select_related("provider")
            .prefetch_related("themes")
            .annotate(
                next_session=Min("sessions__start_date", filter=upcoming),
                upcoming_sessions=Count("sessions", filter=upcoming),
            )
            .order_by("title", "pk")
        )
        query = request.GET.copy()
        query.pop("page", None)
        paginator = Paginator(listed, PAGE_SIZE)
        paginator.count = counts["closed" if show_closed else "open"]  # already counted above
        context.update(
            page=paginator.get_page(request.GET.get("page")),
            query=query.urlencode(),
            counts=counts,
            show_closed=show_closed,
            closed_state=CLOSED,
            today=today,
            several_providers=len(providers) > 1,
            manual_source=MANUAL_SOURCE,
        )
    return render(request, "training/mine.html", context)


def create(request):
    """A new offer. A member of one provider enters it for that provider; a member of several, or a coordinator,
    chooses the provider."""
    _offer_manager(request)
    user = request.user
    providers = providers_of(user)
    if is_coordinator(user):
        choices = Provider.objects.order_by("name")
    elif len(providers) > 1:
        choices = Provider.objects.filter(pk__in=[provider.pk for provider in providers]).order_by("name")
    else:
        choices = None
    form = CreateOfferForm(request.POST or None, providers=choices)
    # From the needs register: the theme of the uncovered need the offer answers (kept in the URL the form posts to).
    need = request.GET.get("besoin", "")
    need = need if need in ProgrammeTheme.values else ""
    if request.method == "POST" and form.is_valid():
        provider = form.cleaned_data["provider"] if choices is not None else providers[0]
        if not can_create_offer(user, provider):
            raise PermissionDenied
        try:
            formation = services.create_offer(
                provider,
                user,
                form.formation_fields(),
                form.action_fields(),
                session_fields=form.session_values,
                answers_theme=need,
            )
        except ValidationError as error:
            session_names = {name: f"session_{name}" for name in services.SESSION_FIELDS}
            _apply_errors(form, error, session_names)
        else:
            messages.success(request, f"L'offre « {formation.title} » est enregistrée et publiée dans le catalogue.")
            return redirect("catalogue:offer", formation.pk)
    context = {
        "form": form,
        "provider": providers[0] if choices is None else None,
        "need_label": ProgrammeTheme(need).label if need else "",
        "need_radius_km": settings.UNCOVERED_NEED_RADIUS_KM,
    }
    return render(request, "training/create.html", context)


def edit(request, pk):
    """An offer's formation and one of its actions (the first, or the one named by ?action=), its sessions and its
    history."""
    formation = _formation_for(request, pk)
    actions = list(formation.actions.select_related("commune").order_by("pk"))
    chosen = request.GET.get("action", "")
    action = next((a for a in actions if str(a.pk) == chosen), actions[0] if actions else None)
    form = OfferForm(request.POST or None, initial=offer_initial(formation, action), formation=formation)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.update_offer(
                formation, request.user, form.formation_fields(), form.action_fields(), action=action
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if changed:
                messages.success(request, "Les modifications de l'offre sont enregistrées.")
            else:
                messages.info(request, "Aucune modification : l'offre est inchangée.")
            return redirect("catalogue:offer", formation.pk)
    context = {
        **_offer_context(formation, form),
        "action": action,
        "actions": [(a, action_label(a)) for a in actions],
        "sessions": [
            (session, session_dates(session))
            for session in formation.sessions.select_related("action__commune").order_by("start_date", "pk")
        ],
        "several_actions": len(actions) > 1,
        "history": [
            (change, services.readable_changes(change))
            for change in formation.changes.select_related("user")[:HISTORY_SIZE]
        ],
        "today": timezone.localdate(),
    }
    return render(request, "training/edit.html", context)


def add_session(request, pk):
    formation = _formation_for(request, pk)
    actions = formation.actions.select_related("commune").order_by("pk")
    if not actions:
        messages.error(request, "Complétez d'abord l'offre (modalité et lieu) avant d'y ajouter des sessions.")
        return redirect("training:edit", formation.pk)
    form = SessionForm(request.POST or None, actions=actions)
    if request.method == "POST" and form.is_valid():
        action = form.cleaned_data.get("action") or actions[0]
        try:
            session = services.add_session(action, request.user, form.session_values)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            note = services.format_date(session.start_date)
            messages.success(request, f"La session du {note} est ajoutée à l'offre « {formation.title} ».")
            return redirect("catalogue:offer", formation.pk)
    context = {"formation": formation, "form": form, "session": None}
    return render(request, "training/session_form.html", context)


def edit_session(request, pk):
    _offer_manager(request)
    session = Session.objects.select_related("formation__provider", "action__commune").filter(pk=pk).first()
    if session is None or not can_edit_offer(request.user, session.formation):
        raise Http404("Session introuvable.")
    formation = session.formation
    initial = {
        "start_date": session.start_date,
        "end_date": session.end_date,
        "recruitment_state": session.recruitment_state,
        "cancelled": session.closed_at is not None,
    }
    form = SessionForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.update_session(session, request.user, form.session_values)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if not changed:
                messages.info(request, "Aucune modification : la session est inchangée.")
            elif form.session_values["cancelled"] and "cancelled" in changed:
                messages.success(request, "La session est annulée : elle n'est plus proposée dans le catalogue.")
            else:
                messages.success(request, "Les modifications de la session sont enregistrées.")
            return redirect("catalogue:offer", formation.pk)
    context = {
        **_offer_context(formation, form),
        "session": session,
        "action_label": action_label(session.action),
        "dates": session_dates(session),
    }
    return render(request, "training/session_form.html", context)
