from django.urls import path

from horizon.www.home.views import home

app_name = "structures"

urlpatterns = [
    path("list/", home, name="list"),
    path("<int:pk>/", home, name="detail"),
    path("find/", home, name="find"),
]
