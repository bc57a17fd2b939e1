"""`manage.py import_cpf FILE`: the Mon Compte Formation catalogue (Caisse des Dépôts open data, CSV).

Dry-run by default: everything is written in a transaction that is rolled back, so the report is exact;
`--wet-run` commits. The file is read by `horizon.training.cpf`, written by `horizon.training.imports` under the
source "cpf". See docs/data-imports.md.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from horizon.training.cpf import CpfError, CpfFile
from horizon.training.imports import BATCH_SIZE, CPF_SOURCE, ImportReport, import_offer, report_lines


class Command(BaseCommand):
    help = (
        "Importe le catalogue Mon Compte Formation (open data de la Caisse des Dépôts, CSV séparé par des "
        "points-virgules) : une formation par organisme et par ligne. Simulation par défaut."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FICHIER", help="export CSV du catalogue (.csv ou .csv.gz)")
        parser.add_argument("--wet-run", action="store_true", help="enregistrer (sinon : simulation)")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="formations écrites par lot")
        parser.add_argument(
            "--max-details", type=int, default=50, help="lignes de détail par rubrique (toutes avec --verbosity 2)"
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        if options["batch_size"] < 1:
            raise CommandError("--batch-size doit être un entier positif.")
        limit = None if options["verbosity"] >= 2 else options["max_details"]
        report = ImportReport(source=CPF_SOURCE, limit=limit)
        try:
            with CpfFile(options["file"]) as cpf:
                import_offer(
                    CPF_SOURCE,
                    cpf,
                    wet_run=options["wet_run"],
                    report=report,
                    batch_size=options["batch_size"],
                    label="CPF",
                )
                header = [("Fichier", options["file"]), ("Source", CPF_SOURCE)]
                if cpf.extract_date:
                    header.append(("Extraction du", cpf.extract_date))
        except CpfError as exc:
            raise CommandError(f"{exc} Rien n'a été enregistré.") from exc
        lines = report_lines(
            "Import du catalogue Mon Compte Formation",
            header,
            report,
            wet_run=options["wet_run"],
            elapsed=time.perf_counter() - started,
        )
        styles = {"success": self.style.SUCCESS, "warning": self.style.WARNING}
        for text, style in lines:
            self.stdout.write(styles[style](text) if style else text)
