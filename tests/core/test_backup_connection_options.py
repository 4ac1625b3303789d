"""`make backup` / `make restore` against a managed PostgreSQL: DATABASE_URL's query options
(`?sslmode=require&…`) reach pg_dump, pg_restore and psql through libpq's environment variables,
the password never appears on a command line, and options libpq cannot take that way are refused
before anything runs. pg_dump & co. are stand-ins here; `test_backup_restore.py` runs the real ones.
"""

import json
import shutil
import subprocess
from pathlib import Path

import environ
import pytest
from django.conf import settings

from partnerships.core import backups
from partnerships.core.backups import BackupError, Target, create_backup, restore_backup

MANAGED_URL = (
    "postgres://tandem:s%40cret%20pw@db.example.ac.uk:25060/tandem"
    "?sslmode=verify-full&sslrootcert=/etc/ssl/managed-ca.pem&connect_timeout=10"
    "&application_name=tandem-backup&options=-c%20statement_timeout%3D0"
)
EXPECTED_ENVIRONMENT = {
    "PGSSLMODE": "verify-full",
    "PGSSLROOTCERT": "/etc/ssl/managed-ca.pem",
    "PGCONNECT_TIMEOUT": "10",
    "PGAPPNAME": "tandem-backup",
    "PGOPTIONS": "-c statement_timeout=0",
    "PGPASSWORD": "s@cret pw",
}
PREAMBLE_17 = (
    b"--\n-- PostgreSQL database dump\n--\n\n\\restrict abc123\n\nBEGIN;\n\n"
    b"SET statement_timeout = 0;\nSET lock_timeout = 0;\n"
    b"SET idle_in_transaction_session_timeout = 0;\nSET transaction_timeout = 0;\n"
    b"SET client_encoding = 'UTF8';\nSELECT pg_catalog.set_config('search_path', '', false);\n"
    b"SET client_min_messages = warning;\n\n"
)
BODY = (
    b"DROP TABLE IF EXISTS public.notes;\nCREATE TABLE public.notes (body text);\n"
    b"COPY public.notes (body) FROM stdin;\nSET transaction_timeout = 0;\n\\.\n\n"
    b"COMMIT;\n\n\\unrestrict abc123\n"
)


class Programs:
    """Stands in for subprocess.run: records each command with its environment, and writes what
    pg_dump / pg_restore would (the --file argument)."""

    def __init__(self):
        self.calls: list[tuple[list[str], dict[str, str]]] = []
        self.scripts: list[bytes] = []

    def __call__(self, command, *, env, **kwargs):
        self.calls.append((list(command), dict(env)))
        if "--file" in command:
            path = Path(command[command.index("--file") + 1])
            if command[0] == "psql":
                self.scripts.append(path.read_bytes())
            else:
                path.write_bytes(PREAMBLE_17 + BODY if command[0] == "pg_restore" else b"PGDMP")
        return subprocess.CompletedProcess(command, 0, stdout="", stderr="")

    def called(self, program: str) -> tuple[list[str], dict[str, str]]:
        (call,) = [call for call in self.calls if call[0][0] == program]
        return call


@pytest.fixture
def programs(monkeypatch):
    fake = Programs()
    monkeypatch.setattr(backups.subprocess, "run", fake)
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(backups, "_engine", lambda: "postgresql")
    return fake


def use_database_url(monkeypatch, url: str) -> None:
    """DATABASES["default"] as settings.py builds it from this DATABASE_URL (django-environ)."""
    config = environ.Env.db_url_config(url)
    default = settings.DATABASES["default"]
    for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT"):
        monkeypatch.setitem(default, key, config[key])
    monkeypatch.setitem(default, "OPTIONS", config.get("OPTIONS", {}))


def assert_password_only_in_environment(command: list[str], env: dict[str, str]) -> None:
    assert env["PGPASSWORD"] == "s@cret pw"
    assert not any("s@cret" in argument or "cret%20pw" in argument for argument in command)


def test_url_options_reach_pg_dump_through_the_environment(programs, monkeypatch, tmp_path):
    use_database_url(monkeypatch, MANAGED_URL)
    backup = create_backup(tmp_path)

    command, env = programs.called("pg_dump")
    assert {name: env.get(name) for name in EXPECTED_ENVIRONMENT} == EXPECTED_ENVIRONMENT
    assert command[command.index("--dbname") + 1] == "tandem"
    assert command[command.index("--host") + 1] == "db.example.ac.uk"
    assert command[command.index("--port") + 1] == "25060"
    assert command[command.index("--username") + 1] == "tandem"
    # Nothing of the query string is on the command line (visible in `ps`).
    assert not any(value in " ".join(command) for value in ("verify-full", "managed-ca", "-c st"))
    assert_password_only_in_environment(command, env)
    assert json.loads((backup / "manifest.json").read_text())["engine"] == "postgresql"


def test_url_options_reach_pg_restore_on_postgresql_17_and_later(programs, monkeypatch, tmp_path):
    use_database_url(monkeypatch, MANAGED_URL)
    backup = create_backup(tmp_path / "backups")
    monkeypatch.setattr(backups, "_server_version", lambda: 170006)

    restore_backup(backup, Target(database="tandem_check", media_root=tmp_path / "media-check"))

    command, env = programs.called("pg_restore")
    assert {name: env.get(name) for name in EXPECTED_ENVIRONMENT} == EXPECTED_ENVIRONMENT
    assert command[command.index("--dbname") + 1] == "tandem_check"
    assert {"--single-transaction", "--exit-on-error", "--clean"} <= set(command)
    assert command[-1] == str(backup / "database.dump")
    assert_password_only_in_environment(command, env)
    assert [call[0][0] for call in programs.calls] == ["pg_dump", "pg_restore"]


def test_restore_into_an_older_server_runs_through_psql_without_newer_settings(
    programs, monkeypatch, tmp_path
):
    """pg_restore 17+ sets transaction_timeout, which PostgreSQL 15 and 16 refuse: the script goes
    to psql without that line, still in one transaction, stopping at the first error."""
    use_database_url(monkeypatch, MANAGED_URL)
    backup = create_backup(tmp_path / "backups")
    monkeypatch.setattr(backups, "_server_version", lambda: 150020)

    restore_backup(backup, Target(media_root=tmp_path / "media-check"))

    script_command, _ = programs.called("pg_restore")
    assert "--single-transaction" in script_command and "--dbname" not in script_command
    command, env = programs.called("psql")
    assert {name: env.get(name) for name in EXPECTED_ENVIRONMENT} == EXPECTED_ENVIRONMENT
    assert command[command.index("--set") + 1] == "ON_ERROR_STOP=1"
    assert command[command.index("--dbname") + 1] == "tandem"
    assert command[command.index("--host") + 1] == "db.example.ac.uk"
    assert_password_only_in_environment(command, env)
    (script,) = programs.scripts
    assert script == PREAMBLE_17.replace(b"SET transaction_timeout = 0;\n", b"") + BODY
    assert b"SET transaction_timeout = 0;\n\\." in script  # table data is never edited
    assert not Path(command[command.index("--file") + 1]).exists()  # the temporary script


def test_options_in_the_url_win_over_the_inherited_environment(programs, monkeypatch, tmp_path):
    monkeypatch.setenv("PGSSLMODE", "disable")
    monkeypatch.setenv("PGAPPNAME", "shell")
    use_database_url(monkeypatch, "postgres://tandem@db.example.ac.uk/tandem?sslmode=require")
    create_backup(tmp_path)
    _, env = programs.called("pg_dump")
    assert env["PGSSLMODE"] == "require"
    assert env["PGAPPNAME"] == "shell"  # not in the URL: inherited, as the app's libpq sees it


def test_pgsslmode_in_the_environment_still_works_without_url_options(
    programs, monkeypatch, tmp_path
):
    monkeypatch.setenv("PGSSLMODE", "require")
    use_database_url(monkeypatch, "postgres://tandem@db.example.ac.uk/tandem")
    create_backup(tmp_path)
    _, env = programs.called("pg_dump")
    assert env["PGSSLMODE"] == "require"


@pytest.mark.parametrize(
    ("query", "refused"),
    [
        ("keepalives_idle=30", "keepalives_idle"),  # libpq has no environment variable for it
        ("sslmode=require&sslmdoe=verify-full", "sslmdoe"),  # a typo is not silently ignored
        ("tcp_user_timeout=1000&bogus=1", "bogus, tcp_user_timeout"),
    ],
)
def test_options_that_cannot_be_passed_on_are_refused_before_anything_runs(
    programs, monkeypatch, tmp_path, query, refused
):
    use_database_url(monkeypatch, f"postgres://tandem@db.example.ac.uk/tandem?{query}")
    with pytest.raises(BackupError, match=rf"cannot be given: {refused} \(") as error:
        create_backup(tmp_path / "backups")
    assert "Remove them from DATABASE_URL" in str(error.value)
    assert not (tmp_path / "backups").exists()
    assert programs.calls == []


def test_a_refused_option_stops_a_restore_before_it_starts(programs, monkeypatch, tmp_path):
    use_database_url(monkeypatch, MANAGED_URL)
    backup = create_backup(tmp_path / "backups")
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "kept.txt").write_text("kept")
    use_database_url(monkeypatch, f"{MANAGED_URL}&keepalives=1")
    with pytest.raises(BackupError, match="keepalives"):
        restore_backup(backup, Target(media_root=tmp_path / "media"))
    assert [call[0][0] for call in programs.calls] == ["pg_dump"]
    assert (tmp_path / "media" / "kept.txt").read_text() == "kept"
