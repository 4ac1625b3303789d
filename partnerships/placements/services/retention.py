"""How long CVs are kept: deleted ``CV_RETENTION_DAYS`` after their placement closed.

A CV is needed while the studio runs its pipeline. Once the placement has been closed or filled
(or its deadline passed) for ``CV_RETENTION_DAYS``, the file is deleted and the application keeps
only ``cv_deleted_at``, so a download explains what happened instead of failing.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.core.errors import Gone
from partnerships.core.files import delete_files_after_commit

from ..models import Application, PlacementStatus


def cv_retention_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=settings.CV_RETENTION_DAYS)


def expired_cv_applications(now: datetime.datetime | None = None):
    """Applications still holding a CV whose placement was closed or filled more than
    ``CV_RETENTION_DAYS`` ago (or is still marked open although its deadline passed that long
    ago). A placement reopened since has a fresh ``status_changed_at``, so it is not matched."""
    cutoff = cv_retention_cutoff(now)
    closed_long_ago = Q(
        placement__status__in=[PlacementStatus.CLOSED, PlacementStatus.FILLED],
        placement__status_changed_at__lte=cutoff,
    )
    open_past_deadline = Q(placement__status=PlacementStatus.OPEN, placement__deadline__lte=cutoff)
    return (
        Application.objects.filter(closed_long_ago | open_past_deadline)
        .exclude(cv="")
        .filter(cv_deleted_at__isnull=True)
    )


def application_cvs_expire(*, now: datetime.datetime | None = None, batch: int = 500) -> int:
    """Delete the CVs past the retention period; returns how many were deleted.

    Each batch is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and cleared with one
    ``UPDATE`` (which re-checks ``cv_deleted_at IS NULL``), so two workers never take the same
    rows and running it twice deletes nothing more. Files go only after the batch commits.
    """
    now = now or timezone.now()
    deleted = 0
    while True:
        with transaction.atomic():
            rows = list(
                expired_cv_applications(now)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")
                .values_list("pk", "cv")[:batch]
            )
            if not rows:
                return deleted
            ids = [pk for pk, _name in rows]
            deleted += Application.objects.filter(pk__in=ids, cv_deleted_at__isnull=True).update(
                cv="", cv_deleted_at=now
            )
            delete_files_after_commit(
                Application._meta.get_field("cv").storage, [n for _pk, n in rows]
            )
        if len(rows) < batch:
            return deleted


def check_cv_available(application: Application) -> None:
    """Refuse with 410 Gone, saying why, when the CV was deleted for good."""
    if application.cv_deleted_at is not None:
        when = timezone.localtime(application.cv_deleted_at).strftime("%d %B %Y")
        raise Gone(
            _(
                "This CV was deleted on %(when)s under our retention policy: CVs are kept for "
                "%(days)d days after a placement closes."
            )
            % {"when": when, "days": settings.CV_RETENTION_DAYS},
            code="cv_deleted",
        )
    if application.student_id is None:
        raise Gone(
            _("The applicant deleted their account; their CV was deleted with it."),
            code="cv_deleted",
        )
