from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from partnerships.core.backups import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database and uploaded files into a new directory under BACKUP_DIR."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=None, help="default: BACKUP_DIR")

    def handle(self, *args, output=None, **options):
        try:
            path = create_backup(output or Path(settings.BACKUP_DIR))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Backup written to {path}"))
