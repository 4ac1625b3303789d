"""University sign-off: placement officers, the approval checklist, approving or refusing."""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerships.activity.services import record_event
from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.core.mail import send_templated_email
from partnerships.organisations.models import Kind, Organisation
from partnerships.organisations.permissions import can_act_for

from ..models import (
    Application,
    ApplicationStatus,
    ApprovalChecklistItem,
    ApprovalStatus,
    PlacementApproval,
    PlacementOfficer,
)
from ..permissions import can_decide_approval, can_manage_officers, is_placement_officer
from .placements import studio_emails

DEFAULT_CHECKLIST = [
    (
        gettext_lazy("Placement agreement signed by the student, the studio and the university"),
        True,
    ),
    (gettext_lazy("Health and safety / risk assessment completed"), False),
    (gettext_lazy("Employer's liability insurance confirmed"), True),
]


# --- Officers ---------------------------------------------------------------------------------


@transaction.atomic
def officer_appoint(*, actor, institution: Organisation, user) -> PlacementOfficer:
    """Owners and admins of an institution make one of its members a placement officer."""
    if not can_manage_officers(actor, institution):
        raise PermissionDenied(_("Only owners and admins of the institution appoint officers."))
    if not can_act_for(user, institution):
        raise DomainError(
            _("%(name)s is not a member of %(org)s.")
            % {"name": user.display_name, "org": institution.name},
            field="user",
        )
    try:
        with transaction.atomic():
            return PlacementOfficer.objects.create(
                institution=institution, user=user, appointed_by=actor
            )
    except IntegrityError:
        raise Conflict(
            _("%(name)s is already a placement officer.") % {"name": user.display_name}
        ) from None


@transaction.atomic
def officer_remove(*, actor, institution: Organisation, user) -> None:
    if not can_manage_officers(actor, institution):
        raise PermissionDenied(_("Only owners and admins of the institution remove officers."))
    PlacementOfficer.objects.filter(institution=institution, user=user).delete()


def _officer_emails(institution: Organisation) -> list[str]:
    """Officers who still belong to the institution."""
    return sorted(
        PlacementOfficer.objects.filter(
            institution=institution, institution__memberships__user=F("user")
        ).values_list("user__email", flat=True)
    )


# --- Checklist --------------------------------------------------------------------------------


def checklist_items(institution: Organisation) -> list[ApprovalChecklistItem]:
    """The institution's active checklist; sensible defaults are seeded on first use."""
    items = list(institution.approval_checklist.filter(is_active=True))
    if items or institution.approval_checklist.exists():
        return items
    ApprovalChecklistItem.objects.bulk_create(
        ApprovalChecklistItem(
            institution=institution, text=str(text), required_for_low_risk=low, order=n
        )
        for n, (text, low) in enumerate(DEFAULT_CHECKLIST)
    )
    return list(institution.approval_checklist.filter(is_active=True))


def _check_checklist_editor(actor, institution: Organisation) -> None:
    if institution.kind != Kind.INSTITUTION or not (
        can_manage_officers(actor, institution) or is_placement_officer(actor, institution)
    ):
        raise PermissionDenied(
            _("Only the institution's officers and managers edit the checklist.")
        )


@transaction.atomic
def checklist_item_add(
    *, actor, institution: Organisation, text: str, required_for_low_risk: bool = True
) -> ApprovalChecklistItem:
    _check_checklist_editor(actor, institution)
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Describe the checklist item."), field="text")
    existing = checklist_items(institution)
    return ApprovalChecklistItem.objects.create(
        institution=institution,
        text=text[:200],
        required_for_low_risk=required_for_low_risk,
        order=len(existing),
    )


@transaction.atomic
def checklist_item_remove(*, actor, item: ApprovalChecklistItem) -> None:
    """Retire an item (kept for approvals that ticked it)."""
    _check_checklist_editor(actor, item.institution)
    item.is_active = False
    item.save(update_fields=["is_active"])


# --- Approvals --------------------------------------------------------------------------------


def create_approval(application: Application) -> PlacementApproval:
    """Called inside the accepting transaction when the placement counts for credit."""
    approval, created = PlacementApproval.objects.get_or_create(
        application=application, defaults={"institution_id": application.institution_id}
    )
    if created:
        checklist_items(approval.institution)
        send_templated_email(
            to=_officer_emails(approval.institution),
            template="placements/approval_requested",
            context={"approval": approval, "application": application},
        )
    return approval


@transaction.atomic
def approval_request(*, actor, application: Application) -> PlacementApproval:
    """The student asks, after accepting, for the placement to count for academic credit."""
    if application.student_id != actor.pk:
        raise PermissionDenied(_("Only the student who applied can do that."))
    row = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
    if row.status not in (ApplicationStatus.ACCEPTED, ApplicationStatus.COMPLETED):
        raise Conflict(_("Ask for approval once you have accepted an offer."))
    if row.institution_id is None:
        raise DomainError(_("Add your institution to your profile first."))
    if not row.for_credit:
        row.for_credit = True
        row.save(update_fields=["for_credit", "updated_at"])
    return create_approval(row)


def _lock_approval(approval: PlacementApproval) -> PlacementApproval:
    return (
        PlacementApproval.objects.select_for_update(of=("self",))
        .select_related(
            "institution",
            "application__student",
            "application__placement__organisation",
            "application__placement__contact",
            "application__placement__created_by",
        )
        .get(pk=approval.pk)
    )


def _decide(approval: PlacementApproval, *, actor, status: str, reason: str = "") -> None:
    approval.status = status
    approval.reason = reason
    approval.decided_by = actor
    approval.decided_at = timezone.now()
    approval.save(update_fields=["status", "reason", "decided_by", "decided_at", "low_risk"])
    application = approval.application
    context = {"approval": approval, "application": application}
    recipients = [application.student_email, *studio_emails(application.placement)]
    send_templated_email(to=recipients, template="placements/approval_decided", context=context)
    record_event(
        f"approval.{status}",
        target=approval,
        actor=actor,
        organisation=approval.institution,
        application_id=application.pk,
    )


def _check_officer(actor, approval: PlacementApproval) -> None:
    if not can_decide_approval(actor, approval):
        raise PermissionDenied(
            _("Only placement officers of %(org)s can decide this approval.")
            % {"org": approval.institution.name}
        )
    if approval.status != ApprovalStatus.PENDING:
        raise Conflict(
            _("This approval was already decided (%(status)s).")
            % {"status": approval.get_status_display().lower()}
        )


@transaction.atomic
def approval_approve(
    *,
    actor,
    approval: PlacementApproval,
    checked_items: Iterable[int] = (),
    low_risk: bool = False,
) -> PlacementApproval:
    """Approve once every required item is ticked: all items, or for a placement the officer
    marks low-risk only those marked ``required_for_low_risk`` (the lighter path)."""
    locked = _lock_approval(approval)
    _check_officer(actor, locked)
    items = checklist_items(locked.institution)
    by_id = {item.pk: item for item in items}
    checked = {int(pk) for pk in checked_items}
    if checked - set(by_id):
        raise DomainError(_("Tick items from your institution's checklist only."))
    required = [i for i in items if i.required_for_low_risk or not low_risk]
    missing = [i.text for i in required if i.pk not in checked]
    if missing:
        raise DomainError(
            _("Tick every required item before approving: %(items)s")
            % {"items": "; ".join(missing)},
            field="checked_items",
            code="checklist_incomplete",
        )
    locked.low_risk = low_risk
    locked.checked_items.set(checked)
    _decide(locked, actor=actor, status=ApprovalStatus.APPROVED)
    return locked


@transaction.atomic
def approval_refuse(*, actor, approval: PlacementApproval, reason: str) -> PlacementApproval:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the student and the studio a reason."), field="reason")
    locked = _lock_approval(approval)
    _check_officer(actor, locked)
    _decide(locked, actor=actor, status=ApprovalStatus.REFUSED, reason=reason)
    return locked
