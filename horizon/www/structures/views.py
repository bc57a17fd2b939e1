from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from horizon.diagnostics.action_plans import structure_overview
from horizon.diagnostics.perms import can_view_action_plan
from horizon.organisations import perms
from horizon.organisations.enums import ChangeAction, MembershipRole
from horizon.organisations.exports import structures_xlsx_response
from horizon.organisations.models import Structure
from horizon.organisations.services import (
    add_member,
    create_invitation,
    diff_fields,
    record_change,
    send_invitation,
)
from horizon.questionnaires.perms import can_start_response

from .forms import (
    ContactForm,
    DeclareStructureForm,
    FindStructureForm,
    InvitationForm,
    StructureFilterForm,
    StructureForm,
)

PAGE_SIZE = 25


def _structure_for(request, pk, allowed):
    """The structure if `allowed(user, structure)`; 404 when the person may not even see it, 403 otherwise."""
    structure = get_object_or_404(Structure.objects.for_list(), pk=pk)
    if not perms.can_view_structure(request.user, structure):
        raise Http404("Structure introuvable.")
    if not allowed(request.user, structure):
        raise PermissionDenied
    return structure


def _filtered(request):
    if not perms.can_list_structures(request.user):
        raise PermissionDenied
    form = StructureFilterForm(request.GET)
    return form, form.filter(Structure.objects.for_list())


def structure_list(request):
    form, queryset = _filtered(request)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "active_filters": form.active_filters(),
    }
    template = "structures/includes/registry.html" if request.htmx else "structures/list.html"
    return render(request, template, context)


def structure_export(request):
    _, queryset = _filtered(request)
    return structures_xlsx_response(queryset)


def _detail_context(request, structure, contact_form=None):
    can_edit = perms.can_edit_structure(request.user, structure)
    return {
        "structure": structure,
        "can_edit": can_edit,
        "contacts": structure.contacts.all(),
        "collectives": structure.collectives.all(),
        "members": structure.memberships.active().select_related("user").order_by("user__last_name"),
        "changes": structure.changes.select_related("user")[:50],
        "contact_form": contact_form or (ContactForm() if can_edit else None),
        # The "Diagnostic RH" card: the latest diagnostic and its action plan, for those who may see the plan.
        "diagnostic_overview": (
            structure_overview(structure, timezone.localdate())
            if can_view_action_plan(request.user, structure)
            else None
        ),
        "can_start_diagnostic": can_start_response(request.user, structure),
    }


def structure_detail(request, pk):
    structure = _structure_for(request, pk, perms.can_view_structure)
    return render(request, "structures/detail.html", _detail_context(request, structure))


def structure_edit(request, pk):
    structure = _structure_for(request, pk, perms.can_edit_structure)
    before = Structure.objects.get(pk=pk)
    form = StructureForm(request.POST or None, instance=structure)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            structure = form.save()
            changes = diff_fields(before, structure, form.Meta.fields)
            if changes:
                record_change(structure, request.user, ChangeAction.UPDATED, changes)
        messages.success(request, "Le profil de la structure a été enregistré.")
        return redirect("structures:detail", pk=structure.pk)
    return render(request, "structures/edit.html", {"structure": structure, "form": form})


def structure_members(request, pk):
    structure = _structure_for(request, pk, perms.can_manage_members)
    form = InvitationForm(request.POST or None, structure=structure)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            invitation = create_invitation(
                structure, form.cleaned_data["email"], form.cleaned_data["role"], request.user
            )
            send_invitation(invitation, request)
        messages.success(request, f"Une invitation a été envoyée à {invitation.email}.")
        return redirect("structures:members", pk=structure.pk)
    context = {
        "structure": structure,
        "form": form,
        "members": structure.memberships.active().select_related("user").order_by("user__last_name"),
        "invitations": structure.invitations.filter(accepted_at__isnull=True).select_related("invited_by"),
    }
    return render(request, "structures/members.html", context)


@require_POST
def remove_member(request, pk, membership_pk):
    structure = _structure_for(request, pk, perms.can_manage_members)
    membership = get_object_or_404(structure.memberships.active(), pk=membership_pk)
    admins = structure.memberships.active().filter(role=MembershipRole.ADMIN)
    if membership.role == MembershipRole.ADMIN and admins.count() == 1:
        messages.error(request, "Impossible de retirer le dernier administrateur : nommez d'abord quelqu'un d'autre.")
        return redirect("structures:members", pk=structure.pk)
    with transaction.atomic():
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        record_change(structure, request.user, ChangeAction.MEMBER_REMOVED, note=membership.user.email)
    messages.success(request, f"{membership.user} n'est plus membre de la structure.")
    return redirect("structures:members", pk=structure.pk)


@require_POST
def add_contact(request, pk):
    structure = _structure_for(request, pk, perms.can_edit_structure)
    form = ContactForm(request.POST)
    if form.is_valid():
        with transaction.atomic():
            form.instance.structure = structure
            contact = form.save()
            record_change(structure, request.user, ChangeAction.CONTACT_ADDED, note=str(contact))
        messages.success(request, f"Le contact {contact} a été ajouté.")
        return redirect(reverse("structures:detail", args=[structure.pk]) + "#contacts")
    return render(request, "structures/detail.html", _detail_context(request, structure, form), status=422)


@require_POST
def remove_contact(request, pk, contact_pk):
    structure = _structure_for(request, pk, perms.can_edit_structure)
    contact = get_object_or_404(structure.contacts, pk=contact_pk)
    with transaction.atomic():
        contact.delete()
        record_change(structure, request.user, ChangeAction.CONTACT_REMOVED, note=str(contact))
    messages.success(request, f"Le contact {contact} a été supprimé.")
    return redirect(reverse("structures:detail", args=[structure.pk]) + "#contacts")


def find_structure(request):
    """An employer looks for their structure in the registry, by SIRET or name."""
    form = FindStructureForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        results = Structure.objects.active().for_list().search(form.cleaned_data["q"]).order_by("name")[:20]
    return render(request, "structures/find.html", {"form": form, "results": results})


@require_POST
def claim_structure(request, pk):
    structure = get_object_or_404(Structure.objects.active(), pk=pk)
    if perms.can_view_structure(request.user, structure) and not perms.can_list_structures(request.user):
        messages.info(request, "Vous êtes déjà membre de cette structure.")
        return redirect("structures:detail", pk=structure.pk)
    with transaction.atomic():
        if Structure.objects.select_for_update().get(pk=pk).has_admin():
            messages.error(
                request,
                f"« {structure} » a déjà un administrateur sur Horizon ESS : demandez-lui de vous inviter "
                "depuis la page « Membres » de la structure.",
            )
            return redirect(reverse("structures:find") + f"?q={structure.siret or structure.name}")
        add_member(structure, request.user, MembershipRole.ADMIN)
    messages.success(request, f"Vous administrez désormais « {structure} » sur Horizon ESS.")
    return redirect("structures:detail", pk=structure.pk)


def declare_structure(request):
    form = DeclareStructureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            structure = form.save()
            record_change(structure, request.user, ChangeAction.CREATED, note="Déclarée sur la plateforme")
            add_member(structure, request.user, MembershipRole.ADMIN)
        messages.success(request, f"« {structure} » est inscrite et vous en êtes l'administrateur·rice.")
        return redirect("structures:detail", pk=structure.pk)
    return render(request, "structures/declare.html", {"form": form})
