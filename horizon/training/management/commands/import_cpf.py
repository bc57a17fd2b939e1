"""`manage.py import_cpf FILE`: the Mon Compte Formation catalogue (Caisse des Dépôts open data, CSV).

Dry-run by default: everything is written in a transaction that is rolled back, so the report is exact;
`--wet-run` commits. The file is read by `horizon.training.cpf`, written by `horizon.training.imports` under the
source "cpf". See docs/data-imports.md.
"""

import time

from django.core.management.base import CommandError

from horizon.training.cpf import CpfError, CpfFile
from horizon.training.feed_command import FeedImportCommand
from horizon.training.imports import CPF_SOURCE, ImportReport, import_offer, report_lines


class Command(FeedImportCommand):
    help = (
        "Importe le catalogue Mon Compte Formation (open data de la Caisse des Dépôts, CSV séparé par des "
        "points-virgules) : une formation par organisme et par ligne. Simulation par défaut."
    )

    file_help = "export CSV du catalogue (.csv ou .csv.gz)"

    def handle(self, *args, **options):
        started = time.perf_counter()
        report = ImportReport(source=CPF_SOURCE, limit=self.details_limit(options))
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
        self.write_lines(lines)
