"""A page with a CommuneField for the end-to-end test of the autocomplete (until a page of the site includes the
script in its layout)."""

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from horizon.www.territories.forms import CommuneField

PAGE = engines["django"].from_string(
    """{% load static %}<!doctype html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <title>Commune</title>
  <link rel="stylesheet" href="{% static 'vendor/bootstrap/bootstrap.min.css' %}">
  <script src="{% static 'django_htmx/htmx-2.min.js' %}" defer></script>
  <script src="{% static 'js/autocomplete.js' %}" defer></script>
</head>
<body>
  <main class="container">
    <h1>Commune</h1>
    <form method="post">{% csrf_token %}{{ form }}<button class="btn btn-primary">Valider</button></form>
    {% if commune %}<p id="choisie">{{ commune.code }}</p>{% endif %}
  </main>
</body>
</html>"""
)


class PlaceForm(forms.Form):
    commune = CommuneField(label="Commune")


@login_not_required
def place(request):
    form = PlaceForm(request.POST or None)
    commune = form.cleaned_data["commune"] if form.is_valid() else None
    return HttpResponse(PAGE.render({"form": form, "commune": commune}, request))


urlpatterns = [
    path("lieu/", place),
    path("", include("config.urls")),
]
