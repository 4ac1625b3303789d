import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from partnerships.core.files import safe_filename
from partnerships.core.validators import validate_pdf_upload

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def test_real_pdf_is_accepted():
    validate_pdf_upload(SimpleUploadedFile("agreement.pdf", MINIMAL_PDF))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.pdf", b"MZ\x90\x00" + b"\x00" * 200, "not a PDF document"),
        ("script.pdf", b"#!/bin/sh\nrm -rf /\n", "not a PDF document"),
        ("agreement.docx", MINIMAL_PDF, "Upload a PDF"),
        ("truncated.pdf", MINIMAL_PDF[:40], "not a PDF document"),
    ],
)
def test_disguised_or_broken_files_are_refused(name, content, message):
    with pytest.raises(ValidationError, match=message):
        validate_pdf_upload(SimpleUploadedFile(name, content))


def test_oversized_pdf_is_refused(settings):
    settings.MAX_DOCUMENT_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError, match="limit is"):
        validate_pdf_upload(SimpleUploadedFile("big.pdf", MINIMAL_PDF + b" " * 200))


def test_safe_download_names():
    assert safe_filename("Pixel Forge × Northbridge: agreement", ".pdf") == (
        "Pixel-Forge-Northbridge-agreement.pdf"
    )
    assert safe_filename("../../etc/passwd", ".pdf") == "etc-passwd.pdf"
