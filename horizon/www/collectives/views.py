from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from horizon.organisations import perms
from horizon.organisations.enums import ChangeAction
from horizon.organisations.models import Collective
from horizon.organisations.services import record_change

from .forms import AddStructureForm, CollectiveForm


def _require_coordinator(request):
    if not perms.can_manage_collectives(request.user):
        raise PermissionDenied


def collective_list(request):
    _require_coordinator(request)
    collectives = Collective.objects.annotate(structure_count=Count("structures")).order_by("name")
    return render(request, "collectives/list.html", {"collectives": collectives})


def collective_create(request):
    _require_coordinator(request)
    form = CollectiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        collective = form.save()
        messages.success(request, f"Le collectif « {collective} » a été créé.")
        return redirect("collectives:detail", pk=collective.pk)
    return render(request, "collectives/form.html", {"form": form})


def collective_edit(request, pk):
    _require_coordinator(request)
    collective = get_object_or_404(Collective, pk=pk)
    form = CollectiveForm(request.POST or None, instance=collective)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Le collectif a été enregistré.")
        return redirect("collectives:detail", pk=collective.pk)
    return render(request, "collectives/form.html", {"form": form, "collective": collective})


def collective_detail(request, pk):
    _require_coordinator(request)
    collective = get_object_or_404(Collective, pk=pk)
    form = AddStructureForm(request.POST or None, collective=collective)
    if request.method == "POST" and form.is_valid():
        structure = form.cleaned_data["structure"]
        with transaction.atomic():
            collective.structures.add(structure)
            record_change(structure, request.user, ChangeAction.COLLECTIVE_ADDED, note=collective.name)
        messages.success(request, f"« {structure} » a été ajoutée au collectif.")
        return redirect("collectives:detail", pk=collective.pk)
    structures = collective.structures.select_related("commune").order_by("name")
    return render(
        request, "collectives/detail.html", {"collective": collective, "form": form, "structures": structures}
    )


@require_POST
def collective_remove_structure(request, pk):
    _require_coordinator(request)
    collective = get_object_or_404(Collective, pk=pk)
    structure = get_object_or_404(collective.structures, pk=request.POST.get("structure"))
    with transaction.atomic():
        collective.structures.remove(structure)
        record_change(structure, request.user, ChangeAction.COLLECTIVE_REMOVED, note=collective.name)
    messages.success(request, f"« {structure} » a été retirée du collectif.")
    return redirect("collectives:detail", pk=collective.pk)
