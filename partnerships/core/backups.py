"""Backups of the database and uploaded files, and restoring them.

A backup is a directory: ``database.dump`` (``pg_dump`` custom format) or ``database.sqlite3``,
``media.tar.gz`` (everything under ``MEDIA_ROOT``) and ``manifest.json`` (what, when, SHA-256 of
each file). Restore checks the manifest before touching anything, so a truncated or altered
backup is refused instead of half-restored.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # pg_dump / pg_restore, with argument lists, never a shell
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
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


def _libpq(database: str | None = None) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump / pg_restore from Django's settings (the password goes
    through the environment, never the command line)."""
    db = settings.DATABASES["default"]
    args = ["--dbname", database or db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)."
        )
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")


def create_backup(output_dir: Path, *, now: datetime.datetime | None = None) -> Path:
    """Write a new backup directory under ``output_dir`` and return its path."""
    engine = _engine()
    now = now or datetime.datetime.now(datetime.UTC)
    target = Path(output_dir) / f"tandem-{now:%Y%m%dT%H%M%SZ}"
    if target.exists():
        raise BackupError(f"{target} already exists.")
    target.mkdir(parents=True)
    try:
        if engine == "postgresql":
            database = target / "database.dump"
            args, env = _libpq()
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  "--file", str(database), *args], env)  # fmt: skip
        else:
            database = target / "database.sqlite3"
            connection.ensure_connection()
            with sqlite3.connect(database) as copy:
                connection.connection.backup(copy)
        media = target / MEDIA_ARCHIVE
        media_root = Path(settings.MEDIA_ROOT)
        with tarfile.open(media, "w:gz") as archive:
            if media_root.is_dir():
                for entry in sorted(media_root.rglob("*")):
                    if entry.is_file() and not entry.is_symlink():
                        archive.add(entry, arcname=str(entry.relative_to(media_root)))
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
    if engine == "postgresql":
        args, env = _libpq(target.database)
        connections.close_all()  # our own idle connection must not hold locks on the tables
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", *args, str(database)], env)  # fmt: skip
    else:
        destination = Path(target.database or settings.DATABASES["default"]["NAME"])
        connections.close_all()
        with sqlite3.connect(database) as source, sqlite3.connect(destination) as copy:
            source.backup(copy)
    media_root = Path(target.media_root or settings.MEDIA_ROOT)
    staging = media_root.with_name(media_root.name + ".restoring")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with tarfile.open(backup / MEDIA_ARCHIVE, "r:gz") as archive:
        archive.extractall(staging, filter="data")  # no absolute paths, links or "..": S202
    if media_root.exists():
        shutil.rmtree(media_root)
    staging.rename(media_root)
    return manifest
