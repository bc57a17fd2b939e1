import pytest
from django import forms

from horizon.territories.models import Commune
from horizon.www.territories.forms import CommuneField

pytestmark = pytest.mark.usefixtures("territories")


class PlaceForm(forms.Form):
    name = forms.CharField(label="Nom")
    commune = CommuneField(label="Commune")


def bound(**data):
    return PlaceForm(data={"name": "Centre social", **data})


def cleaned_code(**data):
    form = bound(**data)
    assert form.is_valid(), form.errors
    return form.cleaned_data["commune"].code


@pytest.mark.parametrize(
    "data",
    [
        {"commune": "33063", "commune_texte": "Bordeaux (33) — 33000, 33090…"},
        {"commune": "33063"},  # the code alone, as a script may post it
        {"commune": "", "commune_texte": "Bordeaux"},
        {"commune_texte": "bordeaux (33)"},
        {"commune_texte": "33000"},
        {"commune_texte": "Saint-Denis (974)"},
        {"commune": "97411", "commune_texte": "Saint-Denis"},  # the code settles the homonyms
    ],
)
def test_a_single_commune_is_chosen(data):
    expected = "97411" if "Saint-Denis" in data.get("commune_texte", "") else "33063"
    assert cleaned_code(**data) == expected


def test_text_changed_without_javascript_wins_over_the_old_code():
    assert cleaned_code(commune="33063", commune_texte="Libourne") == "33243"


def test_a_unique_partial_name_is_enough():
    assert cleaned_code(commune_texte="Libourn") == "33243"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("Saint-Denis", "Choisissez une commune dans la liste : plusieurs communes correspondent à « Saint-Denis »."),
        ("Bordeaux (93)", "Aucune commune ne correspond à « Bordeaux (93) »."),
        ("Atlantis", "Aucune commune ne correspond à « Atlantis »."),
    ],
)
def test_text_naming_no_single_commune_is_refused_in_french(text, error):
    form = bound(commune_texte=text)

    assert not form.is_valid()
    assert form.errors["commune"] == [error]


def test_unknown_code_is_refused():
    form = bound(commune="99999")

    assert not form.is_valid()
    assert form.errors["commune"] == ["Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."]


def test_empty_field_is_required_or_none():
    assert bound(commune="33063", commune_texte="").errors["commune"] == ["Ce champ est obligatoire."]

    class OptionalForm(forms.Form):
        commune = CommuneField(required=False)

    form = OptionalForm(data={"commune_texte": ""})
    assert form.is_valid()
    assert form.cleaned_data["commune"] is None


def test_queryset_limits_the_choice():
    class GirondeForm(forms.Form):
        commune = CommuneField(queryset=Commune.objects.filter(departement="33"))

    form = GirondeForm(data={"commune_texte": "Saint-Denis (93)"})
    assert form.errors["commune"] == ["Aucune commune ne correspond à « Saint-Denis (93) »."]


def test_widget_is_an_accessible_htmx_combobox():
    html = str(PlaceForm()["commune"])

    assert 'name="commune_texte"' in html
    assert 'role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="id_commune_listbox"' in html
    assert 'hx-get="/territoires/communes/?listbox=id_commune_listbox"' in html
    assert 'hx-trigger="input changed delay:200ms" hx-target="#id_commune_listbox"' in html
    assert 'data-autocomplete-input required aria-describedby="id_commune_helptext" id="id_commune">' in html
    assert '<input type="hidden" name="commune" value="" data-autocomplete-value>' in html
    assert 'id="id_commune_listbox" role="listbox"' in html
    assert 'id="id_commune_listbox-status" role="status"' in html


def test_initial_commune_shows_its_label():
    html = str(PlaceForm(initial={"commune": "33063"})["commune"])

    assert 'value="Bordeaux (33) — 33000, 33090…"' in html
    assert 'name="commune" value="33063"' in html


def test_bound_form_with_errors_shows_the_chosen_commune_again():
    form = PlaceForm(data={"name": "", "commune_texte": "bordeaux"})
    assert not form.is_valid()

    html = str(form["commune"])

    assert 'value="Bordeaux (33) — 33000, 33090…"' in html
    assert 'name="commune" value="33063"' in html


def test_bound_form_keeps_the_text_that_named_no_commune():
    form = bound(commune_texte="Saint-Denis")
    assert not form.is_valid()

    html = str(form["commune"])

    assert 'name="commune_texte" value="Saint-Denis"' in html
    assert 'name="commune" value=""' in html


@pytest.mark.parametrize(
    ("initial", "data", "changed"),
    [
        ("33063", {"commune": "33063", "commune_texte": "Bordeaux (33)"}, False),
        ("33063", {"commune_texte": "Libourne"}, True),
        (None, {"commune_texte": ""}, False),
        (None, {"commune_texte": "Saint-Denis"}, True),
    ],
)
def test_has_changed(initial, data, changed):
    form = PlaceForm(initial={"commune": initial}, data={"name": "x", **data})

    assert form.has_changed() is True  # name changed
    assert ("commune" in form.changed_data) is changed
