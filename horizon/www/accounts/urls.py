from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),  # POST only
    path("inscription/", views.signup, name="signup"),
    path("conditions-d-utilisation/", views.terms, name="terms"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("profil/", views.profile, name="profile"),
    path("profil/mes-donnees.json", views.export_data, name="export_data"),
    path("mot-de-passe/modifier/", views.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe/oublie/", views.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe/oublie/envoye/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/reinitialiser/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("mot-de-passe/reinitialise/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
