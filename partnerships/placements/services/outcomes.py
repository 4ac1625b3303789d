"""What happened after a completed placement: the host organisation records whether it hired the
student. The impact figures count it (``economic.hires_after_placement``)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.activity.services import record_event
from partnerships.core.errors import Conflict, PermissionDenied

from ..models import Application, ApplicationStatus
from ..permissions import is_studio


@transaction.atomic
def application_record_hire(*, actor, application: Application, hired: bool | None) -> Application:
    """The studio says whether it hired the student after the placement (``None``: not known).

    Only once the placement is completed, and only by members of the host organisation: they
    are the ones who know. Idempotent: recording the same answer again changes nothing.
    """
    row = (
        Application.objects.select_for_update(of=("self",))
        .select_related("placement__organisation", "student__profile")
        .get(pk=application.pk)
    )
    if not is_studio(actor, row.placement):
        raise PermissionDenied(
            _("Only members of %(org)s can record whether they hired the student.")
            % {"org": row.placement.organisation.name}
        )
    if row.status != ApplicationStatus.COMPLETED:
        raise Conflict(
            _("Record a hire once the placement is marked completed."), code="not_completed"
        )
    if row.hired_after_placement is hired:
        return row
    before = row.hired_after_placement
    row.hired_after_placement = hired
    row.updated_at = timezone.now()
    row.save(update_fields=["hired_after_placement", "updated_at"])
    record_event(
        "application.hire_recorded", target=row, actor=actor,
        organisation=row.placement.organisation, placement_id=row.placement_id,
        institution_id=row.institution_id, hired=hired, before=before,
    )  # fmt: skip
    return row
