from django.urls import path

from . import needs, requests, suggestions, themes, views

app_name = "training"

urlpatterns = [
    # A provider's own offer (coordinators reach any offer from the catalogue).
    path("", views.mine, name="mine"),
    path("nouvelle/", views.create, name="create"),
    path("<int:pk>/modifier/", views.edit, name="edit"),
    path("<int:pk>/sessions/ajouter/", views.add_session, name="session_add"),
    path("sessions/<int:pk>/modifier/", views.edit_session, name="session_edit"),
    # Programme themes of an offer, chosen by coordinators.
    path("<int:pk>/themes/", themes.edit_themes, name="themes"),
    # Offers that answer an employer's diagnosed needs.
    path("suggestions/", suggestions.suggestions, name="suggestions"),
    # The register of needs and the besoins non couverts, by territory and programme theme.
    path("besoins/", needs.needs, name="needs"),
    path("besoins/export.xlsx", needs.needs_export, name="needs_export"),
    # Training requests (demandes): employers ask, providers and coordinators follow.
    path("demandes/", requests.request_list, name="request_list"),
    path("demandes/nouvelle/<int:formation_pk>/", requests.request_create, name="request_create"),
    path("demandes/<int:pk>/", requests.request_detail, name="request_detail"),
    path("demandes/<int:pk>/etat/", requests.request_transition, name="request_transition"),
]
