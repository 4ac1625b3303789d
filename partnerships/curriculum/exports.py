"""CSV export of a review's submitted responses, safe to open in a spreadsheet."""

import csv

from django.http import HttpResponse
from django.utils import timezone

from partnerships.core.files import safe_filename

from . import selectors
from .models import CurriculumReview

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

HEADER = [
    "Response",
    "Reviewer",
    "Organisation",
    "Submitted at",
    "Relevance (1-5)",
    "Missing skills",
    "Other missing skills",
    "Over-weighted skills",
    "Other over-weighted skills",
    "Suggested changes",
    "Comments",
]


def neutralise(value):
    """Prefix text that a spreadsheet would run as a formula with a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def response_rows(review: CurriculumReview):
    yield HEADER
    for response in selectors.submitted_responses(review):
        reviewer = response.reviewer
        yield [
            neutralise(value)
            for value in (
                response.pk,
                reviewer.person_name,
                reviewer.organisation.name,
                timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M"),
                response.relevance,
                "; ".join(skill.name for skill in response.missing_skills.all()),
                response.missing_skills_other,
                "; ".join(skill.name for skill in response.overweighted_skills.all()),
                response.overweighted_skills_other,
                response.suggested_changes,
                response.comments,
            )
        ]


def responses_csv(review: CurriculumReview) -> HttpResponse:
    """Every submitted response as an attachment named after the review."""
    filename = f"curriculum-review-{review.pk}-{safe_filename(review.title, '.csv')}"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response.write("\ufeff")  # a byte-order mark, so Excel reads UTF-8
    writer = csv.writer(response)
    writer.writerows(response_rows(review))
    return response
