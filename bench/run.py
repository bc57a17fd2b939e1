"""`make bench`: run every benchmark present and print a summary table.

    .venv/bin/python -m bench.run [--only web|sirene|diagnostics|lheo] [--structures 30000] [--requests 200]
                              [--sirene-rows 1000000] [--diagnostics 20000] [--lheo-sessions 150000]

Each option also reads an environment variable: BENCH_ONLY (comma-separated), BENCH_STRUCTURES,
BENCH_REQUESTS, BENCH_SIRENE_ROWS, BENCH_DIAGNOSTICS, BENCH_LHEO_SESSIONS. A benchmark module exposes `run(...)`,
which prints its own figures and may return result rows (a list of dicts, or a dict) for the summary.
"""

import argparse
import importlib
import importlib.util
import os
import sys
import time
import traceback

from bench.web import BenchError, format_table


def _env_int(name, default):
    return int(os.environ.get(name) or default)


def _run_web(args):
    from bench import web

    return web.run(structures=args.structures, requests=args.requests)


def _run_sirene(args):
    sirene = importlib.import_module("bench.sirene")
    return sirene.run(args.sirene_rows)


def _run_diagnostics(args):
    diagnostics = importlib.import_module("bench.diagnostics")
    return diagnostics.run(structures=args.structures, diagnostics=args.diagnostics, requests=args.requests)


def _run_lheo(args):
    lheo = importlib.import_module("bench.lheo")
    return lheo.run(sessions=args.lheo_sessions, requests=args.requests)


# name → (module, runner, French title)
BENCHES = {
    "sirene": ("bench.sirene", _run_sirene, "Import SIRENE"),
    "web": ("bench.web", _run_web, "Pages web (gunicorn)"),
    "diagnostics": ("bench.diagnostics", _run_diagnostics, "Diagnostics RH"),
    "lheo": ("bench.lheo", _run_lheo, "Import LHEO et recherche"),
}


def _summary_rows(name, result):
    """Whatever a benchmark returned, as rows of the summary table."""
    if isinstance(result, dict):
        result = [{"mesure": key, "valeur": value} for key, value in result.items()]
    if not result:
        return [{"banc": name, "mesure": "(pas de chiffres renvoyés : voir plus haut)"}]
    rows = []
    for item in result:
        row = dict(item) if isinstance(item, dict) else {"mesure": str(item)}
        measure = row.pop("mesure", None) or row.pop("scénario", "")
        rows.append({"banc": name, "mesure": measure, **row})
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description="Bancs d'essai d'Horizon ESS (voir bench/README.md).")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(BENCHES),
        help="ne lancer que ce banc (option répétable ; variable BENCH_ONLY, séparée par des virgules)",
    )
    parser.add_argument(
        "--structures",
        type=int,
        default=_env_int("BENCH_STRUCTURES", 30_000),
        help="structures dans la base du banc web (défaut : %(default)s)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=_env_int("BENCH_REQUESTS", 200),
        help="requêtes chronométrées par scénario web (défaut : %(default)s)",
    )
    parser.add_argument(
        "--sirene-rows",
        type=int,
        default=_env_int("BENCH_SIRENE_ROWS", 1_000_000),
        help="lignes du fichier SIRENE généré (défaut : %(default)s)",
    )
    parser.add_argument(
        "--diagnostics",
        type=int,
        default=_env_int("BENCH_DIAGNOSTICS", 20_000),
        help="diagnostics envoyés dans la base du banc des diagnostics (défaut : %(default)s)",
    )
    parser.add_argument(
        "--lheo-sessions",
        type=int,
        default=_env_int("BENCH_LHEO_SESSIONS", 150_000),
        help="sessions du fichier LHEO généré pour le banc d'import (défaut : %(default)s)",
    )
    args = parser.parse_args(argv)
    only = args.only or [name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()]
    unknown = set(only) - set(BENCHES)
    if unknown:
        parser.error(f"banc inconnu : {', '.join(sorted(unknown))}")
    if min(args.structures, args.requests, args.sirene_rows, args.diagnostics, args.lheo_sessions) < 1:
        parser.error(
            "--structures, --requests, --sirene-rows, --diagnostics et --lheo-sessions doivent être des nombres positifs."
        )

    summary, failures = [], 0
    for name, (module, runner, title) in BENCHES.items():
        if only and name not in only:
            continue
        if importlib.util.find_spec(module) is None:
            print(f"== {title} : module {module} absent, banc sauté.\n")
            summary.append({"banc": name, "mesure": "absent", "résultat": "sauté"})
            continue
        print(f"== {title}")
        started = time.perf_counter()
        try:
            result = runner(args)
        except BenchError as error:
            failures += 1
            print(f"Banc {name} interrompu : {error}", file=sys.stderr)
            summary.append({"banc": name, "mesure": "interrompu", "résultat": str(error).splitlines()[0]})
        except Exception as error:  # one benchmark failing must not hide the others' figures
            failures += 1
            traceback.print_exc()
            summary.append({"banc": name, "mesure": "erreur", "résultat": f"{type(error).__name__}: {error}"})
        else:
            summary.extend(_summary_rows(name, result))
        print(f"== {title} : {time.perf_counter() - started:.0f} s\n")

    columns = ["banc", "mesure"]
    for row in summary:
        columns += [key for key in row if key not in columns and key not in {"url", "résultat"}]
    columns.append("résultat")
    print("Résumé")
    print(format_table(summary, columns) if summary else "aucun banc lancé")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
