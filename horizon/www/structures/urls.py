from django.urls import path

from . import views

app_name = "structures"

urlpatterns = [
    path("", views.structure_list, name="list"),
    path("export.xlsx", views.structure_export, name="export"),
    path("rattacher/", views.find_structure, name="find"),
    path("declarer/", views.declare_structure, name="declare"),
    path("<int:pk>/", views.structure_detail, name="detail"),
    path("<int:pk>/rattacher/", views.claim_structure, name="claim"),
    path("<int:pk>/modifier/", views.structure_edit, name="edit"),
    path("<int:pk>/membres/", views.structure_members, name="members"),
    path("<int:pk>/membres/<int:membership_pk>/retirer/", views.remove_member, name="remove_member"),
    path("<int:pk>/contacts/ajouter/", views.add_contact, name="add_contact"),
    path("<int:pk>/contacts/<int:contact_pk>/retirer/", views.remove_contact, name="remove_contact"),
]
