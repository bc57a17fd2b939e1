"""`manage.py import_lheo FILE`: the training offer of an LHEO 2.2 / 2.3 file (plain or gzipped).

Dry-run by default: everything is written in a transaction that is rolled back, so the report is exact;
`--wet-run` commits. The file is read by `horizon.training.lheo`, written by `horizon.training.imports`. See
docs/data-imports.md.
"""

import time

from django.core.management.base import CommandError

from horizon.training.feed_command import FeedImportCommand
from horizon.training.imports import CPF_SOURCE, LHEO_SOURCE, ImportReport, import_offer, report_lines
from horizon.training.lheo import LheoError, LheoFile
from horizon.training.models import MANUAL_SOURCE

RESERVED_SOURCES = {CPF_SOURCE, MANUAL_SOURCE}


class Command(FeedImportCommand):
    help = (
        "Importe l'offre de formation d'un fichier LHEO 2.2 ou 2.3 (XML, éventuellement compressé en gzip) : "
        "organismes, formations, actions et sessions. Simulation par défaut."
    )

    file_help = "fichier LHEO (.xml ou .xml.gz)"

    def add_source_argument(self, parser):
        parser.add_argument(
            "--source",
            default=LHEO_SOURCE,
            help="nom du flux (par défaut « lheo ») : les formations de ce flux absentes du fichier sont fermées",
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        source = options["source"].strip()
        if not source or len(source) > 50:
            raise CommandError("Le nom de la source doit faire de 1 à 50 caractères.")
        if source in RESERVED_SOURCES:
            raise CommandError(
                f"La source « {source} » est réservée (offre CPF ou saisie sur la plateforme) : choisissez un autre "
                "nom avec --source, sinon l'import fermerait ces formations."
            )
        report = ImportReport(source=source, limit=self.details_limit(options))
        try:
            with LheoFile(options["file"]) as lheo:
                header = f"{options['file']} (LHEO {lheo.version}{', compressé gzip' if lheo.compressed else ''})"
                import_offer(source, lheo, wet_run=options["wet_run"], report=report, batch_size=options["batch_size"])
        except LheoError as exc:
            raise CommandError(f"{exc} Rien n'a été enregistré.") from exc
        lines = report_lines(
            "Import LHEO",
            [("Fichier", header), ("Source", source)],
            report,
            wet_run=options["wet_run"],
            elapsed=time.perf_counter() - started,
        )
        self.write_lines(lines)
