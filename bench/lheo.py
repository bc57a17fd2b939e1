"""LHEO benchmark: importing a regional training offer feed, then searching it, at real size.

    .venv/bin/python -m bench.lheo [--sessions 150000] [--requests 200]

1. Generates into bench/out/ the demo LHEO 2.3 feed (horizon/demo/lheo.py) with about 150,000 sessions (about 30,000
   formations). The file is reused while the generator, the size and the month are the same.
2. The floor: a bare streaming parse of that file (xml.etree iterparse counting sessions, each formation cleared once
   read): sessions per second.
3. For PostgreSQL (the web benchmark's database, when it answers) then SQLite (bench/out/lheo.sqlite3): prepares the
   database as bench/web.py does (migrate, territories, référentiels, static files), removes what a previous run
   imported, then runs `manage.py import_lheo FILE --source bench-lheo --wet-run` in a child process twice (a first
   import, then the same file again, nothing changed): sessions per second, ratio to the floor, peak memory of the
   child (ru_maxrss from os.wait4). Skipped, with a message, while the command does not exist.
4. Starts gunicorn with the production settings (bench/web.py) and times anonymous GETs of the public catalogue
   /formations/ (`scenarios()` below) against 150 ms at p95, after one request that reads how many formations the
   page found (a search on an empty catalogue measures nothing). A page that answers 404 or 500 is reported, and
   the benchmark goes on.
5. Before the server, in a child process on the same database: p50/p95 of `suggestions_for`
   (horizon/training/matching.py) for 50 structures with needs: those of bench/diagnostics.py's database when
   it is there, else demo structures given a submitted diagnostic here, as bench/diagnostics.py does.

Targets: import ≥ 30 % of the bare parse, peak memory < 300 MiB, search p95 < 150 ms.
"""

import argparse
import hashlib
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET
from datetime import date, timedelta

from bench import web

OUT = web.OUT
ROOT = web.ROOT
SOURCE = "bench-lheo"
SEED = 2026
SESSIONS_PER_FORMATION = 4.9  # of the generator, to size its provider pool
SQLITE_PATH = OUT / "lheo.sqlite3"
IMPORT_MODULE = "horizon.training.management.commands.import_lheo"
TARGET_RATIO = 0.30
TARGET_MEMORY_MIB = 300
IMPORT_TIMEOUT = 3600
SESSION_TAG = "session"
FORMATION_TAG = "formation"
MATCHING_STRUCTURES = 50
WARMUP_MATCHING = 3


def scenarios(today=None):
    """The timed pages: (label, GET parameters). The names are those of horizon/www/catalogue/forms.py
    (CatalogueFilterForm): change them here when the catalogue changes them."""
    today = today or date.today()
    rows = [
        ("Formations, sans filtre", {}),
        ("Formations, « management à distance »", {"q": "management à distance"}),
        ("Formations, thème management + Gironde", {"theme": "management", "departement": "33"}),
        (
            "Formations, « apprentissage » à 30 km de Bordeaux, par distance",
            {"q": "apprentissage", "commune": "33063", "rayon": "30", "tri": "distance"},
        ),
        (
            "Formations, Bordeaux Métropole, à distance, 3 prochains mois",
            {
                "epci": "243300316",
                "modalite": "2",
                "du": today.isoformat(),
                "au": (today + timedelta(days=90)).isoformat(),
            },
        ),
    ]
    return [
        web.Scenario(label, "/formations/" + (f"?{urllib.parse.urlencode(params)}" if params else ""), "liste")
        for label, params in rows
    ]


RESULT_COUNT = re.compile(r"data-result-count>\s*([\d\s\u00a0\u202f.]+?)\s*formation")


def result_count(body):
    """The number of formations a catalogue page says it found, or None when the page does not say it."""
    found = RESULT_COUNT.search(body.decode("utf-8", errors="replace"))
    return int(re.sub(r"\D", "", found.group(1))) if found else None


# --- The file ---------------------------------------------------------------------------------------------------


def _generator_version():
    digest = hashlib.sha256()
    for name in ("lheo.py", "lheo_data.py"):
        digest.update((ROOT / "horizon" / "demo" / name).read_bytes())
    return digest.hexdigest()[:12]


def generate(sessions):
    """The feed of about `sessions` sessions in bench/out/, generated unless an identical one is there."""
    from horizon.demo.lheo import reference_month, write_lheo

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"lheo-{sessions}.xml"
    meta_path = path.with_suffix(".json")
    key = {"version": _generator_version(), "sessions": sessions, "seed": SEED, "month": str(reference_month())}
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("key") == key and meta.get("bytes") == path.stat().st_size:
            return path, meta, False
    result = write_lheo(
        path, formations=round(sessions / SESSIONS_PER_FORMATION), sessions=sessions, seed=SEED, compress=False
    )
    meta = {
        "key": key,
        "formations": result.formations,
        "actions": result.actions,
        "sessions": result.sessions,
        "providers": result.providers,
        "bytes": result.bytes,
        "seconds": round(result.seconds, 2),
    }
    meta_path.write_text(json.dumps(meta))
    return path, meta, True


def bare_parse(path, repeat=2):
    """(sessions, best seconds) of a streaming parse that only counts sessions: the floor."""
    best, count = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = 0
        for _, element in ET.iterparse(path, events=("end",)):
            name = element.tag.rsplit("}", 1)[-1]
            if name == SESSION_TAG:
                count += 1
            elif name == FORMATION_TAG:
                element.clear()
        best = min(best, time.perf_counter() - started)
    return count, best


# --- Databases --------------------------------------------------------------------------------------------------


def databases():
    """[(DATABASE_URL, label)]: PostgreSQL when the web benchmark's server answers, then SQLite."""
    targets = []
    url, _ = web.choose_database()
    if url.startswith("postgres"):
        targets.append((url, "PostgreSQL"))
    else:
        print("  PostgreSQL ne répond pas (ou BENCH_DATABASE_URL désigne SQLite) : mesures sur SQLite seulement.")
    targets.append((f"sqlite:///{SQLITE_PATH}", "SQLite"))
    return targets


def database_step(action, env):
    """`clean` (remove what a previous run imported) or `analyze`, in a child process with Django."""
    command = [sys.executable, "-m", "bench.lheo", action]
    completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=IMPORT_TIMEOUT)
    if completed.returncode:
        raise web.BenchError(f"l'étape « {action} » a échoué :\n{completed.stderr[-2000:]}")
    return completed.stdout.strip()


def child_database_step(action):
    """Runs in the child process, Django set up with the server's settings."""
    import django

    django.setup()
    from django.db import connection

    from horizon.training.models import Formation, Session

    if action == "clean":
        deleted, _ = Formation.objects.filter(source=SOURCE).delete()
        print(f"{deleted} lignes supprimées")
        return
    if action == "matching":
        print(json.dumps(child_matching()))
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(json.dumps({"formations": Formation.objects.count(), "sessions": Session.objects.count()}))


def _structures_with_needs(count):
    """At least `count` demo structures with a submitted HR diagnostic that found needs: those of the database
    (bench/diagnostics.py leaves 20,000 on PostgreSQL), else created here as that benchmark does (the demo
    generator's bulk path, answers of horizon/diagnostics/samples.py scored by the real scoring)."""
    import random

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from bench.diagnostics import _generate
    from horizon.demo.generator import build_structures, insert_missing, load_lookups
    from horizon.diagnostics.enums import DIAGNOSTIC_CODE
    from horizon.diagnostics.models import Need
    from horizon.organisations.enums import StructureSource
    from horizon.organisations.models import Structure
    from horizon.questionnaires import catalogue
    from horizon.questionnaires.models import Response

    def with_needs():
        return Structure.objects.filter(
            source=StructureSource.DEMO, pk__in=Need.objects.current().values("structure_id")
        ).distinct()

    missing = count - with_needs().count()
    if missing > 0:
        call_command("publish_questionnaires", verbosity=0)
        version = catalogue.current_version(DIAGNOSTIC_CODE)
        demo = Structure.objects.filter(source=StructureSource.DEMO)
        wanted = demo.count() + missing * 2  # some diagnostics find no need
        insert_missing(build_structures(wanted, load_lookups()), batch_size=2000)
        candidates = list(
            demo.exclude(responses__version__code=DIAGNOSTIC_CODE).select_related("commune").order_by("pk")
        )[: missing * 2]
        with transaction.atomic():
            latest = _generate(version, candidates, random.Random(SEED), timezone.now() - timedelta(days=30))
            Response.objects.filter(pk__in=[response.pk for response in latest]).update(is_latest=True)
    return list(with_needs().select_related("commune").order_by("pk")[:count])


def child_matching():
    """Times `suggestions_for` (horizon/training/matching.py) on MATCHING_STRUCTURES structures with needs."""
    from horizon.training.matching import suggestions_for

    today = date.today()
    structures = _structures_with_needs(MATCHING_STRUCTURES)
    for structure in structures[:WARMUP_MATCHING]:
        suggestions_for(structure, today)
    timings, suggested = [], 0
    for structure in structures:
        started = time.perf_counter()
        suggestions = suggestions_for(structure, today)
        timings.append((time.perf_counter() - started) * 1000)
        suggested += bool(suggestions)
    return {"structures": len(structures), "with_suggestions": suggested, "ms": timings}


def matching_row(label, env):
    report = json.loads(database_step("matching", env).splitlines()[-1])
    timings = report["ms"]
    row = {"mesure": f"{label}, suggestions de formations (suggestions_for)", "requêtes": len(timings)}
    if not timings:
        row["résultat"] = "aucune structure avec des besoins"
        print(f"  {label} : {row['résultat']}")
        return row
    row.update(
        {
            "p50 (ms)": round(statistics.median(timings), 1),
            "p95 (ms)": round(web.percentile(timings, 0.95), 1),
            "max (ms)": round(max(timings), 1),
            "résultat": f"{report['with_suggestions']} structures sur {report['structures']} avec des suggestions",
        }
    )
    print(
        f"  {label} : suggestions_for sur {report['structures']} structures avec des besoins : "
        f"p50 {row['p50 (ms)']} ms, p95 {row['p95 (ms)']} ms ({row['résultat']})",
        flush=True,
    )
    return row


def import_available():
    return importlib.util.find_spec(IMPORT_MODULE) is not None


def timed_import(env, path, log_path):
    """(seconds, peak RSS in MiB, exit code) of `manage.py import_lheo` in a child process."""
    command = [sys.executable, "manage.py", "import_lheo", str(path), "--source", SOURCE, "--wet-run"]
    with log_path.open("w", encoding="utf-8") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait for it again
    return elapsed, usage.ru_maxrss / 1024, process.returncode


def _n(number):
    return f"{number:,.0f}".replace(",", " ")


def _percent(ratio):
    return f"{round(ratio * 100)} %"


def _rel(path):
    return path.relative_to(ROOT)


def import_rows(label, env, path, sessions, floor_rate):
    rows, failed = [], False
    for attempt, name in ((1, "import"), (2, "réimport (inchangé)")):
        log_path = OUT / f"lheo-import-{label.lower()}-{attempt}.log"
        print(f"  {label} : {name} de {path.name}…", flush=True)
        seconds, memory, code = timed_import(env, path, log_path)
        row = {"mesure": f"{label}, {name}"}
        if code:
            failed = True
            tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:] or [""]
            row["résultat"] = f"échec (code {code}, voir {_rel(log_path)}) : {tail[0][:120]}"
            print(f"    {row['résultat']}")
            rows.append(row)
            break
        rate = sessions / seconds
        ok = rate / floor_rate >= TARGET_RATIO and memory < TARGET_MEMORY_MIB
        row.update(
            {
                "sessions/s": round(rate),
                "durée (s)": round(seconds, 1),
                "import / lecture brute": _percent(rate / floor_rate),
                "mémoire max (Mio)": round(memory),
                "résultat": "OK" if ok else "SOUS LA CIBLE",
            }
        )
        print(
            f"    {seconds:.1f} s, {_n(rate)} sessions/s ({_percent(rate / floor_rate)} de la lecture brute), "
            f"mémoire max {memory:.0f} Mio"
        )
        rows.append(row)
    return rows, failed


def search_rows(label, env, requests, empty=False):
    port = web.free_port()
    print(f"  {label} : gunicorn ({web.WORKERS} workers) sur 127.0.0.1:{port}, {requests} requêtes par page…")
    process = web.start_server(env, port)
    rows = []
    try:
        client = web.Client(port)  # anonymous: the catalogue is public
        for scenario in scenarios():
            first = client.get(scenario.path)
            found = result_count(first.body) if first.status == 200 else None
            row = web.measure(client, scenario, requests)
            row["scénario"] = f"{label}, {row['scénario']}"
            row["trouvées"] = "—" if found is None else found
            if empty and not row["résultat"].startswith("erreur"):
                row["résultat"] = "sans valeur : catalogue vide"
            elif found == 0 and not row["résultat"].startswith("erreur"):
                row["résultat"] += " (aucune formation trouvée)"
            print(
                f"    {row['scénario']} : {row['trouvées']} formations trouvées, "
                f"p50 {row.get('p50 (ms)', '—')} ms, p95 {row.get('p95 (ms)', '—')} ms ({row['résultat']})",
                flush=True,
            )
            rows.append(row)
    finally:
        web.stop_server(process)
        log = OUT / f"gunicorn-lheo-{label.lower()}.log"  # the next server overwrites gunicorn.log
        if web.SERVER_LOG.exists():
            log.write_bytes(web.SERVER_LOG.read_bytes())
    if any(row["résultat"].startswith("erreur") for row in rows):
        print(f"    erreurs du serveur : {_rel(log)}")
    return rows


# --- Run --------------------------------------------------------------------------------------------------------


def run(sessions=150_000, requests=200):
    print(f"Banc LHEO : fichier d'environ {_n(sessions)} sessions, {requests} requêtes par page.")
    path, meta, generated = generate(sessions)
    size = meta["bytes"] / 1e6
    how = f"généré en {meta['seconds']:.1f} s" if generated else "réutilisé"
    print(
        f"  fichier {_rel(path)} ({size:.0f} Mo, {how}) : {_n(meta['formations'])} formations, "
        f"{_n(meta['actions'])} actions, {_n(meta['sessions'])} sessions, {_n(meta['providers'])} organismes"
    )
    rows = [
        {
            "mesure": "Fichier LHEO 2.3 généré",
            "résultat": f"{_n(meta['formations'])} formations, {_n(meta['sessions'])} sessions, {size:.0f} Mo ({how})",
        }
    ]
    count, seconds = bare_parse(path)
    floor_rate = count / seconds
    print(f"  lecture brute (iterparse) : {seconds:.1f} s, {_n(floor_rate)} sessions/s")
    rows.append(
        {"mesure": "Lecture brute (iterparse)", "sessions/s": round(floor_rate), "durée (s)": round(seconds, 1)}
    )

    available = import_available()
    if not available:
        print("  La commande import_lheo n'existe pas encore : import sauté.")
        rows.append({"mesure": "Import LHEO", "résultat": "sauté (commande import_lheo absente)"})
    failures = []
    for url, label in databases():
        env = web.server_env(url)
        started = time.perf_counter()
        print(f"  {label} : préparation de la base…", flush=True)
        web.run_prepare(0, env)
        if available:
            print(f"    {database_step('clean', env)} (import précédent)")
        print(f"    base prête en {time.perf_counter() - started:.0f} s")
        if available:
            found, failed = import_rows(label, env, path, meta["sessions"], floor_rate)
            rows += found
            if failed:
                failures.append(label)
        counts = json.loads(database_step("analyze", env).splitlines()[-1])
        catalogue = f"{counts['formations']} formations, {counts['sessions']} sessions en base"
        print(f"  {label} : {catalogue}")
        rows.append({"mesure": f"{label}, catalogue", "résultat": catalogue})
        rows.append(matching_row(label, env))
        rows += search_rows(label, env, requests, empty=not counts["sessions"])

    print()
    columns = ["mesure", "sessions/s", "durée (s)", "import / lecture brute", "mémoire max (Mio)"]
    columns += ["trouvées", "requêtes", "p50 (ms)", "p95 (ms)", "max (ms)", "cible p95 (ms)", "résultat"]
    print(web.format_table([{"mesure": r.get("mesure") or r.get("scénario"), **r} for r in rows], columns))
    print(
        f"\nCibles : import ≥ {_percent(TARGET_RATIO)} de la lecture brute, mémoire < {TARGET_MEMORY_MIB} Mio, "
        f"recherche p95 < {web.TARGETS_MS['liste']} ms."
    )
    if failures:
        raise web.BenchError(f"l'import LHEO a échoué ({', '.join(failures)}) : voir les journaux dans bench/out/.")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description="Banc LHEO d'Horizon ESS : import du flux et recherche.")
    parser.add_argument("action", nargs="?", choices=["run", "clean", "analyze", "matching"], default="run")
    parser.add_argument("--sessions", type=int, default=150_000, help="sessions du fichier généré")
    parser.add_argument("--requests", type=int, default=200, help="requêtes chronométrées par page")
    args = parser.parse_args(argv)
    if args.action in ("clean", "analyze", "matching"):
        child_database_step(args.action)
        return 0
    if min(args.sessions, args.requests) < 1:
        parser.error("--sessions et --requests doivent être positifs.")
    try:
        run(args.sessions, args.requests)
    except web.BenchError as error:
        print(f"Banc LHEO interrompu : {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
