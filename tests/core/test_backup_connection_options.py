"""`make backup` / `make restore` against a managed PostgreSQL: DATABASE_URL's query options
(`?sslmode=require&…`) reach pg_dump, pg_restore and psql through libpq's environment variables,
the password never appears on a command line, and options libpq cannot take that way are refused
before anything runs. pg_dump & co. are stand-ins here; `test_backup_restore.py` runs the real ones.
"""

import io
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


class Script(io.BytesIO):
    """psql's stdin. psql runs what it was fed when it sees the end of it (stdin closed while it
    still runs), and with `programs.psql_fails_after` set, stops at an error after so many bytes.
    """

    def __init__(self, process: "Process", programs: "Programs"):
        super().__init__()
        self.process, self.programs = process, programs

    def write(self, data):
        limit = self.programs.psql_fails_after
        if limit is not None and self.tell() + len(data) > limit:
            self.process.finish(3, b"psql:<stdin>:12: ERROR:  other objects depend on it\n")
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(data)

    def close(self):
        if not self.closed and self.process.returncode is None:
            self.programs.scripts.append(self.getvalue())
            self.process.finish(0)
        super().close()


class Process:
    """Stands in for a running pg_restore (its stdout: the script; it exits once that has been
    read) or psql (its stdin: a Script)."""

    def __init__(self, programs: "Programs", command: list[str], stderr):
        self.killed = False
        self.returncode: int | None = None
        self.stderr = stderr
        self.stdin = self.stdout = None
        if command[0] == "pg_restore":
            self.stdout = io.BytesIO(programs.script)
            self.exit = programs.pg_restore_fails or (0, b"")
        else:
            self.stdin = Script(self, programs)

    def finish(self, returncode: int, message: bytes = b"") -> None:
        self.returncode = returncode
        self.stderr.write(message)

    def poll(self):
        output = self.stdout
        writing = self.returncode is None and output is not None and not output.closed
        if writing and output.tell() == len(output.getvalue()):  # all of it has been read
            self.finish(*self.exit)
        return self.returncode

    def wait(self, timeout=None):
        assert self.poll() is not None, "would wait for ever: the program is still running"
        return self.returncode

    def kill(self):
        self.killed = True
        if self.returncode is None:
            self.returncode = -9


class Programs:
    """Stands in for subprocess.run and subprocess.Popen: records each command with its
    environment, writes what pg_dump would (the --file argument), gives pg_restore's script on
    its stdout and keeps what psql is fed on its stdin."""

    def __init__(self):
        self.calls: list[tuple[list[str], dict[str, str]]] = []
        self.scripts: list[bytes] = []
        self.processes: dict[str, Process] = {}
        self.script = PREAMBLE_17 + BODY
        self.pg_restore_fails: tuple[int, bytes] | None = None
        self.psql_fails_after: int | None = None

    def __call__(self, command, *, env, **kwargs):
        self.calls.append((list(command), dict(env)))
        if "--file" in command:
            Path(command[command.index("--file") + 1]).write_bytes(b"PGDMP")
        return subprocess.CompletedProcess(command, 0, stdout="", stderr="")

    def popen(self, command, *, env, stderr, **kwargs):
        self.calls.append((list(command), dict(env)))
        self.processes[command[0]] = Process(self, command, stderr)
        return self.processes[command[0]]

    def called(self, program: str) -> tuple[list[str], dict[str, str]]:
        (call,) = [call for call in self.calls if call[0][0] == program]
        return call


@pytest.fixture
def programs(monkeypatch):
    fake = Programs()
    monkeypatch.setattr(backups.subprocess, "run", fake)
    monkeypatch.setattr(backups.subprocess, "Popen", fake.popen)
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
    # Streamed from pg_restore's stdout to psql's stdin: no script is written to disk.
    assert script_command[script_command.index("--file") + 1] == "-"
    assert command[command.index("--file") + 1] == "-"
    assert not any(process.killed for process in programs.processes.values())


def test_a_failing_pg_restore_stops_the_restore_through_psql(programs, monkeypatch, tmp_path):
    """pg_restore stops halfway (a damaged dump): psql is killed before it sees the end of the
    script, so its transaction is never committed, and the restore fails with pg_restore's error.
    """
    use_database_url(monkeypatch, MANAGED_URL)
    backup = create_backup(tmp_path / "backups")
    monkeypatch.setattr(backups, "_server_version", lambda: 150020)
    programs.script = PREAMBLE_17 + BODY[:60]
    programs.pg_restore_fails = (1, b"pg_restore: error: could not read from input file\n")
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "kept.txt").write_text("kept")

    with pytest.raises(BackupError, match=r"^pg_restore failed: .*could not read from input"):
        restore_backup(backup, Target(media_root=tmp_path / "media"))

    assert programs.processes["psql"].killed
    assert programs.scripts == []  # psql never saw the end of the script
    assert programs.processes["psql"].stdin.closed  # no pipe left open
    assert programs.processes["pg_restore"].stdout.closed
    assert (tmp_path / "media" / "kept.txt").read_text() == "kept"


def test_psql_stopping_at_an_error_stops_pg_restore(programs, monkeypatch, tmp_path):
    """psql stops at the first error and closes its stdin: feeding it stops, pg_restore (still
    writing the script) is killed, and the restore fails with psql's error."""
    use_database_url(monkeypatch, MANAGED_URL)
    backup = create_backup(tmp_path / "backups")
    monkeypatch.setattr(backups, "_server_version", lambda: 150020)
    programs.psql_fails_after = len(PREAMBLE_17)

    with pytest.raises(BackupError, match=r"^psql failed: .*depend on it"):
        restore_backup(backup, Target(media_root=tmp_path / "media"))

    assert programs.processes["pg_restore"].killed
    assert not programs.processes["psql"].killed  # it had stopped by itself
    assert programs.scripts == []
    assert programs.processes["psql"].stdin.closed
    assert programs.processes["pg_restore"].stdout.closed


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
