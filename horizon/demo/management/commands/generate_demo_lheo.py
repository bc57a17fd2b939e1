"""`manage.py generate_demo_lheo PATH [--formations N] [--seed S] [--gzip] [--date AAAA-MM-JJ]`: writes the demo
LHEO 2.3 feed (horizon/demo/lheo.py), to be imported with `manage.py import_lheo PATH`."""

import argparse
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from horizon.demo import data
from horizon.demo.lheo import DEFAULT_FORMATIONS, DEMO_PROVIDER_NAME, DEMO_PROVIDER_SIRET, write_lheo


def _positive(value):
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"un nombre entier positif est attendu, pas « {value} »")
    return int(value)


def _iso_date(value):
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"une date AAAA-MM-JJ est attendue, pas « {value} »") from None


def _number(value):
    return f"{value:,}".replace(",", "\u202f")


class Command(BaseCommand):
    help = (
        "Écrit un fichier LHEO 2.3 de démonstration : l'offre de formation générée de Nouvelle-Aquitaine "
        "(formations, actions, sessions, organismes), à importer avec « import_lheo »."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="fichier à écrire (.xml, ou .xml.gz compressé)")
        parser.add_argument(
            "--formations",
            type=_positive,
            default=DEFAULT_FORMATIONS,
            help="nombre de formations (défaut : %(default)s)",
        )
        parser.add_argument("--seed", type=int, default=data.SEED, help="graine du tirage (défaut : %(default)s)")
        parser.add_argument("--gzip", action="store_true", help="compresser le fichier (gzip)")
        parser.add_argument(
            "--date",
            dest="reference_date",
            type=_iso_date,
            help="date de référence des sessions, AAAA-MM-JJ (défaut : aujourd'hui ; seul son mois compte)",
        )

    def handle(self, *args, path, formations, seed, gzip, reference_date, **options):
        if gzip and path.suffix != ".gz":
            path = path.with_name(path.name + ".gz")
        try:
            result = write_lheo(
                path,
                formations=formations,
                seed=seed,
                today=reference_date,
                compress=gzip or None,
                data_dir=settings.BASE_DIR / "data",
            )
        except OSError as error:
            raise CommandError(f"Impossible d'écrire {path} : {error}") from error
        size = f"{result.bytes / 1_000_000:.1f}".replace(".", ",")
        seconds = f"{result.seconds:.1f}".replace(".", ",")
        self.stdout.write(self.style.SUCCESS(f"Fichier LHEO 2.3 écrit : {result.path} ({size} Mo en {seconds} s)."))
        self.stdout.write(
            f"{_number(result.formations)} formations, {_number(result.actions)} actions, "
            f"{_number(result.sessions)} sessions, {_number(result.providers)} organismes de formation."
        )
        self.stdout.write(f"Organisme du compte de démonstration : {DEMO_PROVIDER_NAME} (SIRET {DEMO_PROVIDER_SIRET}).")
