"""Upload validation by content, not by name."""

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .errors import DomainError

IMAGE_FORMATS = {
    "JPEG": {".jpg", ".jpeg"},
    "PNG": {".png"},
    "WEBP": {".webp"},
    "GIF": {".gif"},
}
MAX_IMAGE_PIXELS = 40_000_000


def validate_image_upload(upload) -> None:
    """Accept only real JPEG/PNG/WebP/GIF images within the size limit, named as what they are."""
    limit = settings.MAX_IMAGE_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The image is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="file_too_large",
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF."),
            code="not_an_image",
        ) from None
    finally:
        upload.seek(position)
    if image_format not in IMAGE_FORMATS:
        raise ValidationError(
            _("%(format)s images are not accepted. Upload a JPEG, PNG, WebP or GIF.")
            % {"format": image_format},
            code="image_format",
        )
    if width * height > MAX_IMAGE_PIXELS:
        raise ValidationError(_("This image has too many pixels."), code="image_too_big")
    suffix = PurePath(getattr(upload, "name", "") or "").suffix.lower()
    if suffix and suffix not in IMAGE_FORMATS[image_format]:
        raise ValidationError(
            _("The file is named %(suffix)s but its content is %(format)s.")
            % {"suffix": suffix, "format": image_format},
            code="extension_mismatch",
        )


PDF_TAIL_BYTES = 2048


def validate_pdf_upload(upload) -> None:
    """Accept only real PDF documents within the size limit: checked by content, not by name.

    A PDF starts with ``%PDF-`` and ends with ``%%EOF`` (allowing trailing whitespace); an
    executable or a Word file renamed ``.pdf`` fails both checks.
    """
    limit = settings.MAX_DOCUMENT_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="file_too_large",
        )
    suffix = PurePath(getattr(upload, "name", "") or "").suffix.lower()
    if suffix != ".pdf":
        raise ValidationError(_("Upload a PDF document (a .pdf file)."), code="not_pdf_name")
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        head = upload.read(1024)
        size = upload.size if upload.size is not None else len(head)
        upload.seek(max(0, size - PDF_TAIL_BYTES))
        tail = upload.read(PDF_TAIL_BYTES)
    finally:
        upload.seek(position)
    if not head.lstrip(b"\xef\xbb\xbf\r\n\t ").startswith(b"%PDF-") or b"%%EOF" not in tail:
        raise ValidationError(
            _("This file is not a PDF document, whatever its name says. Upload a real PDF."),
            code="not_pdf",
        )


# A date outside these years is a typing mistake; and so early a date has no offset from UTC
# that ISO 8601 can write (the local mean time of the zones of the time), so the API could not
# even answer with it.
MIN_YEAR, MAX_YEAR = 2000, 2100


def check_plausible_year(moment, *, field: str) -> None:
    """A 400 naming ``field`` when a date or time (or ``None``: nothing to check) falls outside
    ``MIN_YEAR``–``MAX_YEAR``."""
    if moment is not None and not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise DomainError(
            _("Give a date between the years %(low)d and %(high)d.")
            % {"low": MIN_YEAR, "high": MAX_YEAR},
            field=field,
        )
