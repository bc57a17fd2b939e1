"""The register of needs: the structures' current needs by territory and programme theme, the besoins non couverts
first (horizon.training.needs_register says what that means).

For coordinators (every figure), funders and training providers (figures covering at least k structures only).
The GET form owns the state (the URL); htmx swaps only the results and, out of band, the filter fields (the EPCI
list follows the département). The export gives the same rows, masked the same way.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from horizon.diagnostics.perms import sees_small_groups
from horizon.programmes.enums import ProgrammeTheme
from horizon.territories.models import Departement, Epci
from horizon.training.needs_register import needs_register, register_xlsx
from horizon.training.perms import can_view_needs_register, providers_of
from horizon.utils.forms import BootstrapFormMixin, FastSelect
from horizon.www.territories.forms import bound_territory_choices

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PER_PAGE = 50


class NeedsFilterForm(BootstrapFormMixin, forms.Form):
    departement = forms.ModelChoiceField(
        label="Département", queryset=Departement.objects.all(), required=False, empty_label="Tous", widget=FastSelect
    )
    epci = forms.ModelChoiceField(
        label="EPCI", queryset=Epci.objects.none(), required=False, empty_label="Tous", widget=FastSelect
    )
    theme = forms.ChoiceField(
        label="Thème du programme", choices=[("", "Tous"), *ProgrammeTheme.choices], required=False
    )
    non_couverts = forms.BooleanField(label="Seulement les besoins non couverts", required=False)

    FILTERS = ["departement", "epci", "theme", "non_couverts"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_territory_choices(self)
        url = reverse("training:needs")
        for name in self.FILTERS:
            self.fields[name].widget.attrs.update({"hx-get": url, "hx-include": "closest form"})
        # A new département leaves out the EPCI chosen before (it belonged to the previous one).
        self.fields["departement"].widget.attrs["hx-include"] = (
            f"#{self['theme'].auto_id}, #{self['non_couverts'].auto_id}"
        )

    def criteria(self):
        """The valid filters (an invalid one is left out and shows its error)."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "departement": data.get("departement"),
            "epci": data.get("epci"),
            "theme": data.get("theme") or None,
            "uncovered_only": bool(data.get("non_couverts")),
        }

    def active_filters(self):
        """(label, value shown, query string without this filter) for each filter in use."""
        self.is_valid()
        active = []
        for name in self.FILTERS:
            value = self.cleaned_data.get(name)
            if not value:
                continue
            if name == "theme":
                shown = ProgrammeTheme(value).label
            elif name == "non_couverts":
                shown = "oui"
            else:
                shown = str(value)
            rest = self.data.copy()
            rest.pop(name, None)
            rest.pop("page", None)
            active.append((self.fields[name].label, shown, rest.urlencode()))
        return active


def _register(request):
    if not can_view_needs_register(request.user):
        raise PermissionDenied
    form = NeedsFilterForm(request.GET)
    return form, needs_register(**form.criteria(), entitled=sees_small_groups(request.user))


def needs(request):
    form, register = _register(request)
    page = Paginator(register.rows, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "register": register,
        "page_obj": page,
        "query": query.urlencode(),
        "active_filters": form.active_filters(),
        "proposes_sessions": bool(providers_of(request.user)),
    }
    template = "training/includes/needs_partial.html" if request.htmx else "training/needs.html"
    return render(request, template, context)


def needs_export(request):
    form, register = _register(request)
    filters = [(label, value) for label, value, _ in form.active_filters()]
    filename = f"registre-des-besoins-{timezone.localdate():%Y-%m-%d}.xlsx"
    return HttpResponse(
        register_xlsx(register, filters),
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
