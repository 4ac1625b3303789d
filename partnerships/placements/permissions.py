"""Who may do what with placements, applications, approvals and evaluations.

Parties: the *studio* (members of the verified industry partner that posted the placement), the
*student* who applied, and the *placement officers* of the student's institution. Platform admins
see everything and may moderate postings, but they do not act for a party in the pipeline.
"""

from accounts.models import Role
from partnerships.organisations.models import Kind, Organisation
from partnerships.organisations.permissions import (
    can_act_for,
    can_manage_organisation,
    is_platform_admin,
    membership_of,
)

from .models import ApplicationStatus, Placement, PlacementOfficer, PlacementStatus


def can_post_placement(user, organisation: Organisation) -> bool:
    return organisation.kind == Kind.INDUSTRY and can_act_for(user, organisation)


def can_manage_placement(user, placement: Placement) -> bool:
    return is_platform_admin(user) or can_act_for(user, placement.organisation)


def is_studio(user, placement: Placement) -> bool:
    """Acts for the posting studio in the pipeline (offers, rejections, notes)."""
    return can_act_for(user, placement.organisation)


def can_view_placement(user, placement: Placement) -> bool:
    if placement.status != PlacementStatus.DRAFT:
        return True
    return is_platform_admin(user) or membership_of(user, placement.organisation) is not None


def is_placement_officer(user, institution: Organisation | None) -> bool:
    """An appointed officer who still belongs to the (verified) institution."""
    if institution is None or not user.is_authenticated or not can_act_for(user, institution):
        return False
    return PlacementOfficer.objects.filter(institution=institution, user=user).exists()


def can_manage_officers(user, institution: Organisation) -> bool:
    return institution.kind == Kind.INSTITUTION and can_manage_organisation(user, institution)


def is_eligible(user, placement: Placement) -> bool:
    """Students only; the placement's level and institution limits, when set."""
    if not user.is_authenticated or user.role != Role.STUDENT:
        return False
    profile = getattr(user, "profile", None)
    if placement.eligible_levels and (
        profile is None or profile.level not in placement.eligible_levels
    ):
        return False
    institution_ids = {i.pk for i in placement.eligible_institutions.all()}
    return not institution_ids or (
        profile is not None and profile.institution_id in institution_ids
    )


def can_view_application(user, application) -> bool:
    """The student always; the studio, the student's officers and admins once it is submitted."""
    if not user.is_authenticated:
        return False
    if application.student_id == user.pk:
        return True
    if application.status == ApplicationStatus.DRAFT:
        return False
    return (
        is_platform_admin(user)
        or membership_of(user, application.placement.organisation) is not None
        or is_placement_officer(user, application.institution)
    )


def can_view_cv(user, application) -> bool:
    return can_view_application(user, application)


def can_view_notes(user, application) -> bool:
    return is_studio(user, application.placement)


def can_decide_approval(user, approval) -> bool:
    return is_placement_officer(user, approval.institution)


def can_complete(user, application) -> bool:
    return is_studio(user, application.placement) or is_placement_officer(
        user, application.institution
    )
