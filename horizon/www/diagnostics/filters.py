"""The GET form of the diagnostics aggregates: département, EPCI (following the département), sector.

It is the registry's filter form (horizon.www.structures.forms.StructureFilterForm) reduced to its territory and
sector fields: the same départements (those of the programmes' regions), the same EPCI list that follows the
chosen département, the same active-filter chips.
"""

from django.urls import reverse

from horizon.www.structures.forms import StructureFilterForm


class AggregatesFilterForm(StructureFilterForm):
    # The registry's other filters do not apply to aggregates.
    q = None
    famille = None
    tranche = None
    collectif = None
    tri = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # With htmx, each choice reloads the results at once (the form's hx-target, hx-push-url and hx-sync apply).
        # A new département sends the sector only: the EPCI chosen before belonged to the previous département.
        url = reverse("diagnostics:aggregates")
        for name in ["departement", "epci", "secteur"]:
            self.fields[name].widget.attrs.update({"hx-get": url, "hx-include": "closest form"})
        self.fields["departement"].widget.attrs["hx-include"] = f"#{self['secteur'].auto_id}"

    def criteria(self):
        """{departement, epci, sector} from the valid fields (an invalid one is left out and shows its error)."""
        self.is_valid()
        data = self.cleaned_data
        return {"departement": data.get("departement"), "epci": data.get("epci"), "sector": data.get("secteur")}

    def described(self):
        """[(label, value shown)] of the filters in use, for the export."""
        return [(label, value) for label, value, _ in self.active_filters()]
