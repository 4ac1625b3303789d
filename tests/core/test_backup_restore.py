"""`make backup` / `make restore`: the database and uploaded files come back as they were, on
PostgreSQL (pg_dump / pg_restore) and on the quick-start SQLite database; damaged backups are
refused before anything is touched."""

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from partnerships.core import backups
from partnerships.organisations.models import Organisation
from tests.conftest import needs_service
from tests.factories import OrganisationFactory

ROOT = Path(__file__).resolve().parents[2]


def write_media(root: Path) -> dict[str, bytes]:
    files = {"logos/pixel.png": b"\x89PNG logo bytes", "cvs/ada.pdf": b"%PDF-1.7 a CV"}
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    return files


def read_media(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.mark.django_db(transaction=True)
def test_postgresql_round_trip_in_place_and_into_a_spare_database(tmp_path):
    assert connection.vendor == "postgresql"
    kept = OrganisationFactory(name="Kept Studio")
    media = write_media(Path(settings.MEDIA_ROOT))
    call_command("backup", output=tmp_path / "backups")
    (backup,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["engine"] == "postgresql" and set(manifest["files"]) == {
        "database.dump",
        "media.tar.gz",
    }

    # Disaster: the organisation is deleted, a file lost, another one added.
    Organisation.objects.filter(pk=kept.pk).delete()
    OrganisationFactory(name="Made after the backup")
    (Path(settings.MEDIA_ROOT) / "logos/pixel.png").unlink()
    (Path(settings.MEDIA_ROOT) / "stray.txt").write_text("after")

    call_command("restore", str(backup), interactive=False)
    names = set(Organisation.objects.values_list("name", flat=True))
    assert "Kept Studio" in names and "Made after the backup" not in names
    assert read_media(Path(settings.MEDIA_ROOT)) == media

    # Checking a backup without touching production: restore it into a spare database.
    spare = f"{connection.settings_dict['NAME']}_restored"
    admin = psycopg2.connect(
        host=connection.settings_dict["HOST"] or None,
        port=connection.settings_dict["PORT"] or None,
        user=connection.settings_dict["USER"],
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{spare}"')
        cursor.execute(f'CREATE DATABASE "{spare}"')
    try:
        call_command(
            "restore",
            str(backup),
            database=spare,
            media_root=tmp_path / "spare-media",
            interactive=False,
        )
        with (
            psycopg2.connect(
                host=connection.settings_dict["HOST"] or None,
                port=connection.settings_dict["PORT"] or None,
                user=connection.settings_dict["USER"],
                dbname=spare,
            ) as copy,
            copy.cursor() as cursor,
        ):
            cursor.execute("SELECT name FROM organisations_organisation WHERE name = 'Kept Studio'")
            assert cursor.fetchall() == [("Kept Studio",)]
        copy.close()
        assert read_media(tmp_path / "spare-media") == media
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{spare}"')
        admin.close()


@pytest.mark.django_db
def test_a_damaged_backup_is_refused_before_anything_changes(tmp_path):
    OrganisationFactory(name="Still here")
    backup = tmp_path / "tandem-20260101T000000Z"
    backup.mkdir()
    (backup / "database.dump").write_bytes(b"truncated")
    (backup / "media.tar.gz").write_bytes(b"")
    (backup / "manifest.json").write_text(
        json.dumps(
            {
                "format": 1,
                "created_at": "2026-01-01T00:00:00+00:00",
                "engine": "postgresql",
                "database": "database.dump",
                "files": {"database.dump": "0" * 64, "media.tar.gz": "0" * 64},
            }
        )
    )
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(backup), interactive=False)
    with pytest.raises(CommandError, match="not a Tandem backup"):
        call_command("restore", str(tmp_path), interactive=False)
    assert Organisation.objects.filter(name="Still here").exists()


@pytest.mark.django_db
def test_a_link_among_the_files_is_refused_before_the_database_is_touched(tmp_path, monkeypatch):
    """Tandem archives plain files only; a link (here to a CV, posing as a public logo) means the
    backup is not Tandem's own, and the restore stops before anything changes."""
    backup = tmp_path / "tandem-20260101T000000Z"
    backup.mkdir()
    (backup / "database.dump").write_bytes(b"PGDMP")
    with tarfile.open(backup / "media.tar.gz", "w:gz") as archive:
        cv = tarfile.TarInfo("private/cvs/ada.pdf")
        cv.size = 4
        archive.addfile(cv, io.BytesIO(b"%PDF"))
        link = tarfile.TarInfo("logos/pixel.png")
        link.type, link.linkname = tarfile.SYMTYPE, "../private/cvs/ada.pdf"
        archive.addfile(link)
    (backup / "manifest.json").write_text(
        json.dumps(
            {
                "format": 1,
                "created_at": "2026-01-01T00:00:00+00:00",
                "engine": connection.vendor,
                "database": "database.dump",
                "files": {
                    name: backups._sha256(backup / name)
                    for name in ("database.dump", "media.tar.gz")
                },
            }
        )
    )

    def never(*args, **kwargs):
        raise AssertionError("the database was touched")

    monkeypatch.setattr(backups, "_run", never)
    monkeypatch.setattr(backups, "_restore_through_psql", never)
    with pytest.raises(CommandError, match=r"logos/pixel\.png .* not a plain file"):
        call_command("restore", str(backup), media_root=tmp_path / "media", interactive=False)
    assert not (tmp_path / "media").exists()


def test_restore_asks_before_replacing_everything(tmp_path, monkeypatch, db):
    call_command("backup", output=tmp_path)
    (backup,) = tmp_path.iterdir()
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(backup))


def test_sqlite_quick_start_round_trip(tmp_path):
    """The embedded default (no DATABASE_URL): the same commands, through manage.py."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "BACKUP_DIR": str(tmp_path / "backups"),
        "REDIS_URL": "",
    }

    def manage(*args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def shell(code: str) -> str:
        return manage("shell", "-c", code).strip().splitlines()[-1:]

    manage("migrate", "--noinput", "-v", "0")
    media = write_media(tmp_path / "media")
    shell(
        "from partnerships.core.models import Sector; Sector.objects.create(name='Backed up',"
        " slug='backed-up')"
    )
    manage("backup")
    (backup,) = (tmp_path / "backups").iterdir()
    shell(
        "from partnerships.core.models import Sector as S;"
        " S.objects.filter(slug='backed-up').delete()"
    )
    (tmp_path / "media/cvs/ada.pdf").unlink()
    manage("restore", str(backup), stdin="yes\n")
    assert shell(
        "from partnerships.core.models import Sector;"
        " print(Sector.objects.filter(slug='backed-up').count())"
    ) == ["1"]
    assert read_media(tmp_path / "media") == media


@pytest.fixture
def psql_restore_databases():
    """A source database to dump and a spare one to restore into, as they stand before the
    restore: `alpha`, and `notes` with one row, plus in the source enough rows in `bulk` that
    pg_restore's script outgrows the pipe to psql (megabytes: it is streamed, never on disk).
    Yields the two names and a helper that runs SQL in either."""
    if connection.vendor != "postgresql":
        needs_service("PostgreSQL", "pg_restore and psql run against a real server")
    source, spare = "tandem_psql_restore_source", "tandem_psql_restore_target"
    params = {
        "host": connection.settings_dict["HOST"] or None,
        "port": connection.settings_dict["PORT"] or None,
        "user": connection.settings_dict["USER"],
    }
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True

    def run_sql(dbname: str, sql: str) -> list[tuple]:
        with psycopg2.connect(dbname=dbname, **params) as conn, conn.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchall() if cursor.description else []
        conn.close()
        return rows

    try:
        with admin.cursor() as cursor:
            for name in (source, spare):
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
                cursor.execute(f'CREATE DATABASE "{name}"')
        run_sql(
            source,
            "CREATE TABLE alpha (x int); CREATE TABLE notes (body text);"
            " INSERT INTO notes VALUES ('from backup');"
            " CREATE TABLE bulk AS SELECT n, md5(n::text) FROM generate_series(1, 100000) n",
        )
        run_sql(
            spare,
            "CREATE TABLE alpha (x int); CREATE TABLE notes (body text);"
            " INSERT INTO notes VALUES ('before restore')",
        )
        yield source, spare, run_sql
    finally:
        with admin.cursor() as cursor:
            for name in (source, spare):
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def test_a_failed_restore_through_psql_changes_nothing(tmp_path, psql_restore_databases):
    """Into a server older than 17, restores run pg_restore's script through psql (see
    backups._restore_through_psql): still one transaction, so a failure halfway leaves the target
    database as it was. Here `notes` is dropped first, then a view the backup knows nothing about
    blocks dropping `alpha`: `notes` must come back."""
    source, spare, run_sql = psql_restore_databases
    run_sql(spare, "CREATE VIEW alpha_view AS SELECT x FROM alpha")
    dump = tmp_path / "database.dump"
    args, env = backups._libpq(source)
    backups._run(["pg_dump", "--format=custom", "--file", str(dump), *args], env)
    args, env = backups._libpq(spare)
    with pytest.raises(backups.BackupError, match=r"psql failed: .*depend"):
        backups._restore_through_psql(dump, args, env)
    assert run_sql(spare, "SELECT body FROM notes") == [("before restore",)]
    assert run_sql(spare, "SELECT to_regclass('bulk')") == [(None,)]
    # And with nothing in its way, the same restore goes through.
    run_sql(spare, "DROP VIEW alpha_view")
    backups._restore_through_psql(dump, args, env)
    assert run_sql(spare, "SELECT body FROM notes") == [("from backup",)]
    assert run_sql(spare, "SELECT count(*) FROM bulk") == [(100000,)]


def test_a_damaged_dump_restored_through_psql_changes_nothing(tmp_path, psql_restore_databases):
    """pg_restore fails halfway through a truncated dump (its table of contents is whole, the
    data is not), when psql may well have run the script's DROPs and CREATEs already: psql never
    gets the script's end, so the target database stays as it was, and the restore fails."""
    source, spare, run_sql = psql_restore_databases
    dump = tmp_path / "database.dump"
    args, env = backups._libpq(source)
    backups._run(["pg_dump", "--format=custom", "--file", str(dump), *args], env)
    dump.write_bytes(dump.read_bytes()[: dump.stat().st_size * 2 // 3])
    args, env = backups._libpq(spare)
    with pytest.raises(backups.BackupError, match=r"^pg_restore failed: .*error"):
        backups._restore_through_psql(dump, args, env)
    assert run_sql(spare, "SELECT body FROM notes") == [("before restore",)]
    assert run_sql(spare, "SELECT to_regclass('bulk')") == [(None,)]
