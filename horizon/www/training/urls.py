from django.urls import path

from . import themes, views

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
]
