from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from horizon.questionnaires import definition
from horizon.questionnaires.catalogue import DEFINITIONS_DIR, definition_paths


class Command(BaseCommand):
    help = (
        "Vérifie les fichiers de définition des questionnaires (YAML) : structure, noms, types, conditions, notation."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help=f"fichiers à vérifier (par défaut : {DEFINITIONS_DIR}/*.yaml)")

    def handle(self, *args, **options):
        paths = [Path(p) for p in options["files"]] or definition_paths()
        if not paths:
            raise CommandError(f"Aucune définition de questionnaire trouvée dans {DEFINITIONS_DIR}.")
        failures = 0
        for path in paths:
            try:
                errors = definition.validate(definition.load(path))
            except definition.DefinitionError as exc:
                errors = [str(exc)]
            if errors:
                failures += 1
                self.stdout.write(self.style.ERROR(f"✗ {path.name} : {len(errors)} problème(s)"))
                for error in errors:
                    self.stdout.write(f"    - {error}")
            else:
                self.stdout.write(self.style.SUCCESS(f"✓ {path.name}"))
        if failures:
            raise CommandError(f"{failures} définition(s) invalide(s) sur {len(paths)}.")
