"""`manage.py load_demo`: the demo programme, accounts and structures (development only)."""

import time

from django.core.management.base import BaseCommand, CommandError

from horizon.demo import data
from horizon.demo.generator import DemoError, load_demo


class Command(BaseCommand):
    help = "Charge les données de démonstration (jamais en production). Peut être relancée sans effet."

    def add_arguments(self, parser):
        parser.add_argument(
            "--structures",
            type=int,
            default=data.DEFAULT_STRUCTURE_COUNT,
            help=f"nombre de structures fictives à générer (défaut : {data.DEFAULT_STRUCTURE_COUNT})",
        )
        parser.add_argument("--seed", type=int, default=data.SEED, help="graine du générateur (défaut : %(default)s)")

    def handle(self, *args, structures, seed, **options):
        if structures < 1:
            raise CommandError("--structures doit être un nombre positif.")
        started = time.perf_counter()
        try:
            summary = load_demo(count=structures, seed=seed)
        except DemoError as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        if summary.already_loaded:
            self.stdout.write(
                f"Données de démonstration déjà chargées ({summary.structures} structures) : rien de nouveau."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Données de démonstration chargées : {summary.structures_created} structures, "
                    f"{summary.contacts_created} contacts, {summary.collectives_created} collectifs, "
                    f"{summary.changes_created} lignes d'historique."
                )
            )
        if summary.diagnostics_created:
            self.stdout.write(
                f"{summary.diagnostics_created} structures ont envoyé leur diagnostic RH (certaines deux fois), "
                "avec des plans d'action."
            )
        if summary.formations_imported:
            self.stdout.write(
                f"Offre de formation : {summary.formations_imported} formations importées d'un flux LHEO généré."
            )
        if summary.accounts_created:
            self.stdout.write(f"{summary.accounts_created} comptes de démonstration créés.")
        if summary.passwords_reset:
            self.stdout.write(f"Mot de passe remis à « {data.PASSWORD} » pour {summary.passwords_reset} compte(s).")
        self.stdout.write(f"Terminé en {elapsed:.1f} s. Les comptes : « python manage.py demo_accounts ».")
