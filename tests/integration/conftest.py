"""A real Celery worker consuming from Redis, against the test database."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection

from partnerships.celery import app as celery_app
from tests.conftest import needs_service

ROOT = Path(__file__).resolve().parents[2]


def redis_url_or_skip() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        needs_service("Redis", "set REDIS_URL to run tests with a real Celery worker")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        needs_service("Redis", f"{url} did not answer PING ({exc.__class__.__name__})")
    return url


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """Start `celery worker` as a subprocess on its own queue; yield (queue, mail folder)."""
    redis_url = redis_url_or_skip()
    with django_db_blocker.unblock():
        db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        needs_service("PostgreSQL", "a worker process needs a shared database (set DATABASE_URL)")
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or 'localhost'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    queue = f"tandem-test-{uuid.uuid4().hex[:8]}"
    name = f"{queue}@localhost"
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_QUEUE": queue,
        "EMAIL_URL": f"filemail://{mail_dir}",
        "DEBUG": "True",
    }
    log = open(mail_dir.parent / f"{queue}.log", "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "partnerships",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "-n",
            name,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(
                    f"Celery worker exited early; log: {Path(log.name).read_text()[-2000:]}"
                )
            if celery_app.control.ping(destination=[name], timeout=0.5):
                break
        else:
            pytest.fail(
                f"Celery worker did not answer ping; log: {Path(log.name).read_text()[-2000:]}"
            )
        yield queue, mail_dir
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        redis.Redis.from_url(redis_url).delete(queue)


@pytest.fixture
def real_worker(celery_worker, settings):
    """Send tasks to the real worker instead of running them in-process."""
    queue, mail_dir = celery_worker
    for old in mail_dir.glob("*.log"):
        old.unlink()
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    celery_app.conf.task_always_eager = False
    return mail_dir
