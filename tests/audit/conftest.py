"""Audit fixtures: the placement and story personas (tests/placements, tests/stories) reused.

``entries(action)`` reads what the trail recorded, oldest first.
"""

import pytest

from partnerships.audit.models import AuditEntry
from partnerships.placements import services as placement_services
from partnerships.placements.models import ApplicationStatus, ApprovalChecklistItem
from tests.placements.conftest import ApplicationFactory, application, officer, placement  # noqa: F401
from tests.stories.conftest import approved, in_review, nominated, partnership  # noqa: F401


def entries(action: str | None = None, **filters) -> list[AuditEntry]:
    rows = AuditEntry.objects.order_by("created_at", "pk")
    if action:
        rows = rows.filter(action=action)
    return list(rows.filter(**filters))


@pytest.fixture
def approval(placement, student, university, officer):  # noqa: F811
    """Sam accepts an offer that counts for credit: Northbridge's officer Lena must decide."""
    ApprovalChecklistItem.objects.create(institution=university, text="Agreement signed")
    row = ApplicationFactory(
        placement=placement,
        student=student,
        institution=university,
        status=ApplicationStatus.OFFERED,
        for_credit=True,
    )
    placement_services.application_accept(actor=student, application=row)
    return row.approval
