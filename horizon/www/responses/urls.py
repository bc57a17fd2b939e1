from django.urls import path

from . import attachments, views

app_name = "responses"

urlpatterns = [
    path("structure/<int:structure_pk>/", views.structure_responses, name="structure"),
    path("commencer/<int:structure_pk>/<slug:code>/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/section/<int:index>/", views.section, name="section"),
    path("<int:pk>/enregistrer/", views.save, name="save"),
    path("<int:pk>/envoyer/", views.submit, name="submit"),
    path("<int:pk>/rouvrir/", views.reopen, name="reopen"),
    path("export/<slug:code>.xlsx", views.export, name="export"),
    # Documents attached to an answer as evidence.
    path("<int:pk>/pieces-jointes/ajouter/", attachments.upload, name="attachment_upload"),
    path("pieces-jointes/<int:pk>/", attachments.download, name="attachment_download"),
    path("pieces-jointes/<int:pk>/supprimer/", attachments.delete, name="attachment_delete"),
]
