"""Private documents (agreements, syllabi, attachments): stored outside any public URL and
handed out only by views that have checked permission first."""

import logging
import mimetypes
import re
from collections.abc import Iterable
from pathlib import PurePath

from django.db import transaction
from django.http import FileResponse, Http404
from django.utils.deconstruct import deconstructible

from .uploads import random_name

logger = logging.getLogger(__name__)


@deconstructible
class PrivateUploadPath:
    """An ``upload_to`` storing files under ``private/<folder>/`` with a random name.

    Nothing serves ``private/`` directly; see ``serve_private_file``.
    """

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        return random_name(f"private/{self.folder}", filename)

    def __eq__(self, other) -> bool:
        return isinstance(other, PrivateUploadPath) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)


def safe_filename(title: str, suffix: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", title).strip("-._")[:80] or "document"
    return f"{stem}{suffix}"


def serve_private_file(field_file, *, title: str) -> FileResponse:
    """Send a stored file as an attachment with a safe name. Call only after a permission check."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    suffix = PurePath(field_file.name).suffix.lower()
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=safe_filename(title, suffix),
        content_type=mimetypes.types_map.get(suffix, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def delete_files_after_commit(storage, names: Iterable[str]) -> None:
    """Delete stored files once the surrounding transaction commits, never on a rollback.

    A file already gone is fine, so running the same deletion twice is harmless.
    """
    names = [name for name in names if name]
    if not names:
        return

    def delete() -> None:
        for name in names:
            try:
                storage.delete(name)
            except OSError:
                logger.exception("Could not delete the stored file %s", name)

    transaction.on_commit(delete)
