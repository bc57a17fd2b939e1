from django.core.management.base import BaseCommand, CommandError

from horizon.programmes.enums import ProgrammeTheme
from horizon.training.models import Formation
from horizon.training.themes import BATCH_SIZE, RULES_PATH, ThemeRulesError, load_rules, refresh_derived_themes


class Command(BaseCommand):
    help = (
        "Déduit de nouveau les thèmes du programme des formations ouvertes, à partir de leurs codes et de leur texte "
        f"({RULES_PATH.name}). Les formations dont la coordination a choisi les thèmes ne sont pas modifiées."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="inclure aussi les formations retirées de leur source",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"nombre de formations traitées par lot (par défaut : {BATCH_SIZE})",
        )

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size doit être un entier positif.")
        try:
            rules = load_rules()
        except ThemeRulesError as exc:
            raise CommandError(f"Règles de thèmes invalides — {exc}") from exc
        formations = Formation.objects.all() if options["all"] else Formation.objects.open()
        chosen = formations.filter(themes_edited_at__isnull=False).count()
        ids = list(formations.filter(themes_edited_at__isnull=True).values_list("pk", flat=True))
        report = refresh_derived_themes(ids, batch_size=options["batch_size"], rules=rules)

        scope = "formations" if options["all"] else "formations ouvertes"
        self.stdout.write(
            f"{report.refreshed} {scope} recalculées : {report.added} thème(s) ajouté(s), {report.removed} retiré(s)."
        )
        self.stdout.write(f"{chosen} {scope} dont la coordination a choisi les thèmes : inchangées.")
        self.stdout.write("Formations par thème déduit :")
        width = max(len(label) for label in ProgrammeTheme.labels)
        for value, label in ProgrammeTheme.choices:
            self.stdout.write(f"  {label.ljust(width)}  {report.themes.get(value, 0)}")
        self.stdout.write(f"  {'Sans thème'.ljust(width)}  {report.untagged}")
        self.stdout.write(self.style.SUCCESS("Terminé."))
