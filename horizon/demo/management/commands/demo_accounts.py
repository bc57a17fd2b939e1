"""`manage.py demo_accounts`: the table of demo accounts printed before `runserver` (make run)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from horizon.accounts.models import User
from horizon.demo import data
from horizon.organisations.models import Membership
from horizon.programmes.enums import ProgrammeRole

URL = "http://127.0.0.1:8000"


def _role_label(account):
    if account.role == data.EMPLOYER:
        return "Employeur (administrateur·rice)"
    if account.role == data.MEMBER:
        return "Employeur (membre)"
    return ProgrammeRole(account.role).label


class Command(BaseCommand):
    help = "Affiche les comptes de démonstration (e-mail, rôle, mot de passe) et l'adresse du site."

    def handle(self, *args, **options):
        if settings.DEMO_ACCOUNTS is not True:
            self.stdout.write("Aucun compte de démonstration : ils ne sont pas activés ici (DEMO_ACCOUNTS).")
            return
        existing = set(User.objects.filter(email__in=[a.email for a in data.ACCOUNTS]).values_list("email", flat=True))
        accounts = [a for a in data.ACCOUNTS if a.email in existing]
        if not accounts:
            self.stdout.write(
                "Aucun compte de démonstration pour l'instant : lancez « python manage.py load_demo » (ou make run)."
            )
            return
        structures = {
            email: f"{name} — {commune}" if commune else name
            for email, name, commune in Membership.objects.filter(user__email__in=existing, is_active=True)
            .order_by("created_at")
            .values_list("user__email", "structure__name", "structure__commune__name")
        }
        rows = [
            (
                a.email,
                _role_label(a),
                data.PASSWORD,
                structures.get(a.email, "") if a.role in (data.EMPLOYER, data.MEMBER) else a.organisation,
            )
            for a in accounts
        ]
        headers = ("E-mail", "Rôle", "Mot de passe", "Organisme / structure")
        widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
        line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

        def format_row(row):
            return "| " + " | ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)) + " |"

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Comptes de démonstration"))
        self.stdout.write(line)
        self.stdout.write(format_row(headers))
        self.stdout.write(line)
        for row in rows:
            self.stdout.write(format_row(row))
        self.stdout.write(line)
        self.stdout.write(f"Ouvrez {URL} et connectez-vous avec l'un de ces comptes.")
        self.stdout.write("")
