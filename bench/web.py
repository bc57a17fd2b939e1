"""Web benchmark: the registry's list page and the commune autocomplete, timed at real size.

1. Prepares a database: PostgreSQL (BENCH_DATABASE_URL, or postgres://postgres@127.0.0.1:5432/horizon_bench
   when that server answers) or else an SQLite file in bench/out/; migrate, territories, référentiels,
   static files, 30,000 structures (the demo generator's bulk path) and a coordinator account.
   This step runs in a child process (`python -m bench.web prepare`), with the server's settings.
2. Starts gunicorn (`config.wsgi`, 2 workers) on 127.0.0.1 with the production settings
   (config.settings.base) and a few environment variables.
3. Logs in as the coordinator with urllib and a cookie jar, then times N sequential requests per
   scenario and prints p50 / p95 / max against the targets.

The server runs exactly the production settings, secure cookies included: the client does what the
TLS-terminating reverse proxy does in production, i.e. it sends `X-Forwarded-Proto: https` (which
`SECURE_PROXY_SSL_HEADER` trusts) and keeps the Secure cookies. So no bench settings module is needed.
"""

import argparse
import http.cookiejar
import json
import math
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/horizon_bench"
SQLITE_PATH = OUT / "web.sqlite3"
PREPARE_REPORT = OUT / "web-prepare.json"
SERVER_LOG = OUT / "gunicorn.log"

COORDINATOR_EMAIL = "coordinateur@bench.horizon.test"
COORDINATOR_PASSWORD = "banc-essai-horizon"  # only ever in the local benchmark database
LOGIN_PATH = "/compte/connexion/"
HEALTH_PATH = "/healthz"
WORKERS = 2

TARGETS_MS = {"liste": 150, "autocomplétion": 30, "restitution": 200, "pdf": 2000, "agrégats": 300}
SERVER_START_TIMEOUT = 60
REQUEST_TIMEOUT = 30
SCENARIO_BUDGET_S = 90  # a scenario stops after this long, whatever its number of requests
WARMUP = 5


@dataclass(frozen=True)
class Scenario:
    label: str
    path: str
    kind: str  # a key of TARGETS_MS


SCENARIOS = [
    Scenario("Structures, sans filtre", "/structures/", "liste"),
    Scenario("Structures, département 33", "/structures/?departement=33", "liste"),
    Scenario("Structures, recherche « centre social »", "/structures/?q=centre+social", "liste"),
    Scenario(
        "Structures, 33 + centres sociaux, tri, page 3",
        "/structures/?departement=33&secteur=centres_sociaux&tri=-maj&page=3",
        "liste",
    ),
    Scenario("Communes « bor »", "/territoires/communes/?q=bor", "autocomplétion"),
    Scenario("Communes « saint »", "/territoires/communes/?q=saint", "autocomplétion"),
    Scenario("Communes « 33000 »", "/territoires/communes/?q=33000", "autocomplétion"),
    Scenario("Communes « pau »", "/territoires/communes/?q=pau", "autocomplétion"),
]


class BenchError(Exception):
    """The benchmark could not run to the end; the message says why, in French."""


# --- Database ------------------------------------------------------------------------------


def _postgres_reachable(url):
    try:
        import psycopg
    except ImportError:
        return False
    maintenance = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(maintenance, connect_timeout=3, autocommit=True) as connection:
            name = url.rsplit("/", 1)[1]
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        return False
    return True


def choose_database():
    """(DATABASE_URL, French label) for the benchmark database."""
    if os.environ.get("BENCH_DATABASE_URL"):
        url = os.environ["BENCH_DATABASE_URL"]
        return url, f"{'SQLite' if url.startswith('sqlite') else 'PostgreSQL'} (BENCH_DATABASE_URL)"
    if _postgres_reachable(DEFAULT_PG_URL):
        return DEFAULT_PG_URL, f"PostgreSQL ({DEFAULT_PG_URL})"
    OUT.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{SQLITE_PATH}", f"SQLite ({SQLITE_PATH.relative_to(ROOT)})"


def server_env(database_url):
    """The environment of the production settings, pointed at the benchmark database."""
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "DEBUG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL=database_url,
        SECRET_KEY=env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(OUT / "static"),
        MEDIA_ROOT=str(OUT / "media"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def prepare(structures):
    """Runs in the child process, Django set up with the server's settings."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from horizon.accounts.models import User
    from horizon.demo.generator import build_structures, ensure_programme, insert_missing, load_lookups
    from horizon.organisations.enums import StructureSource
    from horizon.organisations.models import Structure
    from horizon.programmes.enums import ProgrammeRole
    from horizon.programmes.models import ProgrammeMembership

    timings = {}
    for label, command in [
        ("migrate", ["migrate", "--no-input"]),
        ("load_territories", ["load_territories"]),
        ("load_referentials", ["load_referentials"]),
        ("collectstatic", ["collectstatic", "--no-input"]),
    ]:
        started = time.perf_counter()
        print(f"  {' '.join(command)}…", flush=True)
        call_command(*command, verbosity=0)
        timings[label] = time.perf_counter() - started

    started = time.perf_counter()
    existing = Structure.objects.filter(source=StructureSource.DEMO).count()
    created = 0
    if existing < structures:
        print(f"  génération de {structures - existing} structures…", flush=True)
        created = len(insert_missing(build_structures(structures, load_lookups()), batch_size=2000))
    # Statistics as autovacuum would have them on a live database after a bulk load.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["structures"] = time.perf_counter() - started

    user = User.objects.filter(email=COORDINATOR_EMAIL).first() or User(email=COORDINATOR_EMAIL)
    if not user.pk or not user.check_password(COORDINATOR_PASSWORD):
        user.first_name, user.last_name = "Banc", "d'essai"
        user.set_password(COORDINATOR_PASSWORD)
        user.save()
    ProgrammeMembership.objects.get_or_create(user=user, programme=ensure_programme(), role=ProgrammeRole.COORDINATOR)

    report = {
        "timings": timings,
        "structures_created": created,
        "structures_total": Structure.objects.count(),
    }
    PREPARE_REPORT.write_text(json.dumps(report))
    return report


def run_prepare(structures, env):
    OUT.mkdir(parents=True, exist_ok=True)
    PREPARE_REPORT.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench.web", "prepare", "--structures", str(structures)]
    completed = subprocess.run(command, cwd=ROOT, env=env, timeout=3600, check=False)
    if completed.returncode != 0 or not PREPARE_REPORT.exists():
        raise BenchError("la préparation de la base a échoué (voir les messages ci-dessus).")
    return json.loads(PREPARE_REPORT.read_text())


# --- Server --------------------------------------------------------------------------------


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(lines=20):
    if not SERVER_LOG.exists():
        return ""
    return "\n".join(SERVER_LOG.read_text(errors="replace").splitlines()[-lines:])


def start_server(env, port):
    log = SERVER_LOG.open("w")
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "60",
        "--no-control-socket",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    client = Client(port)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn s'est arrêté au démarrage :\n{_log_tail()}")
        try:
            if client.get(HEALTH_PATH).status == 200:
                return process
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    stop_server(process)
    raise BenchError(f"gunicorn ne répond pas après {SERVER_START_TIMEOUT} s :\n{_log_tail()}")


def stop_server(process):
    if process.poll() is None:
        process.terminate()  # gunicorn's master stops its workers on SIGTERM
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# --- Client --------------------------------------------------------------------------------


class _BehindTlsProxy(http.cookiejar.DefaultCookiePolicy):
    """Send Secure cookies over plain HTTP: the client plays the TLS-terminating proxy (127.0.0.1 only)."""

    def return_ok_secure(self, cookie, request):
        return True


@dataclass
class Response:
    status: int
    path: str  # final path, after redirects
    body: bytes


class _FormParser(HTMLParser):
    """The inputs of each <form> of a page: [{"action": …, "method": …, "inputs": [(name, type, value)]}]."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "method": attrs.get("method", "get"), "inputs": []})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["inputs"].append((attrs["name"], attrs.get("type", "text"), attrs.get("value") or ""))


class Client:
    """urllib with a cookie jar, only ever to 127.0.0.1, never through a proxy."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.origin = f"https://127.0.0.1:{port}"  # what the browser sees behind the proxy
        self.jar = http.cookiejar.CookieJar(policy=_BehindTlsProxy())
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(self.jar)
        )
        self.opener.addheaders = [("X-Forwarded-Proto", "https"), ("User-Agent", "horizon-bench")]

    def _url(self, path):
        url = urllib.parse.urljoin(self.base + "/", path)
        if not url.startswith(self.base + "/"):
            raise BenchError(f"adresse refusée (hors 127.0.0.1) : {url}")
        return url

    def request(self, path, data=None, headers=None):
        request = urllib.request.Request(self._url(path), data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                return Response(response.status, urllib.parse.urlsplit(response.geturl()).path, response.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, urllib.parse.urlsplit(error.geturl()).path, error.read())

    def get(self, path):
        return self.request(path)

    def login(self, email, password):
        page = self.get(LOGIN_PATH)
        if page.status != 200:
            raise BenchError(f"la page de connexion {LOGIN_PATH} répond {page.status}.")
        parser = _FormParser()
        parser.feed(page.body.decode("utf-8", errors="replace"))
        form = next((f for f in parser.forms if any(kind == "password" for _, kind, _ in f["inputs"])), None)
        if form is None:
            raise BenchError(f"pas de formulaire de connexion sur {LOGIN_PATH}.")
        fields = {}
        for name, kind, value in form["inputs"]:
            if kind == "password":
                fields[name] = password
            elif kind == "email" or name in {"username", "email"}:
                fields[name] = email
            elif kind not in {"submit", "button", "checkbox", "radio"}:
                fields[name] = value  # csrfmiddlewaretoken, next…
        action = urllib.parse.urljoin(LOGIN_PATH, form["action"] or LOGIN_PATH)
        response = self.request(
            action,
            data=urllib.parse.urlencode(fields).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": self.origin + LOGIN_PATH,  # Django checks it on HTTPS requests
            },
        )
        if response.status != 200 or response.path == LOGIN_PATH:
            raise BenchError(f"la connexion de {email} a échoué (HTTP {response.status}, page {response.path}).")


# --- Measures ------------------------------------------------------------------------------


def percentile(values, fraction):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


def measure(client, scenario, requests):
    """Time `requests` sequential GETs (after a short warm-up). Stops at the first error or after the budget."""
    expected_path = urllib.parse.urlsplit(scenario.path).path
    for _ in range(WARMUP):
        client.get(scenario.path)
    timings, error, note = [], "", ""
    deadline = time.monotonic() + SCENARIO_BUDGET_S
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(scenario.path)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            error = f"erreur HTTP {response.status}"
            break
        if response.path != expected_path:
            error = f"erreur : redirigé vers {response.path}"
            break
        timings.append(elapsed)
        if time.monotonic() > deadline and len(timings) < requests:
            note = f" (arrêté après {SCENARIO_BUDGET_S} s)"
            break
    target = TARGETS_MS[scenario.kind]
    row = {"scénario": scenario.label, "url": scenario.path, "requêtes": len(timings)}
    if timings:
        row.update(
            {
                "p50 (ms)": round(statistics.median(timings), 1),
                "p95 (ms)": round(percentile(timings, 0.95), 1),
                "max (ms)": round(max(timings), 1),
            }
        )
    row["cible p95 (ms)"] = target
    row["résultat"] = error or ("OK" if percentile(timings, 0.95) < target else "trop lent") + note
    return row


def format_table(rows, columns):
    widths = [max(len(str(c)), *(len(str(r.get(c, ""))) for r in rows)) for c in columns]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(str(row.get(c, "")).ljust(w) for c, w in zip(columns, widths, strict=True)))
    return "\n".join(lines)


COLUMNS = ["scénario", "requêtes", "p50 (ms)", "p95 (ms)", "max (ms)", "cible p95 (ms)", "résultat"]


def run(structures=30_000, requests=200):
    """Prepare, serve, measure, stop. Returns the result rows (one per scenario, plus the preparation)."""
    database_url, database_label = choose_database()
    print(f"Banc web : base {database_label}, {structures} structures, {requests} requêtes par scénario.")
    env = server_env(database_url)
    started = time.perf_counter()
    report = run_prepare(structures, env)
    print(
        f"Base prête en {time.perf_counter() - started:.1f} s "
        f"({report['structures_total']} structures, dont {report['structures_created']} créées maintenant "
        f"en {report['timings']['structures']:.1f} s)."
    )
    preparation = {
        "scénario": "Préparation de la base",
        "résultat": (
            f"{report['structures_total']} structures ; {report['structures_created']} générées "
            f"en {report['timings']['structures']:.1f} s"
        ),
    }
    port = free_port()
    print(f"Démarrage de gunicorn ({WORKERS} workers) sur 127.0.0.1:{port}…")
    process = start_server(env, port)
    rows = []
    try:
        client = Client(port)
        client.login(COORDINATOR_EMAIL, COORDINATOR_PASSWORD)
        for scenario in SCENARIOS:
            row = measure(client, scenario, requests)
            print(f"  {row['scénario']} : p95 {row.get('p95 (ms)', '—')} ms ({row['résultat']})", flush=True)
            rows.append(row)
    finally:
        stop_server(process)
    print()
    print(format_table(rows, COLUMNS))
    return [preparation, *rows]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Banc web d'Horizon ESS (liste des structures, communes).")
    parser.add_argument("action", nargs="?", choices=["run", "prepare"], default="run")
    parser.add_argument("--structures", type=int, default=30_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)
    if args.action == "prepare":
        prepare(args.structures)
        return 0
    try:
        run(args.structures, args.requests)
    except BenchError as error:
        print(f"Banc web interrompu : {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
