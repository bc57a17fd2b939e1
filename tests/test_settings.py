"""Production settings refuse to start without a secret key and carry the security baseline."""

import os
import subprocess
import sys
from pathlib import Path

from django.db import DatabaseError
from django.test import override_settings

from tests.factories.accounts import UserFactory

ROOT = Path(__file__).resolve().parent.parent


def _load_production_settings(**env):
    clean_env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings.base as s; print(s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.DEMO_ACCOUNTS)",
        ],
        cwd=ROOT,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
    )


def test_production_settings_refuse_to_start_without_secret_key():
    result = _load_production_settings()
    assert result.returncode != 0
    assert "SECRET_KEY est obligatoire" in result.stderr


def test_production_settings_are_secure_by_default():
    result = _load_production_settings(SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "31536000", "False"]


def test_pages_carry_a_content_security_policy(client, db):
    response = client.get("/healthz")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_healthz_answers_503_when_the_database_is_down(client, db, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise DatabaseError("connexion refusée")

    monkeypatch.setattr("horizon.www.home.views.connection", BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503


@override_settings(DEBUG=False)
def test_error_pages_are_in_french(client, db):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code in (302, 404)
    client.force_login(UserFactory())
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    response = client.get("/structures/")
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_server_error_page_is_french_and_needs_no_database(rf):
    from horizon.www.home.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()


def test_healthz_answers_ok_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
