"""The programme themes of one training offer, chosen by coordinators.

GET shows the offer's current themes with their origin, what the rules suggest, and the list of themes to tick.
POST either saves the ticked themes (they become the coordinator's choice, which the rules no longer touch) or,
with the "reset" button, gives the offer back to the rules. Both go back to the offer's page.

Permissions: horizon.training.perms.can_edit_themes (coordinators). Anyone else who is logged in gets a 403;
anonymous people are sent to the login page by the middleware. The domain work (rows, history) is in
horizon.training.themes.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from horizon.programmes.enums import ProgrammeTheme
from horizon.training import themes as services
from horizon.training.models import Formation
from horizon.training.perms import can_edit_themes
from horizon.utils.forms import BootstrapFormMixin

RESET = "reset"


class ThemesForm(BootstrapFormMixin, forms.Form):
    themes = forms.MultipleChoiceField(
        label="Thèmes du programme",
        choices=ProgrammeTheme.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Cochez les thèmes auxquels cette offre répond. Aucun thème coché : l'offre ne sera proposée pour "
        "aucun besoin.",
    )
    note = forms.CharField(
        label="Motif",
        max_length=255,
        required=False,
        help_text="Facultatif : ce qui justifie ce choix, gardé dans l'historique de l'offre.",
    )

    def clean_note(self):
        return " ".join(self.cleaned_data["note"].split())


@require_http_methods(["GET", "POST"])
def edit_themes(request, pk):
    if not can_edit_themes(request.user):
        raise PermissionDenied("Seule la coordination choisit les thèmes d'une offre.")
    formation = get_object_or_404(Formation.objects.select_related("provider", "themes_edited_by"), pk=pk)
    if request.method == "POST" and RESET in request.POST:
        derived = services.reset_themes(formation, user=request.user)
        messages.success(
            request,
            "Les thèmes de l'offre sont de nouveau déduits automatiquement de ses codes et de son texte : "
            f"{services.theme_labels(derived)}.",
        )
        return redirect("catalogue:offer", pk=formation.pk)

    current = list(formation.themes.all())
    if request.method == "POST":
        form = ThemesForm(request.POST)
        if form.is_valid():
            chosen = set(form.cleaned_data["themes"])
            if services.choose_themes(formation, chosen, user=request.user, note=form.cleaned_data["note"]):
                messages.success(request, f"Thèmes de l'offre enregistrés : {services.theme_labels(chosen)}.")
            else:
                messages.info(request, "Aucune modification : l'offre porte déjà ces thèmes.")
            return redirect("catalogue:offer", pk=formation.pk)
    else:
        form = ThemesForm(initial={"themes": [row.theme for row in current]})

    suggested = services.suggested_themes(formation)
    by_theme = {row.theme: row for row in current}
    order = {value: index for index, value in enumerate(ProgrammeTheme.values)}
    context = {
        "formation": formation,
        "form": form,
        "current": sorted(current, key=lambda row: order.get(row.theme, len(order))),
        "suggested": [ProgrammeTheme(value) for value in ProgrammeTheme.values if value in suggested],
        # One row per checkbox: the box, whether the rules suggest it, and the offer's current row for it.
        "choices": [
            {"box": box, "suggested": box.data["value"] in suggested, "row": by_theme.get(box.data["value"])}
            for box in form["themes"]
        ],
        "is_chosen": formation.themes_edited_at is not None,
    }
    return render(request, "training/themes.html", context)
