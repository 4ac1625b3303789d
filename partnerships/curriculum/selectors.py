"""Reads: curriculum reviews, reviewers and responses, filtered to what the user may see."""

from django.db.models import Avg, Count, Q, QuerySet

from partnerships.core.models import Skill
from partnerships.organisations.models import Membership, Status
from partnerships.organisations.permissions import is_platform_admin

from .models import (
    LIVE_REVIEWER_STATUSES,
    MAX_RELEVANCE,
    MIN_RELEVANCE,
    CurriculumReview,
    Reviewer,
    ReviewerStatus,
    ReviewResponse,
    ReviewStatus,
)
from .permissions import is_member_of_verified_organisation

TOP_SKILLS = 10


def _own_organisation_ids(user):
    return Membership.objects.filter(user=user).values("organisation_id")


def visible_reviews(user) -> QuerySet[CurriculumReview]:
    """The same rule as ``permissions.can_view_review``, as one query.

    Open reviews of verified institutions for signed-in members of verified organisations;
    every review of your own institutions; closed ones you volunteered for; all for admins.
    """
    qs = CurriculumReview.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if is_platform_admin(user):
        return qs
    volunteered = Reviewer.objects.filter(user=user).values("review_id")
    rule = Q(institution_id__in=_own_organisation_ids(user)) | (
        Q(pk__in=volunteered) & ~Q(status=ReviewStatus.DRAFT)
    )
    if is_member_of_verified_organisation(user):
        rule |= Q(status=ReviewStatus.OPEN, institution__status=Status.VERIFIED)
    return qs.filter(rule)


BROWSE_SCOPES = ("open", "mine", "reviewing")


def browse_reviews(
    user, *, scope: str = "open", q: str = "", level: str = "", sector: str = ""
) -> QuerySet[CurriculumReview]:
    """Reviews for the browse page and the API list, with what the cards show already joined."""
    qs = visible_reviews(user)
    if scope == "mine":
        qs = qs.filter(institution_id__in=_own_organisation_ids(user))
    elif scope == "reviewing":
        qs = qs.filter(
            pk__in=Reviewer.objects.filter(user=user, status__in=LIVE_REVIEWER_STATUSES).values(
                "review_id"
            )
        )
    else:
        qs = qs.filter(status=ReviewStatus.OPEN)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(course_name__icontains=q))
    if level:
        qs = qs.filter(level=level)
    if sector:
        qs = qs.filter(sectors__slug=sector)
    return with_counts(qs).order_by("deadline", "pk")


def with_counts(qs: QuerySet[CurriculumReview]) -> QuerySet[CurriculumReview]:
    return (
        qs.select_related("institution")
        .prefetch_related("sectors")
        .annotate(
            accepted_count=Count(
                "reviewers",
                filter=Q(reviewers__status=ReviewerStatus.ACCEPTED),
                distinct=True,
            ),
            volunteer_count=Count(
                "reviewers",
                filter=Q(reviewers__status=ReviewerStatus.VOLUNTEERED),
                distinct=True,
            ),
        )
    )


def review_reviewers(review: CurriculumReview) -> QuerySet[Reviewer]:
    """Everybody who volunteered for a review, waiting ones first."""
    return review.reviewers.select_related(
        "user", "user__profile", "organisation", "response"
    ).order_by("status", "created_at", "pk")


def visible_reviewers(user) -> QuerySet[Reviewer]:
    """Your own volunteering, and the volunteers for your institutions' reviews."""
    qs = Reviewer.objects.select_related(
        "review", "user", "user__profile", "organisation"
    ).order_by("-created_at", "-pk")
    if not user.is_authenticated:
        return qs.none()
    if is_platform_admin(user):
        return qs
    return qs.filter(Q(user=user) | Q(review__institution_id__in=_own_organisation_ids(user)))


def visible_responses(user) -> QuerySet[ReviewResponse]:
    """Your own responses (drafts too); submitted ones to your institutions' reviews."""
    qs = (
        ReviewResponse.objects.select_related(
            "reviewer", "reviewer__review", "reviewer__user", "reviewer__organisation"
        )
        .prefetch_related("missing_skills", "overweighted_skills")
        .order_by("-created_at", "-pk")
    )
    if not user.is_authenticated:
        return qs.none()
    submitted = Q(submitted_at__isnull=False)
    if is_platform_admin(user):
        return qs.filter(submitted | Q(reviewer__user=user))
    return qs.filter(
        Q(reviewer__user=user)
        | (submitted & Q(reviewer__review__institution_id__in=_own_organisation_ids(user)))
    )


def submitted_responses(review: CurriculumReview) -> QuerySet[ReviewResponse]:
    return (
        ReviewResponse.objects.filter(reviewer__review=review, submitted_at__isnull=False)
        .select_related("reviewer__user", "reviewer__user__profile", "reviewer__organisation")
        .prefetch_related("missing_skills", "overweighted_skills")
        .order_by("submitted_at", "pk")
    )


def _top_skills(relation: str, review: CurriculumReview) -> list[dict]:
    """Skills most often cited in submitted responses, as one GROUP BY query."""
    return list(
        Skill.objects.filter(
            **{
                f"{relation}__reviewer__review": review,
                f"{relation}__submitted_at__isnull": False,
            }
        )
        .values("slug", "name")
        .annotate(count=Count(relation))
        .order_by("-count", "name")[:TOP_SKILLS]
    )


def review_summary(review: CurriculumReview) -> dict:
    """The figures on the summary page: all computed in the database."""
    submitted = ReviewResponse.objects.filter(reviewer__review=review, submitted_at__isnull=False)
    totals = submitted.aggregate(responses=Count("pk"), mean=Avg("relevance"))
    counts = dict(
        submitted.order_by()
        .values("relevance")
        .annotate(n=Count("pk"))
        .values_list("relevance", "n")
    )
    responses = totals["responses"]
    distribution = [
        {
            "relevance": score,
            "count": counts.get(score, 0),
            "percent": round(100 * counts.get(score, 0) / responses) if responses else 0,
        }
        for score in range(MIN_RELEVANCE, MAX_RELEVANCE + 1)
    ]
    mean = totals["mean"]
    return {
        "responses": responses,
        "mean_relevance": round(float(mean), 2) if mean is not None else None,
        "distribution": distribution,
        "missing_skills": _top_skills("curriculum_missing_in", review),
        "overweighted_skills": _top_skills("curriculum_overweighted_in", review),
    }


# --- Dashboard ------------------------------------------------------------------------------


def institution_reviews(user, *, counted: bool = True) -> QuerySet[CurriculumReview]:
    """Reviews requested by the user's institutions, newest first (with reviewer counts)."""
    qs = CurriculumReview.objects.filter(institution_id__in=_own_organisation_ids(user))
    return (with_counts(qs) if counted else qs).order_by("-created_at", "-pk")


def status_counts(qs: QuerySet[CurriculumReview]) -> dict[str, int]:
    grouped = qs.order_by().values("status").annotate(n=Count("pk"))
    return dict(grouped.values_list("status", "n"))


def my_reviewing(user) -> QuerySet[Reviewer]:
    """The reviews the user volunteered for and has not withdrawn from."""
    return (
        Reviewer.objects.filter(user=user, status__in=LIVE_REVIEWER_STATUSES)
        .exclude(review__status=ReviewStatus.CANCELLED)
        .select_related("review", "review__institution", "organisation", "response")
        .order_by("review__deadline", "pk")
    )


def open_calls(user) -> QuerySet[CurriculumReview]:
    """Open reviews the user could still volunteer for."""
    return (
        browse_reviews(user)
        .exclude(pk__in=Reviewer.objects.filter(user=user).values("review_id"))
        .exclude(institution_id__in=_own_organisation_ids(user))
    )
