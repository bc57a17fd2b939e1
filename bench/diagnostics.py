"""Diagnostic benchmark: scoring and storing a submitted diagnostic, the restitution page and its PDF, and the
aggregates page, timed with 20,000 submitted diagnostics.

1. Prepares the web benchmark's database (see bench/web.py: PostgreSQL when it answers, 30,000 structures), then
   publishes the questionnaires and gives 20,000 of the structures a submitted HR diagnostic, one in ten of them
   a previous one too. Answers come from horizon.diagnostics.samples at levels drawn per theme, scored by the
   real scoring function and bulk-inserted (responses, levels per theme, needs). Runs in a child process
   (`python -m bench.diagnostics prepare`) with the server's settings.
2. In that child, times `questionnaires.services.submit` (score + store + needs + history) on 50 diagnostics.
3. Starts gunicorn with the production settings, logs in as the coordinator and times the restitution page of a
   diagnostic that has a previous one, its PDF, and the aggregates page for several filters.
"""

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta

from bench import web

PREPARE_REPORT = web.OUT / "diagnostics-prepare.json"
SUBMIT_SAMPLES = 50
PDF_REQUESTS = 30
BATCH = 2000


def _levels(rng, dimensions):
    base = rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4])
    levels = {}
    for code in dimensions:
        level = min(max(base + rng.choice([-1, 0, 0, 1]), 0), 4)
        levels[code] = None if rng.random() < 0.03 else level
    return levels


def _generate(version, structures, rng, when):
    """Bulk-insert one submitted diagnostic per structure; returns the responses created."""
    from horizon.diagnostics.models import Need
    from horizon.diagnostics.needs import needed_themes
    from horizon.diagnostics.samples import answers_for_levels
    from horizon.questionnaires import catalogue, scoring
    from horizon.questionnaires.enums import ResponseStatus
    from horizon.questionnaires.models import DimensionResult, Response
    from horizon.questionnaires.services import dimension_results

    definition = version.content
    dimensions = [dimension["code"] for dimension in definition["dimensions"]]
    responses, scores = [], []
    for structure in structures:
        variant = catalogue.variant_for(definition, structure)
        answers = answers_for_levels(definition, variant, _levels(rng, dimensions), flagged=rng.sample(dimensions, 1))
        scores.append(scoring.score(definition, answers, variant))
        responses.append(
            Response(
                version=version,
                structure=structure,
                variant=variant,
                status=ResponseStatus.SUBMITTED,
                answers=answers,
                submitted_at=when,
            )
        )
    Response.objects.bulk_create(responses, batch_size=BATCH)
    results, needs = [], []
    for response, score in zip(responses, scores, strict=True):
        results += dimension_results(response, score)
        needs += [
            Need(response=response, structure_id=response.structure_id, theme=theme, dimensions=codes)
            for theme, codes in needed_themes(definition, score).items()
        ]
    DimensionResult.objects.bulk_create(results, batch_size=BATCH)
    Need.objects.bulk_create(needs, batch_size=BATCH)
    return responses


def prepare(structures, diagnostics):
    """Runs in the child process, Django set up with the server's settings."""
    web.prepare(structures)  # sets Django up, builds the structures and the coordinator account
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from horizon.diagnostics.enums import DIAGNOSTIC_CODE
    from horizon.diagnostics.samples import answers_for_levels
    from horizon.organisations.enums import StructureSource
    from horizon.organisations.models import Structure
    from horizon.questionnaires import catalogue, services
    from horizon.questionnaires.models import Response

    call_command("publish_questionnaires", verbosity=0)
    version = catalogue.current_version(DIAGNOSTIC_CODE)
    rng = random.Random(2026)
    started = time.perf_counter()
    diagnosed = Response.objects.of(DIAGNOSTIC_CODE).filter(is_latest=True)
    missing = diagnostics - diagnosed.count()
    created = 0
    if missing > 0:
        print(f"  génération de {missing} diagnostics envoyés…", flush=True)
        candidates = list(
            Structure.objects.filter(source=StructureSource.DEMO)
            .exclude(responses__version__code=DIAGNOSTIC_CODE)
            .select_related("commune")
            .order_by("pk")[:missing]
        )
        now = timezone.now()
        with transaction.atomic():
            earlier = _generate(version, candidates[: len(candidates) // 10], rng, now - timedelta(days=400))
            latest = _generate(version, candidates, rng, now - timedelta(days=30))
            Response.objects.filter(pk__in=[response.pk for response in latest]).update(is_latest=True)
        created = len(earlier) + len(latest)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    generation = time.perf_counter() - started

    # Score and store, as the submit button does it, on structures that already have a diagnostic.
    samples = list(diagnosed.select_related("structure").order_by("?")[:SUBMIT_SAMPLES])
    timings = []
    for previous in samples:
        response = services.start(version, previous.structure, None, variant=previous.variant)
        levels = _levels(rng, [dimension["code"] for dimension in version.content["dimensions"]])
        response.answers = answers_for_levels(version.content, response.variant, levels)
        response.save(update_fields=["answers"])
        begin = time.perf_counter()
        services.submit(response, None)
        timings.append((time.perf_counter() - begin) * 1000)

    with_previous = (
        diagnosed.filter(structure__responses__is_latest=False, structure__responses__version__code=DIAGNOSTIC_CODE)
        .values_list("pk", flat=True)
        .first()
    )
    report = {
        "generation_s": generation,
        "created": created,
        "diagnostics": diagnosed.count(),
        "submit_ms": timings,
        "restitution_pk": with_previous or diagnosed.values_list("pk", flat=True).first(),
    }
    PREPARE_REPORT.write_text(json.dumps(report))
    return report


def run_prepare(structures, diagnostics, env):
    web.OUT.mkdir(parents=True, exist_ok=True)
    PREPARE_REPORT.unlink(missing_ok=True)
    command = [
        sys.executable,
        *("-m", "bench.diagnostics", "prepare"),
        *("--structures", str(structures), "--diagnostics", str(diagnostics)),
    ]
    completed = subprocess.run(command, cwd=web.ROOT, env=env, timeout=3600, check=False)
    if completed.returncode != 0 or not PREPARE_REPORT.exists():
        raise web.BenchError("la préparation de la base a échoué (voir les messages ci-dessus).")
    return json.loads(PREPARE_REPORT.read_text())


def scenarios(restitution_pk):
    return [
        web.Scenario("Restitution d'un diagnostic (avec évolution)", f"/diagnostics/{restitution_pk}/", "restitution"),
        web.Scenario("PDF de la restitution", f"/diagnostics/{restitution_pk}/restitution.pdf", "pdf"),
        web.Scenario("Statistiques, sans filtre", "/diagnostics/statistiques/", "agrégats"),
        web.Scenario("Statistiques, département 33", "/diagnostics/statistiques/?departement=33", "agrégats"),
        web.Scenario(
            "Statistiques, 33 + centres sociaux",
            "/diagnostics/statistiques/?departement=33&secteur=centres_sociaux",
            "agrégats",
        ),
        web.Scenario(
            "Statistiques, Bordeaux Métropole", "/diagnostics/statistiques/?departement=33&epci=243300316", "agrégats"
        ),
    ]


def run(structures=30_000, diagnostics=20_000, requests=200):
    database_url, database_label = web.choose_database()
    print(f"Banc diagnostics : base {database_label}, {diagnostics} diagnostics envoyés, {requests} requêtes.")
    env = web.server_env(database_url)
    report = run_prepare(structures, diagnostics, env)
    submit = report["submit_ms"]
    rows = [
        {
            "scénario": "Préparation",
            "résultat": f"{report['diagnostics']} diagnostics ; {report['created']} générés en "
            f"{report['generation_s']:.1f} s",
        },
        {
            "scénario": f"Calcul et enregistrement d'un diagnostic envoyé ({len(submit)} envois)",
            "requêtes": len(submit),
            "p50 (ms)": round(statistics.median(submit), 1),
            "p95 (ms)": round(web.percentile(submit, 0.95), 1),
            "max (ms)": round(max(submit), 1),
            "résultat": "mesuré dans le processus (services.submit)",
        },
    ]
    port = web.free_port()
    process = web.start_server(env, port)
    try:
        client = web.Client(port)
        client.login(web.COORDINATOR_EMAIL, web.COORDINATOR_PASSWORD)
        for scenario in scenarios(report["restitution_pk"]):
            count = PDF_REQUESTS if scenario.kind == "pdf" else requests
            row = web.measure(client, scenario, count)
            print(f"  {row['scénario']} : p95 {row.get('p95 (ms)', '—')} ms ({row['résultat']})", flush=True)
            rows.append(row)
    finally:
        web.stop_server(process)
    print()
    print(web.format_table(rows, web.COLUMNS))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description="Banc des diagnostics RH d'Horizon ESS.")
    parser.add_argument("action", nargs="?", choices=["run", "prepare"], default="run")
    parser.add_argument("--structures", type=int, default=30_000)
    parser.add_argument("--diagnostics", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)
    if args.action == "prepare":
        prepare(args.structures, args.diagnostics)
        return 0
    try:
        run(args.structures, args.diagnostics, args.requests)
    except web.BenchError as error:
        print(f"Banc diagnostics interrompu : {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
