"""Who may do what with a curriculum review: plain predicates for views, API and templates.

These mirror ``selectors.visible_reviews`` exactly, so a list never shows what a detail refuses.
"""

from partnerships.organisations.models import Kind, Membership, Organisation, Status
from partnerships.organisations.permissions import can_act_for, is_platform_admin, membership_of

from .models import LIVE_REVIEWER_STATUSES, CurriculumReview, ReviewStatus


def _memberships(user) -> dict[int, Membership]:
    """Every membership of the user, keyed by organisation id (cached for the request)."""
    if not user.is_authenticated:
        return {}
    cache = getattr(user, "_curriculum_memberships", None)
    if cache is None:
        cache = {
            m.organisation_id: m
            for m in Membership.objects.filter(user=user).select_related("organisation")
        }
        user._curriculum_memberships = cache
    return cache


def verified_organisations(user, kind: str | None = None) -> list[Organisation]:
    """The verified organisations the user belongs to (and so may act for), by name."""
    organisations = [
        m.organisation
        for m in _memberships(user).values()
        if m.organisation.status == Status.VERIFIED
        and (kind is None or m.organisation.kind == kind)
    ]
    return sorted(organisations, key=lambda o: (o.name, o.pk))


def is_member_of_verified_organisation(user) -> bool:
    return bool(verified_organisations(user))


def is_institution_member(user, review: CurriculumReview) -> bool:
    return membership_of(user, review.institution) is not None


def _reviewer_row(user, review: CurriculumReview):
    if not user.is_authenticated:
        return None
    cache = getattr(review, "_reviewer_rows", None)
    if cache is None:
        cache = {}
        review._reviewer_rows = cache
    if user.pk not in cache:
        cache[user.pk] = review.reviewers.filter(user=user).first()
    return cache[user.pk]


def can_view_review(user, review: CurriculumReview) -> bool:
    """Open reviews: members of verified organisations. Drafts: the institution's members.
    Closed, completed and cancelled ones: the institution's members and their volunteers."""
    if not user.is_authenticated:
        return False
    if is_platform_admin(user) or is_institution_member(user, review):
        return True
    if (
        review.status == ReviewStatus.OPEN
        and review.institution.status == Status.VERIFIED
        and is_member_of_verified_organisation(user)
    ):
        return True
    return review.status != ReviewStatus.DRAFT and _reviewer_row(user, review) is not None


def can_request_review(user, institution: Organisation | None = None) -> bool:
    """University staff of a verified institution ask for reviews on its behalf."""
    if institution is None:
        return bool(verified_organisations(user, Kind.INSTITUTION))
    return institution.kind == Kind.INSTITUTION and can_act_for(user, institution)


def can_manage_review(user, review: CurriculumReview) -> bool:
    """Edit, open, close, cancel, complete, accept and decline: the institution's members."""
    return can_request_review(user, review.institution)


def can_volunteer(user, review: CurriculumReview) -> bool:
    return review.status == ReviewStatus.OPEN and bool(verified_organisations(user, Kind.INDUSTRY))


def can_view_responses(user, review: CurriculumReview) -> bool:
    """Every response and the summary: the requesting institution's members and platform admins."""
    return is_platform_admin(user) or is_institution_member(user, review)


def can_download_syllabus(user, review: CurriculumReview) -> bool:
    """The institution's members, platform admins, and the people who volunteered to review."""
    if can_view_responses(user, review):
        return True
    row = _reviewer_row(user, review)
    return row is not None and row.status in LIVE_REVIEWER_STATUSES
