from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partnerships.core.backups import BackupError, Target, read_manifest, restore_backup


class Command(BaseCommand):
    help = "Replace the database and uploaded files with those of a backup directory."

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path)
        parser.add_argument(
            "--database", default=None, help="restore into this database (same server) instead"
        )
        parser.add_argument(
            "--media-root",
            type=Path,
            default=None,
            help="put the uploaded files in this folder instead (of MEDIA_ROOT or the bucket)",
        )
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args, backup, database=None, media_root=None, interactive=True, **opts):
        try:
            manifest = read_manifest(backup)
            if interactive:
                answer = input(
                    f"Replace the database and every uploaded file with the backup of "
                    f"{manifest['created_at']}? Type 'yes' to continue: "
                )
                if answer.strip().lower() != "yes":
                    raise CommandError("Restore cancelled; nothing was changed.")
            restore_backup(backup, Target(database=database, media_root=media_root))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Restored the backup of {manifest['created_at']}"))
