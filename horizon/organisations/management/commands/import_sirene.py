"""`manage.py import_sirene`: the ESS establishments of a territory, from the INSEE SIRENE stock files.

Dry-run by default (everything is computed and the diff printed, nothing written); `--wet-run` writes in one
transaction. The streaming and mapping live in `horizon.organisations.sirene`; this command loads the lookups,
compares each batch of records with the registry and writes it. See docs/data-imports.md.
"""

import contextlib
import time
import zipfile
import zlib

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, models, router, transaction
from django.utils import timezone

from horizon.organisations import sirene, stockfiles
from horizon.organisations.enums import ChangeAction, StructureSource
from horizon.organisations.models import Structure, StructureChange, search_text_of
from horizon.referentials.models import LegalCategory, NafCode
from horizon.territories.geo import lambert93_to_wgs84
from horizon.territories.models import Commune, Departement, Region

# The fields SIRENE owns (attname → field name); every other field belongs to the platform and is never touched.
OWNED_FIELDS = {
    "name": "name",
    "usual_name": "usual_name",
    "rna": "rna",
    "legal_category_id": "legal_category",
    "naf_id": "naf",
    "headcount_band": "headcount_band",
    "headcount_year": "headcount_year",
    "address": "address",
    "address_complement": "address_complement",
    "postal_code": "postal_code",
    "commune_id": "commune",
    "latitude": "latitude",
    "longitude": "longitude",
    "is_head_office": "is_head_office",
    "is_active": "is_active",
}
CREATION_NOTE = "Import SIRENE"


def _number(value):
    return f"{value:,}".replace(",", " ")


class RowInserter:
    """Inserts rows given as {attname: value}: COPY on PostgreSQL, one executemany elsewhere.

    What bulk_create does, without building model instances nor compiling SQL per field and per row, which
    cost the first import more than reading the whole file. The importer's values are already clean Python
    values (str, int, float, bool, None); fields not given take their default, timestamps (auto_now and
    auto_now_add fields included) take `now`, and JSON fields go through their own adapter.
    """

    def __init__(self, model):
        self.connection = connections[router.db_for_write(model)]
        self.fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        self.defaults = {field.attname: field.get_default() for field in self.fields}
        self.timestamps = {field.attname for field in self.fields if isinstance(field, models.DateTimeField)}
        self.json_fields = {field.attname: field for field in self.fields if isinstance(field, models.JSONField)}
        quote = self.connection.ops.quote_name
        self.table = quote(model._meta.db_table)
        self.columns = ", ".join(quote(field.column) for field in self.fields)

    def _value(self, row, attname, timestamp):
        if attname in self.timestamps:
            return timestamp
        value = row[attname] if attname in row else self.defaults[attname]
        if attname in self.json_fields:
            return self.json_fields[attname].get_db_prep_save(value, self.connection)
        return value

    def insert(self, rows, now):
        timestamp = self.connection.ops.adapt_datetimefield_value(now)
        attnames = [field.attname for field in self.fields]
        values = [[self._value(row, attname, timestamp) for attname in attnames] for row in rows]
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(attnames))
                cursor.executemany(f"INSERT INTO {self.table} ({self.columns}) VALUES ({placeholders})", values)


class Command(BaseCommand):
    help = (
        "Importe les établissements actifs des unités légales de l'ESS d'un territoire depuis les fichiers stock "
        "SIRENE de l'INSEE (StockUniteLegale et StockEtablissement, .csv ou .zip). Simulation par défaut."
    )

    def add_arguments(self, parser):
        parser.add_argument("--unites-legales", metavar="FICHIER", help="StockUniteLegale (.csv ou .zip)")
        parser.add_argument("--etablissements", metavar="FICHIER", help="StockEtablissement (.csv ou .zip)")
        parser.add_argument("--departements", metavar="CODES", default="", help="codes séparés par des virgules")
        parser.add_argument("--region", metavar="CODE", default="", help="code INSEE de la région (75…)")
        parser.add_argument("--wet-run", action="store_true", help="enregistrer (sinon : simulation)")
        parser.add_argument("--batch-size", type=int, default=1000, help="structures écrites par lot")
        parser.add_argument(
            "--max-details", type=int, default=50, help="lignes de détail par rubrique (toutes avec --verbosity 2)"
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        if not options["unites_legales"] or not options["etablissements"]:
            raise CommandError(
                "Indiquez les deux fichiers stock SIRENE : --unites-legales FICHIER et --etablissements FICHIER."
            )
        if options["batch_size"] < 1:
            raise CommandError("--batch-size doit être un entier positif.")
        departements, territory_label = self._territory(options["departements"], options["region"])
        units_file = stockfiles.StockFile(options["unites_legales"], sirene.UNITS_LABEL, sirene.UNIT_REQUIRED)
        etabs_file = stockfiles.StockFile(options["etablissements"], sirene.ETABS_LABEL, sirene.ETAB_REQUIRED)
        report = sirene.ImportReport(limit=None if options["verbosity"] >= 2 else options["max_details"])
        importer = SireneImport(
            units_file, etabs_file, departements, report, wet_run=options["wet_run"], batch_size=options["batch_size"]
        )
        try:
            for stock_file in (units_file, etabs_file):  # both headers checked before anything is read
                with stock_file:
                    pass
            importer.run()
        except stockfiles.SireneFileError as exc:
            message = str(exc) if str(exc).endswith((".", "?", "!")) else f"{exc}."
            raise CommandError(f"{message} Rien n'a été enregistré.") from exc
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise CommandError(f"Lecture interrompue ({exc}). Rien n'a été enregistré.") from exc
        self._print_report(options, territory_label, report, time.perf_counter() - started)

    # -----------------------------------------------------------------------------------------------------------

    def _territory(self, departements_option, region_option):
        codes = {sirene.normalize_departement(code) for code in departements_option.split(",") if code.strip()}
        labels = []
        region_code = region_option.strip()
        if region_code:
            region = Region.objects.filter(code=region_code).first()
            if region is None:
                raise CommandError(
                    f"Région inconnue : {region_code}. Chargez les territoires (manage.py load_territories) "
                    "ou vérifiez le code INSEE de la région."
                )
            region_departements = set(region.departements.values_list("code", flat=True))
            if not region_departements:
                raise CommandError(f"La région {region.name} n'a aucun département dans la base.")
            labels.append(f"région {region.name} ({region.code})")
            codes |= region_departements
        if not codes:
            raise CommandError(
                "Indiquez le territoire à importer : --departements 33,24,… et/ou --region 75 "
                "(l'import complet de la France n'est pas prévu)."
            )
        known = set(Departement.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = sorted(codes - known)
        if unknown:
            raise CommandError(
                f"Département(s) inconnu(s) : {', '.join(unknown)}. Chargez les territoires "
                "(manage.py load_territories) ou corrigez la liste."
            )
        labels.append(f"départements {', '.join(sorted(codes))}")
        return codes, " — ".join(labels)

    def _print_report(self, options, territory_label, report, elapsed):
        write = self.stdout.write
        mode = "enregistrement" if options["wet_run"] else "simulation"
        write(f"Import SIRENE ({mode})")
        write(f"  Unités légales : {options['unites_legales']}")
        write(f"  Établissements : {options['etablissements']}")
        write(f"  Territoire : {territory_label}")
        write("")
        rejected = _number(report.rejected + report.rejected_units)
        if report.rejected_units:
            rejected += f" (dont {_number(report.rejected_units)} dans le fichier des unités légales)"
        rows = [
            ("Lignes lues", f"{_number(report.read)} établissements, {_number(report.read_units)} unités légales"),
            ("Hors périmètre", _number(report.out_of_scope)),
            ("Créées", _number(report.created)),
            ("Mises à jour", _number(report.updated)),
            ("Inchangées", _number(report.unchanged)),
            ("Fermées", _number(report.closed)),
            ("Rejetées", rejected),
        ]
        for label, value in rows:
            write(f"  {label + ' ':.<22} {value}")
        if report.warnings:
            write("")
            write("Avertissements :")
            for kind, count in report.warnings.most_common():
                samples = ", ".join(report.warning_samples.get(kind, []))
                write(f"  {sirene.WARNINGS[kind]} : {_number(count)} ({samples})")
        if options["verbosity"] >= 1 and any(report.details.values()):
            write("")
            write("Détails :")
            for kind in ("created", "updated", "closed", "rejected"):
                for line in report.details[kind]:
                    write(f"  {line}")
                if report.hidden[kind]:
                    write(f"  … et {_number(report.hidden[kind])} autres (--verbosity 2 pour tout afficher)")
        write("")
        phases = " ; ".join(f"{label} {seconds:.1f} s" for label, seconds in report.timings.items())
        write(f"Durée : {elapsed:.1f} s ({phases})".replace(".", ","))
        if options["wet_run"]:
            write(self.style.SUCCESS("Import enregistré."))
        else:
            write(self.style.WARNING("Simulation : rien n'a été enregistré. Relancez avec --wet-run pour enregistrer."))


class SireneImport:
    """One run: the three passes over the files, then each batch compared with the registry and written."""

    def __init__(self, units_file, etabs_file, departements, report, *, wet_run, batch_size):
        self.units_file = units_file
        self.etabs_file = etabs_file
        self.territory = sirene.Territory(departements)
        self.report = report
        self.wet_run = wet_run
        self.batch_size = batch_size
        self.seen_rnas = set()
        self.now = timezone.now()
        self.structures = RowInserter(Structure)
        self.changes = RowInserter(StructureChange)

    def run(self):
        timings = self.report.timings
        started = time.perf_counter()
        self._load_lookups()
        with self.etabs_file:
            wanted = sirene.collect_candidate_sirens(self.etabs_file, self.territory, self.report)
        timings["établissements, 1re lecture"] = time.perf_counter() - started
        started = time.perf_counter()
        with self.units_file:
            units = sirene.load_units(self.units_file, wanted, self.report)
        del wanted
        timings["unités légales"] = time.perf_counter() - started
        started = time.perf_counter()
        with transaction.atomic() if self.wet_run else contextlib.nullcontext():
            registry = dict(Structure.objects.filter(siret__isnull=False).values_list("siret", "is_active"))
            with self.etabs_file:
                batch = []
                items = sirene.iter_in_scope(
                    self.etabs_file, self.territory, units, registry, self.lookups, self.report
                )
                for item in items:
                    batch.append(item)
                    if len(batch) >= self.batch_size:
                        self._process(batch)
                        batch = []
                if batch:
                    self._process(batch)
        timings["établissements, 2e lecture et écritures"] = time.perf_counter() - started

    def _load_lookups(self):
        communes = Commune.objects.filter(departement_id__in=self.territory.departements).only(
            "code", "name", "departement_id", "latitude", "longitude"
        )
        self.communes = {commune.code: commune for commune in communes}
        self.legal_category_labels = {category.code: str(category) for category in LegalCategory.objects.all()}
        self.naf_labels = {naf.code: str(naf) for naf in NafCode.objects.filter(nomenclature=sirene.NAF_NOMENCLATURE)}
        self.lookups = sirene.Lookups(
            communes={code: (c.latitude, c.longitude) for code, c in self.communes.items()},
            legal_categories=frozenset(self.legal_category_labels),
            naf_codes=frozenset(self.naf_labels),
            to_wgs84=lambert93_to_wgs84,
        )

    # -----------------------------------------------------------------------------------------------------------

    def _process(self, batch):
        report = self.report
        existing = {s.siret: s for s in Structure.objects.filter(siret__in=[item.siret for item in batch])}
        rnas = {item.fields["rna"] for item in batch if isinstance(item, sirene.Record) and item.fields["rna"]}
        holders = {s.rna: s for s in Structure.objects.filter(rna__in=rnas)} if rnas else {}
        to_create, to_update, changed_fields, history = [], [], set(), []
        for item in batch:
            obj = existing.get(item.siret)
            if isinstance(item, sirene.Closure):
                if obj is None:  # gone from the registry since it was read: nothing to close
                    continue
                if not obj.is_active:
                    report.unchanged += 1
                    continue
                obj.is_active = False
                obj.updated_at = self.now
                to_update.append(obj)
                changed_fields.add("is_active")
                history.append((obj, ChangeAction.IMPORTED, {"is_active": [str(True), str(False)]}, ""))
                report.closed += 1
                report.detail("closed", f"- {obj.siret} {obj.display_name} : fermé dans SIRENE, désactivé")
                continue

            for kind, sample in item.warnings:
                report.warn(kind, sample)
            fields = dict(item.fields)
            obj, adopted = self._resolve_rna(fields, obj, holders)
            if obj is None:
                row = self._new_structure(item.siret, fields)
                to_create.append(row)
                # The creation is the history's first line; its values are the structure's own fields.
                history.append((item.siret, ChangeAction.CREATED, {}, CREATION_NOTE))
                report.created += 1
                commune_name = self.communes[fields["commune_id"]].name
                report.detail("created", f"+ {item.siret} {fields['usual_name'] or fields['name']} ({commune_name})")
                continue

            changes = {}
            if adopted:
                changes["siret"] = ["", item.siret]
                obj.siret, obj.siren = item.siret, item.siret[:9]
                changed_fields.update(("siret", "siren"))
            for attname, new in fields.items():
                if attname == "rna" and new is None:
                    continue
                old = getattr(obj, attname)
                if old != new:
                    name = OWNED_FIELDS[attname]
                    changes[name] = [self._display(attname, old), self._display(attname, new)]
                    setattr(obj, attname, new)
                    changed_fields.add(name)
            if not changes:
                report.unchanged += 1
                continue
            obj.commune = self.communes[fields["commune_id"]]
            obj.search_text = obj.compute_search_text()
            obj.updated_at = self.now
            to_update.append(obj)
            history.append((obj, ChangeAction.IMPORTED, changes, ""))
            report.updated += 1
            readable = " ; ".join(
                f"{self._verbose_name(name)} : {self._readable(before)} → {self._readable(after)}"
                for name, (before, after) in changes.items()
            )
            report.detail("updated", f"~ {item.siret} {obj.display_name} — {readable}")

        if self.wet_run:
            self._write(to_create, to_update, changed_fields, history)

    def _resolve_rna(self, fields, obj, holders):
        """Decide what to do with the head office's RNA; returns (structure to update or None, adopted).

        An RNA-only structure of the registry (an association declared before it had a SIRET) is adopted: the
        import gives it its SIRET instead of creating a duplicate. An RNA already held by another structure is
        left out (the column is unique), with a warning.
        """
        rna = fields["rna"]
        if not rna:
            return obj, False
        holder = holders.get(rna)
        adopted = False
        if rna in self.seen_rnas:
            taken = True
        elif holder is None or (obj is not None and holder.pk == obj.pk):
            taken = False
        elif obj is None and holder.siret is None:
            obj, adopted, taken = holder, True, False
        else:
            taken = True
        if taken:
            fields["rna"] = None
            self.report.warn("rna_taken", rna)
        else:
            self.seen_rnas.add(rna)
        return obj, adopted

    def _new_structure(self, siret, fields):
        """The row of a structure to create, as {attname: value}."""
        commune_name = self.communes[fields["commune_id"]].name
        search_text = search_text_of(
            fields["name"], fields["usual_name"], commune_name, fields["postal_code"], fields["rna"]
        )
        return {
            **fields,
            "siret": siret,
            "siren": siret[:9],
            "source": StructureSource.SIRENE,
            "search_text": search_text,
        }

    def _write(self, to_create, to_update, changed_fields, history):
        """Creations, then updates, then one history row each. A history entry names its structure by the
        SIRET of a row just created, or by the structure itself when it was updated."""
        created_ids = {}
        if to_create:
            self.structures.insert(to_create, self.now)
            sirets = [row["siret"] for row in to_create]
            created_ids = dict(Structure.objects.filter(siret__in=sirets).values_list("siret", "pk"))
        if to_update:
            Structure.objects.bulk_update(to_update, sorted(changed_fields | {"search_text", "updated_at"}))
        if history:
            rows = [
                {
                    "structure_id": created_ids[target] if isinstance(target, str) else target.pk,
                    "action": action,
                    "changes": changes,
                    "note": note,
                }
                for target, action, changes, note in history
            ]
            self.changes.insert(rows, self.now)

    # -----------------------------------------------------------------------------------------------------------

    def _display(self, attname, value):
        """A value as the history stores it (the way services.diff_fields does: text, related objects by str)."""
        if value is None:
            return ""
        if attname == "legal_category_id":
            return self.legal_category_labels.get(value, value)
        if attname == "naf_id":
            return self.naf_labels.get(value, value)
        if attname == "commune_id":
            commune = self.communes.get(value)
            return str(commune) if commune is not None else value
        return str(value)

    @staticmethod
    def _readable(text):
        return {"": "(vide)", "True": "oui", "False": "non"}.get(text, text)

    @staticmethod
    def _verbose_name(name):
        return str(Structure._meta.get_field(name).verbose_name)
