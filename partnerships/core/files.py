"""Private documents (agreements, syllabi, attachments): stored outside any public URL and
handed out only by views that have checked permission first."""

import errno
import logging
import mimetypes
import re
from collections.abc import Callable, Iterable
from pathlib import PurePath
from typing import TypeVar

from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from .uploads import random_name

logger = logging.getLogger(__name__)
T = TypeVar("T")


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


class StorageUnavailable(Exception):
    """The storage of uploads (a bucket) failed, for a reason other than the file itself."""


def _bucket_status(error: Exception) -> int | None:
    """The HTTP status of a bucket's error (0: the provider could not be reached at all);
    ``None`` when ``error`` did not come from a bucket."""
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(error, ClientError):
        return error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500)
    return 0 if isinstance(error, BotoCoreError) else None


# What the file's own name causes on disk: not found, a folder, a name too long, a link loop.
# Anything else (permissions, I/O) is the server's fault and stays an error.
NOT_THERE = {errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG, errno.ELOOP}
# What a bucket answers about the key itself: no such key, or a key it cannot hold.
KEY_ERRORS = {"404", "NoSuchKey", "KeyTooLongError"}


def open_stored(open_file: Callable[[], File]) -> File:
    """``open_file()``, read up to its first byte; ``Http404`` when the file is not there or
    cannot be (a folder, a name too long, a key the bucket cannot hold), ``StorageUnavailable``
    when the storage itself fails (the bucket's provider is down or refuses our credentials),
    so views answer 404 or 503, never 500. A bucket sends the file on the first read, so that
    read happens here, where its errors are caught, not later in the response."""
    try:
        handle = open_file()
        handle.seek(0)
        return handle
    except (SuspiciousFileOperation, FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise Http404 from None  # (a bucket's missing key is a FileNotFoundError without errno)
    except OSError as error:
        if error.errno in NOT_THERE:
            raise Http404 from None
        raise
    except Exception as error:
        status = _bucket_status(error)
        if status is None:
            raise
        code = str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))
        if status == 404 or code in KEY_ERRORS:
            raise Http404 from None
        logger.exception("The storage of uploads is unavailable")
        raise StorageUnavailable from error


def reading_storage(work: Callable[[], T]) -> T:
    """``work()``, which reads several stored files (a data download): any failure of the
    bucket becomes ``StorageUnavailable``, answered 503 rather than 500."""
    try:
        return work()
    except Exception as error:
        if _bucket_status(error) is None:
            raise
        logger.exception("The storage of uploads failed while files were read")
        raise StorageUnavailable from error


def storage_unavailable_response() -> HttpResponse:
    response = HttpResponse(
        _("Files cannot be reached for a moment. Try again in a minute."),
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = "60"
    return response


def serve_private_file(field_file, *, title: str) -> FileResponse:
    """Send a stored file as an attachment with a safe name. Call only after a permission check."""
    if not field_file:
        raise Http404
    handle = open_stored(lambda: field_file.open("rb"))
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
