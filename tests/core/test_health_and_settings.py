import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def test_healthz_ok(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"


def test_healthz_reports_a_dead_broker_with_503(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["broker"]["status"] == "error"
    assert body["checks"]["database"]["status"] == "ok"


def test_healthz_answers_503_to_a_signed_in_person_while_the_database_is_down(client, student):
    """Their session lives in the database: neither the middleware reading it nor the request's
    log line (which names the signed-in person) may turn the health view's 503 into a 500."""
    from unittest import mock

    from django.db import OperationalError
    from django.db.backends.base.base import BaseDatabaseWrapper

    client.force_login(student)
    down = OperationalError("connection to server at 127.0.0.1 failed")
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=down):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {
        "status": "error",
        "error": "OperationalError",
        "ms": response.json()["checks"]["database"]["ms"],
    }


def test_a_hanging_database_is_given_up_on_after_a_few_seconds(settings):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL connection option")
    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == 5
    shown = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres?connect_timeout=9",
    )
    assert "'connect_timeout': 9" in shown.stdout, shown.stderr


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    dropped = ("SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_the_default_secret_key():
    result = run_manage("check", DEBUG="False")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_passes_the_deployment_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="False",
        SECRET_KEY="x" * 20 + "a-real-random-looking-secret-key-for-the-test-0123456789",
        ALLOWED_HOSTS="tandem.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_example_secret_key():
    result = run_manage(
        "check",
        DEBUG="False",
        SECRET_KEY="change-me-to-a-long-random-string-of-at-least-fifty-characters-please",
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
