from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "horizon.accounts"
    verbose_name = "Comptes"
