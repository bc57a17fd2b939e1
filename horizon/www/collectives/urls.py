from django.urls import path

from . import views

app_name = "collectives"

urlpatterns = [
    path("", views.collective_list, name="list"),
    path("nouveau/", views.collective_create, name="create"),
    path("<int:pk>/", views.collective_detail, name="detail"),
    path("<int:pk>/modifier/", views.collective_edit, name="edit"),
    path("<int:pk>/structures/retirer/", views.collective_remove_structure, name="remove_structure"),
]
