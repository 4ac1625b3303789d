"""A real Celery worker consuming from Redis, against the test database."""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
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


class FolderSink:
    """An SMTP server's message handler: each message received becomes a file in a folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        self.count += 1
        recipients = ", ".join(envelope.rcpt_tos)
        content = envelope.content.decode("utf-8", errors="replace").replace("\r\n", "\n")
        path = self.folder / f"{time.time_ns()}-{self.count}.log"
        path.with_suffix(".tmp").write_text(f"X-Envelope-To: {recipients}\n{content}")
        path.with_suffix(".tmp").rename(path)  # readers never see half a message
        return "250 Message accepted for delivery"


@pytest.fixture(scope="session")
def smtp_sink(tmp_path_factory):
    """A real SMTP server on loopback (aiosmtpd); yields (port, folder of received messages)."""
    folder = tmp_path_factory.mktemp("smtp-sink")
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(FolderSink(folder), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, folder
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, smtp_sink):
    """Start `celery worker` as a subprocess on its own queue, sending email by SMTP to the
    sink; yield (queue, folder where the sink writes each message it receives)."""
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
    smtp_port, mail_dir = smtp_sink
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_QUEUE": queue,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
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
