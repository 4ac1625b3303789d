"""CV uploads: a real PDF (checked by content, not by name) within ``MAX_CV_UPLOAD_BYTES``."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from partnerships.core.validators import validate_pdf_upload


def validate_cv_upload(upload) -> None:
    limit = settings.MAX_CV_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The CV is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="file_too_large",
        )
    validate_pdf_upload(upload)
