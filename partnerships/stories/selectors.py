"""Reads for success stories: querysets already limited to what the reader may see."""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from partnerships.organisations.models import Kind, Membership, Organisation

from . import permissions
from .models import COLLABORATION_FIELDS, Story, StoryQuote, StoryStatus


def _with_parts(qs: QuerySet[Story]) -> QuerySet[Story]:
    return qs.select_related("partnership", "opportunity", "placement", "event").prefetch_related(
        "sectors", "organisations", "images", "figures"
    )


def public_stories(
    *,
    sector: str | None = None,
    kind: str | None = None,
    institution: str | None = None,
    partner: str | None = None,
) -> QuerySet[Story]:
    """Published stories: featured first (in their order), then the newest.

    Filters: a sector slug, a kind of collaboration, an institution's or a partner's slug.
    """
    qs = Story.objects.filter(status=StoryStatus.PUBLISHED)
    if sector:
        qs = qs.filter(sectors__slug=sector)
    if kind:
        field = COLLABORATION_FIELDS.get(kind)
        if field is None:
            return qs.none()
        qs = qs.filter(**{f"{field}__isnull": False})
    if institution:
        qs = qs.filter(
            pk__in=Story.organisations.through.objects.filter(
                organisation__kind=Kind.INSTITUTION, organisation__slug=institution
            ).values("story_id")
        )
    if partner:
        qs = qs.filter(
            pk__in=Story.organisations.through.objects.filter(
                organisation__kind=Kind.INDUSTRY, organisation__slug=partner
            ).values("story_id")
        )
    return _with_parts(qs).order_by("-featured", "feature_order", "-published_at", "-pk")


def organisation_stories(organisation: Organisation, user=None) -> QuerySet[Story]:
    """Stories an organisation is part of: published ones for everybody, all of them for its
    members and curators."""
    qs = Story.objects.filter(organisations=organisation)
    can_see_all = user is not None and (
        permissions.is_curator(user)
        or (
            user.is_authenticated
            and Membership.objects.filter(user=user, organisation=organisation).exists()
        )
    )
    if not can_see_all:
        qs = qs.filter(status=StoryStatus.PUBLISHED)
    return _with_parts(qs).order_by("-published_at", "-created_at", "-pk")


def visible_stories(user) -> QuerySet[Story]:
    """Every story this person may see: published ones, plus their organisations' stories
    (curators see all)."""
    if permissions.is_curator(user):
        return Story.objects.all()
    q = Q(status=StoryStatus.PUBLISHED)
    if user.is_authenticated:
        member_orgs = Membership.objects.filter(user=user).values("organisation_id")
        q |= Q(
            pk__in=Story.organisations.through.objects.filter(
                organisation_id__in=member_orgs
            ).values("story_id")
        )
    return Story.objects.filter(q)


def visible_story(user, pk: int) -> Story:
    """One story with what its page shows, or 404 for anyone who may not see it."""
    story = (
        _with_parts(Story.objects.filter(pk=pk))
        .prefetch_related("quotes", "approvals__organisation")
        .first()
    )
    if story is None or not permissions.can_view_story(user, story):
        raise Http404("No such story.")
    return story


def publishable_quotes(story: Story) -> QuerySet[StoryQuote]:
    """Only quotes whose person consented are ever shown publicly."""
    return story.quotes.filter(consent_given_at__isnull=False)


def curation_queue(user, *, status: str | None = None) -> QuerySet[Story]:
    if not permissions.is_curator(user):
        return Story.objects.none()
    qs = Story.objects.exclude(status=StoryStatus.ARCHIVED)
    if status:
        qs = qs.filter(status=status)
    return _with_parts(qs).order_by("status", "-created_at")


def awaiting_my_approval(user) -> QuerySet[Story]:
    """Stories in review that one of this person's organisations has not approved yet."""
    if not user.is_authenticated:
        return Story.objects.none()
    member_orgs = list(
        Membership.objects.filter(user=user).values_list("organisation_id", flat=True)
    )
    return (
        Story.objects.filter(status=StoryStatus.IN_REVIEW, organisations__in=member_orgs)
        .exclude(approvals__organisation_id__in=member_orgs)
        .distinct()
        .prefetch_related(Prefetch("organisations"))
    )


def open_testimonial_requests(user):
    from .models import TestimonialRequest

    if not user.is_authenticated:
        return TestimonialRequest.objects.none()
    return TestimonialRequest.objects.filter(
        submitted_at__isnull=True,
        organisation__in=Membership.objects.filter(user=user).values("organisation_id"),
        story__status__in=[StoryStatus.NOMINATED, StoryStatus.DRAFT],
    ).select_related("story", "organisation")
