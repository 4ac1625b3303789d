"""Backups of the database and uploaded files, and restoring them.

A backup is a directory: ``database.dump`` (``pg_dump`` custom format) or ``database.sqlite3``,
``media.tar.gz`` (every uploaded file: under ``MEDIA_ROOT``, or in the bucket when uploads live in
one, ``MEDIA_BUCKET``) and ``manifest.json`` (what, when, SHA-256 of each file). Restore checks
the manifest before touching anything, so a truncated or altered backup is refused instead of
half-restored.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # pg_dump / pg_restore / psql, with argument lists, never a shell
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import connection, connections

MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar.gz"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why, in plain words."""


@dataclass(frozen=True)
class Target:
    """Where a restore writes: a database (by name, same server) and a media directory."""

    database: str | None = None
    media_root: Path | None = None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _engine() -> str:
    vendor = connections["default"].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


# libpq's connection keywords that DATABASE_URL's query string may carry (django-environ puts
# `?sslmode=require&…` in OPTIONS, which the app's own connections use), and the environment
# variable libpq reads for each (the "Environment Variables" section of the libpq docs). pg_dump,
# pg_restore and psql get them through the environment, like the password: nothing new on their
# command lines, and they connect exactly as the app does. An explicit keyword beats a variable
# already in the environment for the app, so these values replace inherited ones here too.
LIBPQ_ENVIRONMENT = {
    "application_name": "PGAPPNAME",
    "channel_binding": "PGCHANNELBINDING",
    "client_encoding": "PGCLIENTENCODING",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "gssdelegation": "PGGSSDELEGATION",
    "gssencmode": "PGGSSENCMODE",
    "gsslib": "PGGSSLIB",
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "krbsrvname": "PGKRBSRVNAME",
    "load_balance_hosts": "PGLOADBALANCEHOSTS",
    "options": "PGOPTIONS",
    "passfile": "PGPASSFILE",
    "password": "PGPASSWORD",
    "port": "PGPORT",
    "require_auth": "PGREQUIREAUTH",
    "requirepeer": "PGREQUIREPEER",
    "service": "PGSERVICE",
    "ssl_max_protocol_version": "PGSSLMAXPROTOCOLVERSION",
    "ssl_min_protocol_version": "PGSSLMINPROTOCOLVERSION",
    "sslcert": "PGSSLCERT",
    "sslcertmode": "PGSSLCERTMODE",
    "sslcompression": "PGSSLCOMPRESSION",
    "sslcrl": "PGSSLCRL",
    "sslcrldir": "PGSSLCRLDIR",
    "sslkey": "PGSSLKEY",
    "sslmode": "PGSSLMODE",
    "sslnegotiation": "PGSSLNEGOTIATION",
    "sslrootcert": "PGSSLROOTCERT",
    "sslsni": "PGSSLSNI",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "user": "PGUSER",
}
# OPTIONS that Django or the driver consume and that do not change how a client connects.
DRIVER_ONLY_OPTIONS = frozenset(
    {"context", "cursor_factory", "isolation_level", "pool", "prepare_threshold",
     "server_side_binding"}
)  # fmt: skip


def _libpq(database: str | None = None) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for pg_dump / pg_restore / psql from Django's settings:
    the password and DATABASE_URL's options go through the environment, never the command line.
    An option that cannot be passed on (libpq has no variable for it, e.g. keepalives, or it is
    not libpq's) is refused here, before anything runs, rather than silently dropped."""
    db = settings.DATABASES["default"]
    options = db.get("OPTIONS") or {}
    refused = sorted(set(options) - set(LIBPQ_ENVIRONMENT) - DRIVER_ONLY_OPTIONS)
    if refused:
        raise BackupError(
            f"DATABASE_URL has options that pg_dump / pg_restore cannot be given: "
            f"{', '.join(refused)} (libpq reads no environment variable for them, or does not "
            f"know them). Remove them from DATABASE_URL to back up or restore."
        )
    args = ["--dbname", database or db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    env.update({LIBPQ_ENVIRONMENT[key]: str(value) for key, value in options.items()
                if key in LIBPQ_ENVIRONMENT})  # fmt: skip
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _installed(program: str) -> None:
    if shutil.which(program) is None:
        raise BackupError(
            f"{program} is not installed (Debian: apt-get install postgresql-client)."
        )


def _run(command: list[str], env: dict[str, str]) -> None:
    _installed(command[0])
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")


# pg_restore 17 and later start every restore with `SET transaction_timeout = 0`, a setting
# PostgreSQL 17 introduced: an older server refuses it, and with --exit-on-error the whole restore
# fails. The image's client is newer than the bundled PostgreSQL 15 (pg_dump must be at least as new
# as any server it backs up), so into an older server the restore goes through psql instead, with
# that one line taken out of pg_restore's script.
TRANSACTION_TIMEOUT_SINCE = 170000
SETTINGS_UNKNOWN_BEFORE_17 = (b"SET transaction_timeout = 0;",)
# What pg_restore writes before the first object: comments, psql's \restrict, BEGIN and settings.
PREAMBLE_LINES = (b"--", b"\\", b"BEGIN;", b"SET ", b"SELECT pg_catalog.set_config(")


def _server_version() -> int:
    """The database server's version number, e.g. 150020 for 15.20 (same server as restores)."""
    return connections["default"].pg_version


def _without_newer_settings(script: IO[bytes]) -> Iterator[bytes]:
    """pg_restore's SQL script, as it comes, without the settings an older server does not know.
    Only the preamble is filtered, line by line: the rest, table data that happens to look the
    same included, passes through untouched, in chunks (a row of COPY data can be huge)."""
    for line in script:
        statement = line.strip()
        if statement in SETTINGS_UNKNOWN_BEFORE_17:
            continue
        yield line
        if statement and not statement.startswith(PREAMBLE_LINES):
            break
    yield from iter(lambda: script.read(1 << 16), b"")


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    """Kill the process if it is still running, reap it and close our ends of its pipes."""
    if process is None:
        return
    if process.poll() is None:
        process.kill()
    process.wait()
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            with contextlib.suppress(BrokenPipeError):  # unflushed input of a dead psql
                pipe.close()


def _errors(output: IO[bytes]) -> str:
    output.seek(0)
    return output.read().decode(errors="replace").strip()[:2000]


def _restore_through_psql(database: Path, args: list[str], env: dict[str, str]) -> None:
    """pg_restore writes the restore as a script (one transaction: BEGIN … COMMIT) to a pipe, and
    psql runs it as it comes, stopping at the first error, so a failed restore still changes
    nothing and the script never takes disk space. Their stderr goes to temporary files, not
    pipes: a pipe nobody reads fills up and blocks its writer for ever."""
    restore_command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                       "--single-transaction", "--file", "-", str(database)]  # fmt: skip
    psql_command = ["psql", "--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1",
                    "--output", os.devnull, "--file", "-", *args]  # fmt: skip
    _installed("pg_restore")
    _installed("psql")
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as psql_errors:
        psql_stopped = False
        restore = subprocess.Popen(  # noqa: S603
            restore_command, stdout=subprocess.PIPE, stderr=restore_errors, env=env
        )
        try:
            psql = subprocess.Popen(  # noqa: S603
                psql_command,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=psql_errors,
                env=env,
            )
            try:
                assert restore.stdout is not None and psql.stdin is not None  # both are pipes
                for chunk in _without_newer_settings(restore.stdout):
                    psql.stdin.write(chunk)
                # psql gets the end of the script only if pg_restore wrote all of it; otherwise
                # it is killed below, and the server rolls back the transaction never committed.
                if restore.wait() == 0:
                    psql.stdin.close()
                    psql.wait()
            except BrokenPipeError:  # psql stopped at an error and is exiting: pg_restore is
                psql_stopped = True  # killed below, and psql's message is the one to report
                psql.wait()
            finally:  # whatever still runs here has failed or been interrupted
                _stop(psql)
        finally:
            _stop(restore)
        if restore.returncode != 0 and not psql_stopped:
            raise BackupError(f"pg_restore failed: {_errors(restore_errors)}")
        if psql.returncode != 0 or psql_stopped:
            raise BackupError(f"psql failed: {_errors(psql_errors)}")


def _bucket() -> Storage | None:
    """The uploads' storage when they live in a bucket (``MEDIA_BUCKET``); ``None`` when they
    are files under ``MEDIA_ROOT``, archived and swapped in as a folder."""
    uploads = storages["default"]
    return None if isinstance(uploads, FileSystemStorage) else uploads


def _stored_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file's name in ``storage``, in order, folder by folder."""
    folders, files = storage.listdir(folder)
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(folders):
        yield from _stored_names(storage, f"{folder}/{name}" if folder else name)


def _archive_uploads(archive: tarfile.TarFile) -> None:
    bucket = _bucket()
    if bucket is None:
        media_root = Path(settings.MEDIA_ROOT)
        if media_root.is_dir():
            for entry in sorted(media_root.rglob("*")):
                if entry.is_file() and not entry.is_symlink():
                    archive.add(entry, arcname=str(entry.relative_to(media_root)))
        return
    try:
        for name in _stored_names(bucket):
            with bucket.open(name, "rb") as handle:
                member = tarfile.TarInfo(name)
                member.size = handle.size
                member.mtime = int(bucket.get_modified_time(name).timestamp())
                archive.addfile(member, handle)
    except Exception as error:  # the provider's own errors (access denied, no such bucket…)
        raise BackupError(f"The uploads' bucket could not be read: {error}") from error


def _regular_files_only(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo:
    """tarfile's ``data`` filter (no absolute paths, ``..`` or devices), and no links at all:
    Tandem archives regular files only, so anything else means the backup is not its own."""
    member = tarfile.data_filter(member, path)
    if not (member.isfile() or member.isdir()):
        raise BackupError(f"{member.name} in the uploaded files is not a plain file: refused.")
    return member


def _check_uploads_archive(media: Path) -> None:
    """Read every entry of the uploaded files' archive before the database is touched, so a
    backup that would fail halfway through its files is refused while nothing has changed."""
    try:
        with tarfile.open(media, "r:gz") as archive:
            for member in archive:
                _regular_files_only(member, "/restore")
    except tarfile.FilterError as error:
        raise BackupError(f"The backup's files cannot be restored safely: {error}") from error
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{MEDIA_ARCHIVE} cannot be read: {error}") from error


def _restore_bucket(media: Path, bucket: Storage) -> None:
    """Put every file of the archive in the bucket under its own name (replacing what is there),
    then delete the bucket's files the backup does not have: a restore that fails halfway leaves
    every file it had not reached yet as it was, and deletes nothing."""
    default = settings.STORAGES["default"]
    options = {**default.get("OPTIONS", {}), "file_overwrite": True}
    writer = storages.create_storage({**default, "OPTIONS": options})
    restored = set()
    try:
        with tarfile.open(media, "r:gz") as archive:
            for member in archive:
                member = _regular_files_only(member, "/restore")  # checked already: normalises
                if not member.isfile():
                    continue
                source = archive.extractfile(member)
                saved = writer.save(member.name, File(source, name=member.name))
                if saved != member.name:
                    raise BackupError(f"{member.name} was stored as {saved}; restore stopped.")
                restored.add(member.name)
        for name in list(_stored_names(bucket)):
            if name not in restored:
                bucket.delete(name)
    except BackupError:
        raise
    except Exception as error:  # the provider's own errors (access denied, no such bucket…)
        raise BackupError(f"The uploads' bucket could not be written: {error}") from error


def create_backup(output_dir: Path, *, now: datetime.datetime | None = None) -> Path:
    """Write a new backup directory under ``output_dir`` and return its path."""
    engine = _engine()
    now = now or datetime.datetime.now(datetime.UTC)
    target = Path(output_dir) / f"tandem-{now:%Y%m%dT%H%M%SZ}"
    if target.exists():
        raise BackupError(f"{target} already exists.")
    if engine == "postgresql":
        args, env = _libpq()  # refuses unusable DATABASE_URL options before anything is written
    target.mkdir(parents=True)
    try:
        if engine == "postgresql":
            database = target / "database.dump"
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  "--file", str(database), *args], env)  # fmt: skip
        else:
            database = target / "database.sqlite3"
            connection.ensure_connection()
            with sqlite3.connect(database) as copy:
                connection.connection.backup(copy)
        media = target / MEDIA_ARCHIVE
        with tarfile.open(media, "w:gz") as archive:
            _archive_uploads(archive)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": now.isoformat(),
            "engine": engine,
            "database": database.name,
            "files": {p.name: _sha256(p) for p in (database, media)},
        }
        (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return target


def read_manifest(backup: Path) -> dict:
    """The backup's manifest, after checking every file against its checksum."""
    path = Path(backup) / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise BackupError(f"{backup} is not a Tandem backup (no {MANIFEST}).") from None
    except json.JSONDecodeError:
        raise BackupError(f"{path} is damaged (not JSON).") from None
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    for name, expected in manifest.get("files", {}).items():
        file = Path(backup) / name
        if not file.is_file():
            raise BackupError(f"{name} is missing from the backup.")
        if _sha256(file) != expected:
            raise BackupError(f"{name} does not match its checksum: the backup is damaged.")
    return manifest


def restore_backup(backup: Path, target: Target | None = None) -> dict:
    """Replace the database and the uploaded files with the backup's. Checks come first."""
    target = target or Target()
    backup = Path(backup)
    manifest = read_manifest(backup)
    engine = _engine()
    if manifest["engine"] != engine:
        raise BackupError(
            f"This backup is of a {manifest['engine']} database; this site uses {engine}."
        )
    database = backup / manifest["database"]
    _check_uploads_archive(backup / MEDIA_ARCHIVE)
    if engine == "postgresql":
        args, env = _libpq(target.database)
        server_version = _server_version()
        connections.close_all()  # our own idle connection must not hold locks on the tables
        if server_version < TRANSACTION_TIMEOUT_SINCE:
            _restore_through_psql(database, args, env)
        else:
            restore = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                       "--single-transaction", "--exit-on-error", *args, str(database)]  # fmt: skip
            _run(restore, env)
    else:
        destination = Path(target.database or settings.DATABASES["default"]["NAME"])
        connections.close_all()
        with sqlite3.connect(database) as source, sqlite3.connect(destination) as copy:
            source.backup(copy)
    bucket = _bucket()
    if bucket is not None and target.media_root is None:
        _restore_bucket(backup / MEDIA_ARCHIVE, bucket)
        return manifest
    media_root = Path(target.media_root or settings.MEDIA_ROOT)
    staging = media_root.with_name(media_root.name + ".restoring")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with tarfile.open(backup / MEDIA_ARCHIVE, "r:gz") as archive:
        archive.extractall(staging, filter=_regular_files_only)  # noqa: S202 - checked members
    if media_root.exists():
        shutil.rmtree(media_root)
    staging.rename(media_root)
    return manifest
