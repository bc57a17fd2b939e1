from django.core.management.base import BaseCommand, CommandError

from horizon.questionnaires import catalogue
from horizon.questionnaires.services import DefinitionInvalid


class Command(BaseCommand):
    help = (
        "Publie les questionnaires du dépôt (horizon/questionnaires/definitions/*.yaml) : une nouvelle version "
        "figée pour chaque fichier modifié, rien pour les autres. Relancer la commande ne change rien."
    )

    def handle(self, *args, **options):
        if not catalogue.definition_paths():
            self.stdout.write(f"Aucun questionnaire à publier dans {catalogue.DEFINITIONS_DIR}.")
            return
        try:
            results = catalogue.publish_all()
        except DefinitionInvalid as exc:
            details = "\n".join(f"    - {error}" for error in exc.errors)
            raise CommandError(f"Rien n'a été publié : {len(exc.errors)} problème(s).\n{details}") from exc
        for result in results:
            if result.created:
                self.stdout.write(self.style.SUCCESS(f"{result.code} : version {result.version.number} publiée"))
            else:
                self.stdout.write(f"{result.code} : déjà à jour (version {result.version.number})")
