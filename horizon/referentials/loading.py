"""What every reference-data loader shares: reading the files, upserting rows, skipping unchanged files.

A loader is a management command subclassing `LoadCommand`: it names its files and implements `load()`, which
upserts the rows and returns the lines of its report. The whole load runs in one transaction; a bad row aborts
it with the file and line in the message.
"""

import csv
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from .models import DataLoad

BATCH_SIZE = 2000


class BadRow(CommandError):
    def __init__(self, path, line, message):
        super().__init__(f"{path.name}, ligne {line} : {message}")


def read_csv(path, columns):
    """The rows of a CSV file as (line number, dict), after checking that it has the expected columns."""
    with open(path, encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file, restval="")
        try:
            missing = sorted(set(columns) - set(reader.fieldnames or ()))
            if missing:
                raise CommandError(f"{path.name} : colonne(s) manquante(s) : {', '.join(missing)}.")
            return [(reader.line_num, row) for row in reader]
        except UnicodeDecodeError:
            raise BadRow(path, reader.line_num + 1, "le fichier n'est pas en UTF-8.") from None
        except csv.Error as error:
            raise BadRow(path, reader.line_num, f"CSV invalide ({error}).") from None


def read_json(path):
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except json.JSONDecodeError as error:
        raise BadRow(path, error.lineno, f"JSON invalide ({error.msg}).") from error


def parse_number(path, line, value, kind=int):
    """`kind(value)`, None for an empty cell, or a BadRow error."""
    if value == "":
        return None
    try:
        return kind(value)
    except ValueError:
        raise BadRow(path, line, f"nombre invalide « {value} ».") from None


def check_known(path, line, value, known, what):
    """A BadRow error unless value is one of the known codes; `what` names it: "département inconnu"."""
    if value not in known:
        raise BadRow(path, line, f"{what} « {value} ».")


def add_unique(rows, key, row, path, line):
    """rows[key] = row, or a BadRow error when the file already gave that key."""
    if key in rows:
        raise BadRow(path, line, f"« {key} » figure deux fois.")
    rows[key] = row


@dataclass
class SyncResult:
    rows: int
    created: int
    changed: int
    removed: int = 0

    def report(self, title):
        """ "Communes : 34 875 lignes ; 12 ajoutées, 3 modifiées" (", 1 supprimée" when rows were removed)."""
        parts = [count(self.created, "ajoutée", "ajoutées"), count(self.changed, "modifiée", "modifiées")]
        if self.removed:
            parts.append(count(self.removed, "supprimée", "supprimées"))
        return f"{title} : {count(self.rows, 'ligne', 'lignes')} ; {', '.join(parts)}"


def sync(model, rows, key_fields, value_fields, remove_stale=False):
    """Upsert the rows (dicts of field attnames: "departement_id") that are new or differ from the database: an
    unchanged file writes nothing. With remove_stale, rows whose key is not among the given rows are deleted (for
    derived rows that nothing references: postal codes, links)."""
    keys = [model._meta.get_field(name).attname for name in key_fields]
    values = [model._meta.get_field(name).attname for name in value_fields]
    existing = {
        tuple(row[1 : len(keys) + 1]): (row[0], tuple(row[len(keys) + 1 :]))
        for row in model.objects.order_by().values_list("pk", *keys, *values)
    }
    wanted = {tuple(row[key] for key in keys): row for row in rows}
    created, changed = [], []
    for key, row in wanted.items():
        if key not in existing:
            created.append(model(**row))
        elif existing[key][1] != tuple(row[value] for value in values):
            changed.append(model(**row))
    if value_fields:
        model.objects.bulk_create(
            created + changed,
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=key_fields,
            update_fields=value_fields,
        )
    else:  # the key is the whole row
        model.objects.bulk_create(created, batch_size=BATCH_SIZE, ignore_conflicts=True)
    stale = [pk for key, (pk, _) in existing.items() if key not in wanted] if remove_stale else []
    for start in range(0, len(stale), BATCH_SIZE):  # SQLite limits the parameters of a query
        model.objects.filter(pk__in=stale[start : start + BATCH_SIZE]).delete()
    return SyncResult(rows=len(wanted), created=len(created), changed=len(changed), removed=len(stale))


def count(number, singular, plural):
    return f"{number:,}".replace(",", "\N{NO-BREAK SPACE}") + " " + (singular if number < 2 else plural)


def checksum(paths, version):
    """sha256 of the loader's version and of each file's name and bytes."""
    digest = hashlib.sha256(f"version {version}\n".encode())
    for path in paths:
        digest.update(f"{path.name}\n".encode())
        with open(path, "rb") as file:
            while chunk := file.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


class LoadCommand(BaseCommand):
    dataset = ""  # DataLoad.name
    title = ""  # what the report calls the data set
    files = ()  # paths relative to the data directory
    version = 1  # bump when the loader maps the same files differently, so that they are loaded again

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=settings.BASE_DIR / "data",
            help="Dossier des fichiers de référence (par défaut : data/ à la racine du dépôt).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Recharge même si les fichiers n'ont pas changé depuis le dernier chargement.",
        )

    def handle(self, *args, data_dir, force, **options):
        paths = [data_dir / name for name in self.files]
        missing = [str(path) for path in paths if not path.is_file()]
        if missing:
            raise CommandError(f"Fichier(s) introuvable(s) : {', '.join(missing)}.")
        digest = checksum(paths, self.version)
        if not force and DataLoad.objects.filter(name=self.dataset, checksum=digest).exists():
            self.stdout.write(f"{self.title} : déjà à jour.")
            return
        started = time.monotonic()
        with transaction.atomic():
            lines = self.load(data_dir)
            DataLoad.objects.update_or_create(
                name=self.dataset, defaults={"checksum": digest, "summary": " ; ".join(lines)[:255]}
            )
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"{self.title} : chargés en {time.monotonic() - started:.1f} s."))

    def load(self, data_dir):
        """Upsert the rows of the files found in data_dir; return the lines of the report."""
        raise NotImplementedError
