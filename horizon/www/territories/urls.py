from django.urls import path

from horizon.www.home.views import home

app_name = "territories"

urlpatterns = [
    path("communes/", home, name="communes"),
]
