from django.urls import path

from horizon.www.home.views import home

app_name = "collectives"

urlpatterns = [
    path("list/", home, name="list"),
]
