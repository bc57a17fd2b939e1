"""Records of an offer feed (LHEO file, CPF open data) written to the training catalogue, for one `source`.

`import_offer(source, items, wet_run=…)` takes the records and rejections of a reader (`horizon.training.lheo`,
`horizon.training.cpf`) and:

- upserts providers by SIRET (the first occurrence of a SIRET in the file wins; values the feed leaves empty
  never erase what the platform holds), then formations by (source, source_id), actions by (formation,
  source_id) and sessions by (action, source_id);
- compares each row's fingerprint (a hash of the values the import writes) with the stored one: an unchanged
  row is counted and not written, so a re-run writes nothing and a change typed on the platform stays until the
  feed itself changes;
- closes (sets `closed_at`, never deletes) the formations of the source that the file no longer holds, with
  their actions and sessions, and the actions and sessions gone from a formation that is still there; a closed
  row that comes back is reopened. A rejected formation is left as it was: neither updated nor closed;
- resolves communes (INSEE code, else postal code + town name) against the territories, coordinates from the
  feed or else from the commune;
- writes an `OfferChange` per formation created, updated, closed or reopened (no user; the note names the
  source).

Everything runs in one transaction; a dry run runs the same writes and rolls them back, so its report is exact.
Records go by batches: a few queries per batch (existing rows, inserts — COPY on PostgreSQL, one executemany on
SQLite —, updates as one executemany), never one per record.

What derives from a formation's own row and its provider's name — its programme themes and its search document —
is written in the same transaction: for the formations a batch creates, from the rows at hand as the batch is
written; for those updated, reopened or closed (`derived_formation_ids` of the report), and the formations of a
renamed provider, from the database once the file is read. The report's `touched_formation_ids` are the
formations whose offer changed in any way, below the formation included.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter

from django.db import router, transaction
from django.utils import timezone

from . import search, themes
from .enums import OfferChangeAction, ThemeOrigin
from .feed import WARNINGS, Rejection
from .import_tools import CommuneResolver, Table
from .models import Action, Formation, FormationTheme, OfferChange, Provider, Session

LHEO_SOURCE = "lheo"  # default source name of `import_lheo`
CPF_SOURCE = "cpf"  # the Mon Compte Formation open data (`import_cpf`)
BATCH_SIZE = 500  # formations per batch
ANALYZE_MIN_ROWS = 5000  # PostgreSQL: sessions inserted before statistics are refreshed (see OfferImport._analyze)
DETAIL_TEXT = 80  # characters of a long text shown in a diff

FORMATION_FIELDS = (
    "provider_id",
    "title",
    "objective",
    "expected_results",
    "content",
    "certifying",
    "certifications",
    "formacodes",
    "nsf_codes",
    "rome_codes",
    "entry_level",
    "exit_level",
    "general_objective",
    "course_type",
    "url",
)
ACTION_FIELDS = (
    "modality",
    "entry_mode",
    "rhythm",
    "conditions",
    "price_total",
    "price_hourly",
    "hours_total",
    "hours_centre",
    "hours_company",
    "funders",
    "cpf_eligible",
    "trainer_name",
    "trainer_siret",
    "place_name",
    "address",
    "commune_id",
    "latitude",
    "longitude",
)
SESSION_FIELDS = (
    "start_date",
    "start_precision",
    "end_date",
    "end_precision",
    "recruitment_state",
    "registration_address",
    "commune_id",
    "latitude",
    "longitude",
)
PROVIDER_FIELDS = (
    *("name", "legal_name", "nda", "address", "postal_code", "commune_id", "email", "phone", "website"),
    "qualiopi",
)
LONG_TEXTS = frozenset({"objective", "expected_results", "content"})


_GETTERS = {}


def fingerprint(row, fields):
    """A hash of the values the import writes: equal fingerprints, nothing to write."""
    getter = _GETTERS.get(fields)
    if getter is None:
        getter = _GETTERS[fields] = itemgetter(*fields)
    return hashlib.sha256(repr(getter(row)).encode()).hexdigest()


# ---------------------------------------------------------------------------------------------------------------
# Report


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    reopened: int = 0


@dataclass
class ImportReport:
    """What a run did. Details (lines as people read them) are capped at `limit` per kind; None = all."""

    source: str
    limit: int | None = 50
    read: int = 0  # formations (records and rejections)
    formations: Tally = field(default_factory=Tally)
    actions: Tally = field(default_factory=Tally)
    sessions: Tally = field(default_factory=Tally)
    providers: Tally = field(default_factory=Tally)
    rejected: list = field(default_factory=list)  # Rejection, all of them
    warnings: Counter = field(default_factory=Counter)
    warning_samples: dict = field(default_factory=dict)
    details: dict = field(default_factory=lambda: {kind: [] for kind in DETAIL_KINDS})
    hidden: Counter = field(default_factory=Counter)
    # Formations created, updated, closed or reopened, below the formation included. After a dry run they name rows
    # that were rolled back.
    touched_formation_ids: set = field(default_factory=set)
    # The existing formations whose own row was written (updated, closed or reopened), not only their actions or
    # sessions: their themes and search documents are refreshed from the database at the end of the run.
    derived_formation_ids: set = field(default_factory=set)
    # Providers whose name changed: the search index holds the name of each formation's provider.
    renamed_provider_ids: set = field(default_factory=set)

    def reject(self, rejection):
        self.rejected.append(rejection)
        where = f"ligne {rejection.line}, " if rejection.line else ""
        label = f"formation {rejection.source_id}" if rejection.source_id else "formation sans identifiant"
        self.detail("rejected", f"! {where}{label} : {rejection.reason}")

    def warn(self, kind, sample):
        self.warnings[kind] += 1
        samples = self.warning_samples.setdefault(kind, [])
        if len(samples) < 5 and sample not in samples:
            samples.append(sample)

    def detail(self, kind, text, *args):
        """Keeps a detail line: text, or a function that makes it from args (not called past the limit)."""
        if self.limit is None or len(self.details[kind]) < self.limit:
            self.details[kind].append(text(*args) if callable(text) else text)
        else:
            self.hidden[kind] += 1

    def warning_label(self, kind):
        return WARNINGS.get(kind, kind)


DETAIL_KINDS = ("created", "updated", "reopened", "closed", "rejected")


def _number(value):
    return f"{value:,}".replace(",", "\u202f")


def report_lines(title, header, report, *, wet_run, elapsed):
    """The report as the import commands print it (French): [(text, style)], style None, "success" or "warning"."""
    lines = [(f"{title} ({'enregistrement' if wet_run else 'simulation'})", None)]
    lines += [(f"  {label} : {value}", None) for label, value in header]
    lines.append(("", None))
    lines.append((f"  {'Formations lues ':.<26} {_number(report.read)}", None))
    lines.append((f"  {'Rejetées ':.<26} {_number(len(report.rejected))}", None))
    lines.append(("", None))
    lines.append((f"  {'':<14}{'formations':>12}{'actions':>12}{'sessions':>12}", None))
    for label, attribute in (
        ("Créées", "created"),
        ("Mises à jour", "updated"),
        ("Inchangées", "unchanged"),
        ("Fermées", "closed"),
        ("Rouvertes", "reopened"),
    ):
        counts = "".join(
            f"{_number(getattr(tally, attribute)):>12}"
            for tally in (report.formations, report.actions, report.sessions)
        )
        lines.append((f"  {label:<14}{counts}", None))
    providers = report.providers
    lines.append(
        (
            f"  Organismes : {_number(providers.created)} créé(s), {_number(providers.updated)} mis à jour, "
            f"{_number(providers.unchanged)} inchangé(s)",
            None,
        )
    )
    if report.warnings:
        lines += [("", None), ("Avertissements :", None)]
        for kind, count in report.warnings.most_common():
            samples = ", ".join(report.warning_samples.get(kind, []))
            lines.append((f"  {report.warning_label(kind)} : {_number(count)} ({samples})", None))
    for kind, heading in (
        ("created", "Créées"),
        ("updated", "Mises à jour"),
        ("reopened", "Rouvertes"),
        ("closed", "Fermées"),
        ("rejected", "Rejetées"),
    ):
        if not report.details[kind]:
            continue
        lines += [("", None), (f"{heading} :", None)]
        lines += [(f"  {line}", None) for line in report.details[kind]]
        if report.hidden[kind]:
            lines.append((f"  … et {_number(report.hidden[kind])} autre(s) (--verbosity 2 pour tout afficher)", None))
    lines.append(("", None))
    lines.append((f"Durée : {elapsed:.1f} s".replace(".", ","), None))
    if wet_run:
        lines.append(("Import enregistré.", "success"))
    else:
        lines.append(("Simulation : rien n'a été enregistré. Relancez avec --wet-run pour enregistrer.", "warning"))
    return lines


# ---------------------------------------------------------------------------------------------------------------
# The import


def import_offer(source, items, *, wet_run, report=None, batch_size=BATCH_SIZE, resolver=None, label="LHEO"):
    """Applies the records and rejections of `items` for `source` in one transaction, rolled back unless wet_run.
    Returns the ImportReport. An exception raised by the reader (a syntax error half-way) rolls everything back."""
    report = report or ImportReport(source=source)
    using = router.db_for_write(Formation)
    with transaction.atomic(using=using):
        importer = OfferImport(source, report, batch_size=batch_size, resolver=resolver, label=label)
        importer.run(items)
        ids = sorted(report.derived_formation_ids)
        themes.refresh_derived_themes(ids)
        indexed = set(ids)
        if report.renamed_provider_ids:
            indexed.update(
                Formation.objects.filter(provider_id__in=report.renamed_provider_ids, closed_at__isnull=True)
                .order_by()
                .values_list("id", flat=True)
            )
        search.index_formations(indexed)
        if not wet_run:
            transaction.set_rollback(True, using=using)
    return report


class OfferImport:
    """One run for one source (see the module's docstring). Call `run` inside a transaction."""

    def __init__(self, source, report, *, batch_size=BATCH_SIZE, resolver=None, label="LHEO"):
        self.source = source
        self.report = report
        self.batch_size = batch_size
        self.resolver = resolver
        self.label = label
        self.now = timezone.now()
        self.seen = {}  # source_id → line, for the formations of the file
        self.kept = set()  # source_ids of rejected formations: left as they are
        self.provider_ids = {}  # SIRET → id, providers met in this run
        self.provider_names = {}  # id → name
        self.formations = Table(Formation)
        self.actions = Table(Action)
        self.sessions = Table(Session)
        self.providers = Table(Provider)
        self.changes = Table(OfferChange)
        self.themes = Table(FormationTheme)
        self.rules = themes.default_rules()
        self.sessions_at_analyze = 0
        self.sessions_inserted = 0

    @property
    def note_source(self):
        return f"source « {self.source} »"

    def run(self, items):
        if self.resolver is None:
            self.resolver = CommuneResolver.from_database()
        self._analyze()
        report = self.report
        batch = []
        for item in items:
            report.read += 1
            if isinstance(item, Rejection):
                report.reject(item)
                if item.source_id:
                    self.kept.add(item.source_id)
                continue
            first = self.seen.get(item.source_id, False)
            if first is not False:
                where = f" (ligne {first})" if first else ""
                report.reject(Rejection(item.source_id, item.line, f"formation en double dans le fichier{where}"))
                continue
            self.seen[item.source_id] = item.line
            batch.append(item)
            if len(batch) >= self.batch_size:
                self._process(batch)
                batch = []
        if batch:
            self._process(batch)
        self._close_absent()

    def _analyze(self):
        """PostgreSQL plans the per-batch lookups from its table statistics: stale ones (a first import, a feed
        loaded minutes ago) make it scan whole tables for each batch. ANALYZE them at the start, and again each
        time this run has tripled the sessions table. (SQLite's plans do not depend on statistics.)"""
        connection = self.formations.connection
        if connection.vendor != "postgresql":
            return
        tables = ", ".join(table.table for table in (self.formations, self.actions, self.sessions))
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Session._meta.db_table])
            self.sessions_at_analyze = max(0, int(cursor.fetchone()[0]))
        self.sessions_inserted = 0

    # -----------------------------------------------------------------------------------------------------------
    # Providers

    def _providers(self, batch):
        wanted = {}
        for record in batch:
            siret = record.provider.siret
            if siret not in self.provider_ids and siret not in wanted:
                wanted[siret] = record.provider
        if not wanted:
            return
        existing = {
            row["siret"]: row
            for row in Provider.objects.filter(siret__in=list(wanted))
            .order_by()
            .values("id", "siret", *PROVIDER_FIELDS)
        }
        creates, updates = [], []
        for siret, provider in wanted.items():
            values = self._provider_values(provider)
            old = existing.get(siret)
            if old is None:
                creates.append({"siret": siret, **values, "qualiopi": bool(values["qualiopi"])})
                self.report.providers.created += 1
                continue
            self.provider_ids[siret] = old["id"]
            merged = {name: (values[name] if values[name] not in ("", None) else old[name]) for name in PROVIDER_FIELDS}
            self.provider_names[old["id"]] = merged["name"]
            if any(merged[name] != old[name] for name in PROVIDER_FIELDS):
                updates.append((old["id"], merged))
                self.report.providers.updated += 1
                if merged["name"] != old["name"]:
                    self.report.renamed_provider_ids.add(old["id"])
            else:
                self.report.providers.unchanged += 1
        self.providers.update(updates, PROVIDER_FIELDS, self.now)
        if creates:
            self.providers.insert(creates, self.now)
            for pk, siret, name in (
                Provider.objects.filter(siret__in=[row["siret"] for row in creates])
                .order_by()
                .values_list("id", "siret", "name")
            ):
                self.provider_ids[siret] = pk
                self.provider_names[pk] = name

    def _provider_values(self, provider):
        place = provider.place
        commune_id = None
        if place is not None:
            commune_id, _, _ = self.resolver.resolve(place, self.report)
        return {
            "name": provider.name[:255],
            "legal_name": provider.legal_name[:255],
            "nda": provider.nda,
            "address": place.street[:255] if place else "",
            "postal_code": place.postal_code if place else "",
            "commune_id": commune_id,
            "email": provider.email,
            "phone": provider.phone[:30],
            "website": provider.website,
            "qualiopi": provider.qualiopi,  # None: the feed does not say, the platform's value stays
        }

    # -----------------------------------------------------------------------------------------------------------
    # Rows

    def _formation_row(self, record, provider_id):
        return {
            "source": self.source,
            "source_id": record.source_id,
            "provider_id": provider_id,
            "title": record.title,
            "objective": record.objective,
            "expected_results": record.expected_results,
            "content": record.content,
            "certifying": record.certifying,
            "certifications": record.certifications,
            "formacodes": record.formacodes,
            "nsf_codes": record.nsf_codes,
            "rome_codes": record.rome_codes,
            "entry_level": record.entry_level,
            "exit_level": record.exit_level,
            "general_objective": record.general_objective,
            "course_type": record.course_type,
            "url": record.url,
        }

    def _action_row(self, action):
        place = action.place
        commune_id, latitude, longitude = self.resolver.resolve(place, self.report)
        return {
            "source_id": action.source_id,
            "modality": action.modality,
            "entry_mode": action.entry_mode,
            "rhythm": action.rhythm,
            "conditions": action.conditions,
            "price_total": action.price_total,
            "price_hourly": action.price_hourly,
            "hours_total": action.hours_total,
            "hours_centre": action.hours_centre,
            "hours_company": action.hours_company,
            "funders": action.funders,
            "cpf_eligible": action.cpf_eligible,
            "trainer_name": action.trainer_name,
            "trainer_siret": action.trainer_siret,
            "place_name": place.name[:255] if place else "",
            "address": place.address[:255] if place else "",
            "commune_id": commune_id,
            "latitude": latitude,
            "longitude": longitude,
        }

    @staticmethod
    def _session_row(session, action_row):
        return {
            "source_id": session.source_id,
            "start_date": session.start_date,
            "start_precision": session.start_precision,
            "end_date": session.end_date,
            "end_precision": session.end_precision,
            "recruitment_state": session.recruitment_state,
            "registration_address": session.registration_address,
            "commune_id": action_row["commune_id"],
            "latitude": action_row["latitude"],
            "longitude": action_row["longitude"],
        }

    # -----------------------------------------------------------------------------------------------------------
    # A batch

    def _process(self, batch):
        report = self.report
        self._providers(batch)
        existing_formations = {
            source_id: (pk, fp, closed_at)
            for pk, source_id, fp, closed_at in Formation.objects.filter(
                source=self.source, source_id__in=[record.source_id for record in batch]
            )
            .order_by()
            .values_list("id", "source_id", "fingerprint", "closed_at")
        }
        formation_ids = [value[0] for value in existing_formations.values()]
        existing_actions, existing_sessions = {}, {}
        if formation_ids:
            for pk, formation_id, source_id, fp, closed_at in (
                Action.objects.filter(formation_id__in=formation_ids)
                .order_by()
                .values_list("id", "formation_id", "source_id", "fingerprint", "closed_at")
            ):
                existing_actions[(formation_id, source_id)] = (pk, fp, closed_at)
            for pk, action_id, source_id, fp, closed_at in (
                Session.objects.filter(formation_id__in=formation_ids)
                .order_by()
                .values_list("id", "action_id", "source_id", "fingerprint", "closed_at")
            ):
                existing_sessions[(action_id, source_id)] = (pk, fp, closed_at)

        plan = _BatchPlan()
        seen_actions, seen_sessions = set(), set()
        existing = (existing_actions, existing_sessions, seen_actions, seen_sessions)
        for record in batch:
            for kind, sample in record.warnings:
                report.warn(kind, sample)
            provider_id = self.provider_ids[record.provider.siret]
            row = self._formation_row(record, provider_id)
            row["fingerprint"] = fingerprint(row, FORMATION_FIELDS)
            old = existing_formations.get(record.source_id)
            if old is None:
                formation_id = None
                plan.formation_state[record.source_id] = "created"
                plan.new_formations.append(row)
            else:
                formation_id, old_fp, closed_at = old
                if closed_at is not None:
                    plan.formation_state[record.source_id] = "reopened"
                    plan.changed_formations.append((formation_id, row))
                elif old_fp != row["fingerprint"]:
                    plan.formation_state[record.source_id] = "updated"
                    plan.changed_formations.append((formation_id, row))
                else:
                    plan.formation_state[record.source_id] = "unchanged"
            plan.records[record.source_id] = (record, formation_id)
            children = plan.children[record.source_id]
            for action in record.actions:
                self._plan_action(plan, record, formation_id, action, existing, children)

        # Actions and sessions of the batch's formations that the file no longer holds.
        for (formation_id, _source_id), (pk, _fp, closed_at) in existing_actions.items():
            if pk not in seen_actions and closed_at is None:
                plan.close_actions.append((formation_id, pk))
        action_formation = {pk: formation_id for (formation_id, _), (pk, _, _) in existing_actions.items()}
        for (action_id, _source_id), (pk, _fp, closed_at) in existing_sessions.items():
            if pk not in seen_sessions and closed_at is None:
                plan.close_sessions.append((action_formation.get(action_id), pk))
        self._write(plan)

    def _plan_action(self, plan, record, formation_id, action, existing, children):
        """Plans an action and its sessions; `existing` = (existing actions, existing sessions, ids of the
        actions seen, ids of the sessions seen)."""
        existing_actions, existing_sessions, seen, seen_sessions = existing
        row = self._action_row(action)
        row["fingerprint"] = fingerprint(row, ACTION_FIELDS)
        old = existing_actions.get((formation_id, action.source_id)) if formation_id else None
        action_id = None
        if old is None:
            plan.new_actions.append((record.source_id, row))
            children["actions_created"] += 1
        else:
            action_id, old_fp, closed_at = old
            seen.add(action_id)
            if closed_at is not None:
                plan.changed_actions.append((action_id, row))
                children["actions_reopened"] += 1
            elif old_fp != row["fingerprint"]:
                plan.changed_actions.append((action_id, row))
                children["actions_updated"] += 1
            else:
                children["actions_unchanged"] += 1
        for session in action.sessions:
            session_row = self._session_row(session, row)
            session_row["fingerprint"] = fingerprint(session_row, SESSION_FIELDS)
            old = existing_sessions.get((action_id, session.source_id)) if action_id else None
            if old is None:
                plan.new_sessions.append((record.source_id, action.source_id, session_row))
                children["sessions_created"] += 1
                continue
            session_id, old_fp, closed_at = old
            seen_sessions.add(session_id)
            if closed_at is not None:
                plan.changed_sessions.append((session_id, session_row))
                children["sessions_reopened"] += 1
            elif old_fp != session_row["fingerprint"]:
                plan.changed_sessions.append((session_id, session_row))
                children["sessions_updated"] += 1
            else:
                children["sessions_unchanged"] += 1

    def _write(self, plan):
        now = self.now
        report = self.report
        # Formations
        self.formations.insert(plan.new_formations, now)
        formation_ids = {source_id: formation_id for source_id, (_, formation_id) in plan.records.items()}
        if plan.new_formations:
            created = (
                Formation.objects.filter(
                    source=self.source, source_id__in=[row["source_id"] for row in plan.new_formations]
                )
                .order_by()
                .values_list("source_id", "id")
            )
            formation_ids.update(created)
        old_values = {}
        if plan.changed_formations:
            old_values = {
                row["id"]: row
                for row in Formation.objects.filter(id__in=[pk for pk, _ in plan.changed_formations])
                .order_by()
                .values("id", *FORMATION_FIELDS)
            }
            self.formations.update(
                [(pk, {**row, "closed_at": None}) for pk, row in plan.changed_formations],
                (*FORMATION_FIELDS, "fingerprint", "closed_at"),
                now,
            )
        self._derive_created([(formation_ids[row["source_id"]], row) for row in plan.new_formations])
        # Actions
        action_attnames = (*ACTION_FIELDS, "fingerprint", "closed_at")
        for formation_source_id, row in plan.new_actions:
            row["formation_id"] = formation_ids[formation_source_id]
        self.actions.insert([row for _, row in plan.new_actions], now)
        self.actions.update(
            [(pk, {**row, "closed_at": None}) for pk, row in plan.changed_actions], action_attnames, now
        )
        action_ids = {}
        if plan.new_sessions:
            wanted = {formation_ids[formation_source_id] for formation_source_id, _, _ in plan.new_sessions}
            for formation_id, source_id, pk in (
                Action.objects.filter(formation_id__in=wanted).order_by().values_list("formation_id", "source_id", "id")
            ):
                action_ids[(formation_id, source_id)] = pk
        # Sessions
        for formation_source_id, action_source_id, row in plan.new_sessions:
            formation_id = formation_ids[formation_source_id]
            row["formation_id"] = formation_id
            row["action_id"] = action_ids[(formation_id, action_source_id)]
        self.sessions.insert([row for _, _, row in plan.new_sessions], now)
        self.sessions_inserted += len(plan.new_sessions)
        if self.sessions_inserted > max(ANALYZE_MIN_ROWS, 2 * self.sessions_at_analyze):
            self._analyze()
        self.sessions.update(
            [(pk, {**row, "closed_at": None}) for pk, row in plan.changed_sessions],
            (*SESSION_FIELDS, "fingerprint", "closed_at"),
            now,
        )
        # Closings inside formations still in the file
        closed_actions = self.actions.close("id", [pk for _, pk in plan.close_actions], now)
        closed_sessions = self.sessions.close("id", [pk for _, pk in plan.close_sessions], now)
        report.actions.closed += closed_actions
        report.sessions.closed += closed_sessions
        closed_by_formation = Counter()
        for formation_id, _ in plan.close_actions:
            closed_by_formation[(formation_id, "actions_closed")] += 1
        for formation_id, _ in plan.close_sessions:
            closed_by_formation[(formation_id, "sessions_closed")] += 1
        self._account(plan, formation_ids, old_values, closed_by_formation)

    def _derive_created(self, rows):
        """The programme themes and search documents of the formations this batch created ([(id, row)]), from
        the rows at hand. (Those updated, reopened or closed are refreshed from the database at the end.)"""
        if not rows:
            return
        self.themes.insert(
            [
                {"formation_id": pk, "theme": theme, "origin": ThemeOrigin.DERIVED}
                for pk, row in rows
                for theme in sorted(
                    themes.derive_themes(**{name: row[name] for name in themes.DERIVED_FROM}, rules=self.rules)
                )
            ],
            self.now,
        )
        search.write_rows(
            self.formations.connection,
            (),
            [
                (pk, *(row[name] for name in search.INDEXED_FIELDS), self.provider_names[row["provider_id"]], None)
                for pk, row in rows
            ],
        )

    def _account(self, plan, formation_ids, old_values, closed_by_formation):
        """Counts, details, history and touched ids of a written batch."""
        report = self.report
        history = []
        for source_id, (record, _) in plan.records.items():
            formation_id = formation_ids[source_id]
            state = plan.formation_state[source_id]
            if state not in ("unchanged", "created"):  # created ones: see _derive_created
                report.derived_formation_ids.add(formation_id)
            children = plan.children[source_id]
            for kind in ("actions_closed", "sessions_closed"):
                children[kind] += closed_by_formation[(formation_id, kind)]
            for level, tally in (("actions", report.actions), ("sessions", report.sessions)):
                tally.created += children[f"{level}_created"]
                tally.updated += children[f"{level}_updated"]
                tally.unchanged += children[f"{level}_unchanged"]
                tally.reopened += children[f"{level}_reopened"]
            summary = "" if state == "created" else _children_summary(children)
            if state == "unchanged" and summary:
                state = "updated"
            if state == "created":
                report.formations.created += 1
                report.detail("created", self._created_line, source_id, record)
                history.append(
                    (formation_id, OfferChangeAction.CREATED, {}, f"Import {self.label}, {self.note_source}")
                )
            elif state == "unchanged":
                report.formations.unchanged += 1
                continue
            else:
                diff = {}
                old = old_values.get(formation_id)
                if old is not None:
                    diff = self._diff(old, plan.records[source_id][0], formation_id)
                parts = [f"{name} : {_readable(before)} → {_readable(after)}" for name, (before, after) in diff.items()]
                if summary:
                    parts.append(summary)
                if state == "reopened":
                    report.formations.reopened += 1
                    report.detail("reopened", f"↺ {source_id} {record.title} : de retour dans le fichier")
                    action, note = OfferChangeAction.REOPENED, f"De retour dans le fichier importé ({self.note_source})"
                else:
                    report.formations.updated += 1
                    report.detail("updated", f"~ {source_id} {record.title} — {' ; '.join(parts)}")
                    action, note = OfferChangeAction.IMPORTED, f"Import {self.label}, {self.note_source}"
                if summary:
                    note = f"{note} : {summary}"
                history.append((formation_id, action, diff, note[:255]))
            report.touched_formation_ids.add(formation_id)
        self.changes.insert(
            [
                {"formation_id": formation_id, "user_id": None, "action": action, "changes": changes, "note": note}
                for formation_id, action, changes, note in history
            ],
            self.now,
        )

    def _created_line(self, source_id, record):
        provider = self.provider_names.get(self.provider_ids[record.provider.siret], "")
        return f"+ {source_id} {record.title} ({provider})"

    def _diff(self, old, record, formation_id):
        """{verbose name: [before, after]} of the formation fields that changed, as people read them."""
        new = self._formation_row(record, self.provider_ids[record.provider.siret])
        diff = {}
        for name in FORMATION_FIELDS:
            before, after = old[name], new[name]
            if before == after:
                continue
            verbose = str(Formation._meta.get_field(name.removesuffix("_id")).verbose_name)
            diff[verbose] = [self._display(name, before), self._display(name, after)]
        return diff

    def _display(self, name, value):
        if value is None:
            return ""
        if name == "provider_id":
            if value not in self.provider_names:
                self.provider_names[value] = Provider.objects.filter(pk=value).values_list("name", flat=True).first()
            return self.provider_names[value] or str(value)
        if isinstance(value, bool):
            return "oui" if value else "non"
        if isinstance(value, list):
            return ", ".join(
                f"{item['type']} {item['code']}" if isinstance(item, dict) else str(item) for item in value
            )
        text = str(value)
        if name in LONG_TEXTS and len(text) > DETAIL_TEXT:
            text = text[: DETAIL_TEXT - 1].rstrip() + "…"
        return text

    # -----------------------------------------------------------------------------------------------------------
    # Formations gone from the file

    def _close_absent(self):
        report = self.report
        gone = [
            (pk, source_id, title)
            for pk, source_id, title in Formation.objects.filter(source=self.source, closed_at__isnull=True)
            .order_by()
            .values_list("id", "source_id", "title")
            .iterator(chunk_size=5000)
            if source_id not in self.seen and source_id not in self.kept
        ]
        if not gone:
            return
        ids = [pk for pk, _, _ in gone]
        report.formations.closed += self.formations.close("id", ids, self.now)
        report.actions.closed += self.actions.close("formation_id", ids, self.now)
        report.sessions.closed += self.sessions.close("formation_id", ids, self.now)
        note = f"Absente du fichier importé ({self.note_source})"
        for pk, source_id, title in gone:
            report.detail("closed", f"- {source_id} {title} : absente du fichier, fermée")
            report.touched_formation_ids.add(pk)
            report.derived_formation_ids.add(pk)
        self.changes.insert(
            [
                {"formation_id": pk, "user_id": None, "action": OfferChangeAction.CLOSED, "changes": {}, "note": note}
                for pk in ids
            ],
            self.now,
        )


class _BatchPlan:
    """What a batch will write, filled by OfferImport._process."""

    def __init__(self):
        self.records = {}  # source_id → (record, formation id or None)
        self.formation_state = {}  # source_id → created / updated / reopened / unchanged
        self.children = _Children()  # source_id → Counter of actions_* / sessions_*
        self.new_formations = []
        self.changed_formations = []  # (id, row)
        self.new_actions = []  # (formation source_id, row)
        self.changed_actions = []
        self.new_sessions = []  # (formation source_id, action source_id, row)
        self.changed_sessions = []
        self.close_actions = []  # (formation id, action id)
        self.close_sessions = []  # (formation id, session id)


class _Children(dict):
    def __missing__(self, key):
        self[key] = Counter()
        return self[key]


CHILD_WORDS = (
    ("created", "ajoutée", "ajoutées"),
    ("updated", "modifiée", "modifiées"),
    ("reopened", "rouverte", "rouvertes"),
    ("closed", "retirée", "retirées"),
)


def _children_summary(children):
    """'1 action ajoutée ; 2 sessions modifiées, 1 retirée' (empty when nothing below the formation changed)."""
    parts = []
    for level, singular, plural in (("actions", "action", "actions"), ("sessions", "session", "sessions")):
        words = []
        for kind, one, many in CHILD_WORDS:
            count = children[f"{level}_{kind}"]
            if count:
                noun = "" if words else f" {singular if count == 1 else plural}"
                words.append(f"{count}{noun} {one if count == 1 else many}")
        if words:
            parts.append(", ".join(words))
    return " ; ".join(parts)


def _readable(text):
    return "(vide)" if text == "" else text
