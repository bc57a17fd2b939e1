"""What `manage.py import_cpf` and `manage.py import_lheo` share: the arguments, their checks and the printing of
the report."""

from django.core.management.base import BaseCommand, CommandError

from horizon.training.imports import BATCH_SIZE


class FeedImportCommand(BaseCommand):
    """A command importing one file of training offer; `file_help` describes its FICHIER argument."""

    file_help = ""

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FICHIER", help=self.file_help)
        self.add_source_argument(parser)
        parser.add_argument("--wet-run", action="store_true", help="enregistrer (sinon : simulation)")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="formations écrites par lot")
        parser.add_argument(
            "--max-details", type=int, default=50, help="lignes de détail par rubrique (toutes avec --verbosity 2)"
        )

    def add_source_argument(self, parser):
        """Nothing by default: a command whose feed may be named adds its --source here."""

    def details_limit(self, options):
        """The checked --batch-size, then the number of detail lines per section (None: all of them)."""
        if options["batch_size"] < 1:
            raise CommandError("--batch-size doit être un entier positif.")
        return None if options["verbosity"] >= 2 else options["max_details"]

    def write_lines(self, lines):
        """Print the (text, style) lines of `report_lines`."""
        styles = {"success": self.style.SUCCESS, "warning": self.style.WARNING}
        for text, style in lines:
            self.stdout.write(styles[style](text) if style else text)
