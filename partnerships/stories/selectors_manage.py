"""Reads for the pages where people nominate, answer, approve and curate stories.

Each returns what one page shows, already joined, so a page's query count does not grow with
its rows. (Reads for the public pages live in ``selectors.py``.)
"""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from events.models import Event
from partnerships.organisations.models import Membership, Organisation
from partnerships.placements.models import Placement
from partnerships.projects.models import Opportunity, Partnership

from . import permissions, services
from .models import (
    OutcomeFigure,
    Story,
    StoryApproval,
    StoryQuote,
    StoryStatus,
    TestimonialRequest,
)

S = StoryStatus
# What curators still have to act on (the queue's default view).
WAITING = (S.NOMINATED, S.DRAFT, S.IN_REVIEW)

# The kinds in /stories/nominate/<kind>/<pk>/, each with what its visibility check reads.
NOMINATABLE = {
    "partnership": Partnership.objects.select_related("institution", "industry_partner"),
    "project": Opportunity.objects.select_related("organisation"),
    "placement": Placement.objects.select_related("organisation"),
    "event": Event.objects.select_related(
        "organisation", "partnership__institution", "partnership__industry_partner"
    ),
}


def story_page_url(story: Story) -> str:
    """The story's own page (curators and its organisations see it before publication)."""
    return reverse("stories:detail", args=[story.slug])


def collaboration_of(story: Story):
    """The collaboration a story is about (the first linked one), for titles and links."""
    return story.partnership or story.opportunity or story.placement or story.event


def collaboration_for_nomination(user, kind: str, pk: int):
    """The collaboration if this person may see it; 404 otherwise (never says it exists)."""
    if kind not in NOMINATABLE:
        raise Http404
    collaboration = NOMINATABLE[kind].filter(pk=pk).first()
    if collaboration is None or not services.can_view_collaboration(user, collaboration):
        raise Http404
    return collaboration


# --- The curation queue ---------------------------------------------------------------------


def curation_queue(user, *, status: str = "", q: str = "") -> QuerySet[Story]:
    """Stories for curators, oldest change first within the waiting ones; empty for others."""
    if not permissions.is_curator(user):
        return Story.objects.none()
    qs = Story.objects.filter(status=status) if status else Story.objects.filter(status__in=WAITING)
    if q:
        matching_orgs = Story.organisations.through.objects.filter(
            organisation__name__icontains=q
        ).values("story_id")
        qs = qs.filter(Q(title__icontains=q) | Q(summary__icontains=q) | Q(pk__in=matching_orgs))
    return (
        qs.select_related("nominated_by__profile")
        .prefetch_related(Prefetch("organisations", Organisation.objects.order_by("name")))
        .annotate(
            approvals_count=Count("approvals", distinct=True),
            answers_count=Count(
                "testimonial_requests",
                filter=Q(testimonial_requests__submitted_at__isnull=False),
                distinct=True,
            ),
        )
        .order_by("status_changed_at", "pk")
    )


def status_counts() -> dict[str, int]:
    """How many stories are in each status (every status present, zeros included)."""
    counts = dict.fromkeys(S.values, 0)
    for row in Story.objects.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    counts["waiting"] = sum(counts[s] for s in WAITING)
    return counts


def story_for_curation(pk: int) -> Story:
    """A story with everything the editor shows (404 if there is no such story)."""
    story = (
        Story.objects.filter(pk=pk)
        .select_related(
            "partnership", "opportunity", "placement", "event", "nominated_by__profile", "curator"
        )
        .prefetch_related(
            "sectors",
            Prefetch("organisations", Organisation.objects.order_by("name")),
            "images",
            Prefetch("quotes", StoryQuote.objects.select_related("user", "organisation")),
            Prefetch("figures", OutcomeFigure.objects.select_related("organisation")),
            Prefetch(
                "approvals",
                StoryApproval.objects.select_related("organisation", "approved_by__profile"),
            ),
            Prefetch(
                "testimonial_requests",
                queryset=TestimonialRequest.objects.select_related(
                    "organisation", "submitted_by__profile"
                ),
            ),
        )
        .first()
    )
    if story is None:
        raise Http404("No such story.")
    return story


# --- What people are asked to do ------------------------------------------------------------


def story_for_review(user, pk: int) -> Story:
    """A story for its sides (and curators) to read as it stands; 404 for anyone else."""
    story = story_for_curation(pk)
    if not permissions.can_read_for_review(user, story):
        raise Http404("No such story.")
    return story


def testimonial_request_for(user, token: str) -> TestimonialRequest:
    """The request this person may answer (or read back); 404 otherwise, so a token never
    reveals anything to someone outside the side asked."""
    request = (
        TestimonialRequest.objects.filter(token=token)
        .select_related(
            "story",
            "organisation",
            "opportunity__organisation",
            "placement__organisation",
            "submitted_by__profile",
        )
        .first()
    )
    if request is None or not permissions.can_answer_testimonial(user, request):
        raise Http404("No such request.")
    return request


def my_open_testimonial_requests(user) -> QuerySet[TestimonialRequest]:
    """Requests to my (verified) organisations still waiting for an answer."""
    from .selectors import open_testimonial_requests

    return (
        open_testimonial_requests(user)
        .filter(organisation__status="verified")
        .select_related("opportunity", "placement")
        .order_by("-created_at", "-pk")
    )


def my_answered_testimonial_requests(user) -> QuerySet[TestimonialRequest]:
    if not user.is_authenticated:
        return TestimonialRequest.objects.none()
    return (
        TestimonialRequest.objects.filter(
            submitted_at__isnull=False,
            organisation__in=Membership.objects.filter(user=user).values("organisation_id"),
        )
        .select_related("story", "organisation", "opportunity", "placement", "submitted_by")
        .order_by("-submitted_at", "-pk")
    )


def quotes_awaiting_my_consent(user) -> QuerySet[StoryQuote]:
    """My words in stories still being prepared that I have not consented to."""
    if not user.is_authenticated:
        return StoryQuote.objects.none()
    return (
        StoryQuote.objects.filter(
            user=user, consent_given_at__isnull=True, story__status__in=WAITING
        )
        .select_related("story")
        .order_by("-created_at", "-pk")
    )


def awaiting_my_approval(user) -> list[Story]:
    """Stories in review one of my organisations still has to approve, with those
    organisations' names (a thin wrapper over ``selectors.awaiting_my_approval``)."""
    from .selectors import awaiting_my_approval as awaiting

    return list(awaiting(user).order_by("status_changed_at", "pk"))
