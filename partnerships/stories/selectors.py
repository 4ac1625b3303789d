"""Reads for success stories: querysets already limited to what the reader may see."""

from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404

from partnerships.core.models import Sector
from partnerships.organisations.models import Kind, Membership, Organisation
from partnerships.organisations.permissions import member_organisation_ids

from . import permissions
from .models import (
    COLLABORATION_FIELDS,
    CollaborationKind,
    OutcomeFigure,
    Story,
    StoryImage,
    StoryQuote,
    StoryStatus,
)

# A card shows one picture and a few figures; the story page shows them all.
CARD_FIGURES = 3
FEED_SIZE = 30


def _with_parts(qs: QuerySet[Story]) -> QuerySet[Story]:
    return qs.select_related("partnership", "opportunity", "placement", "event").prefetch_related(
        "sectors", "organisations", "images", "figures"
    )


def _with_card_parts(qs: QuerySet[Story]) -> QuerySet[Story]:
    """What a story card shows, in one query per part whatever the number of cards: its
    organisations, its first image (``card_images``) and its first figures (``card_figures``)."""
    return qs.prefetch_related(
        Prefetch(
            "organisations",
            # Institutions first, then industry partners.
            queryset=Organisation.objects.only("pk", "name", "slug", "kind", "status").order_by(
                "-kind", "name"
            ),
        ),
        Prefetch(
            "images", queryset=StoryImage.objects.order_by("order", "pk")[:1], to_attr="card_images"
        ),
        Prefetch(
            "figures",
            queryset=OutcomeFigure.objects.order_by("order", "pk")[:CARD_FIGURES],
            to_attr="card_figures",
        ),
    )


PUBLIC_ORDER = ("-featured", "feature_order", "-published_at", "-pk")


def _published(
    *,
    q: str | None = None,
    sector: str | None = None,
    kind: str | None = None,
    institution: str | None = None,
    partner: str | None = None,
) -> QuerySet[Story]:
    qs = Story.objects.filter(status=StoryStatus.PUBLISHED)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(summary__icontains=q))
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
    return qs


def public_stories(
    *,
    q: str | None = None,
    sector: str | None = None,
    kind: str | None = None,
    institution: str | None = None,
    partner: str | None = None,
) -> QuerySet[Story]:
    """Published stories: featured first (in their order), then the newest.

    Filters: words in the title or summary, a sector slug, a kind of collaboration, an
    institution's or a partner's slug.
    """
    qs = _published(q=q, sector=sector, kind=kind, institution=institution, partner=partner)
    return _with_parts(qs).order_by(*PUBLIC_ORDER)


def showcase_stories(
    *,
    q: str | None = None,
    sector: str | None = None,
    kind: str | None = None,
    institution: str | None = None,
    partner: str | None = None,
) -> QuerySet[Story]:
    """The public showcase: ``public_stories`` with only what a card shows, so a page of cards
    costs the same few queries however many there are."""
    qs = _published(q=q, sector=sector, kind=kind, institution=institution, partner=partner)
    return _with_card_parts(qs).order_by(*PUBLIC_ORDER)


@dataclass(frozen=True)
class ShowcaseOptions:
    """The values the showcase filters offer: only those some published story has."""

    sectors: list[Sector]
    kinds: list[tuple[str, str]]
    institutions: list[Organisation]
    partners: list[Organisation]


def showcase_filter_options() -> ShowcaseOptions:
    """Filter choices in three queries; offering a value with no story would only lead to an
    empty page."""
    published = Q(stories__status=StoryStatus.PUBLISHED)
    sectors = list(Sector.objects.filter(published).distinct().order_by("name"))
    organisations = list(
        Organisation.objects.filter(published)
        .distinct()
        .only("pk", "name", "slug", "kind")
        .order_by("name")
    )
    counts = Story.objects.filter(status=StoryStatus.PUBLISHED).aggregate(
        **{
            kind: Count("pk", filter=Q(**{f"{field}__isnull": False}))
            for kind, field in COLLABORATION_FIELDS.items()
        }
    )
    return ShowcaseOptions(
        sectors=sectors,
        kinds=[(kind.value, kind.label) for kind in CollaborationKind if counts.get(kind)],
        institutions=[o for o in organisations if o.kind == Kind.INSTITUTION],
        partners=[o for o in organisations if o.kind == Kind.INDUSTRY],
    )


def story_page(user, slug: str) -> Story:
    """One story with what its page shows, or 404 for anyone who may not see it (an
    unpublished story exists only for curators and members of its organisations)."""
    story = (
        Story.objects.filter(slug=slug)
        .select_related(
            "partnership__institution",
            "partnership__industry_partner",
            "opportunity__organisation",
            "placement__organisation",
            "event__organisation",
        )
        .prefetch_related(
            Prefetch("sectors", queryset=Sector.objects.order_by("name")),
            Prefetch("organisations", queryset=Organisation.objects.order_by("-kind", "name")),
            "images",
            Prefetch("figures", queryset=OutcomeFigure.objects.select_related("organisation")),
        )
        .first()
    )
    if story is None or not permissions.can_view_story(user, story):
        raise Http404("No such story.")
    return story


def feed_stories(limit: int = FEED_SIZE) -> QuerySet[Story]:
    """The newest published stories for the Atom feed, by publication date."""
    return (
        Story.objects.filter(status=StoryStatus.PUBLISHED)
        .prefetch_related(
            Prefetch("sectors", queryset=Sector.objects.order_by("name")),
            Prefetch("organisations", queryset=Organisation.objects.only("pk", "name")),
        )
        .order_by("-published_at", "-pk")[:limit]
    )


def story_image_visible(user, name: str) -> bool:
    """A story's image files (original and renditions) follow the story: anyone may load them
    once it is published, otherwise only those who may see the story."""
    image = (
        StoryImage.objects.filter(Q(image=name) | Q(thumbnail=name) | Q(social_card=name))
        .select_related("story")
        .first()
    )
    return image is not None and permissions.can_view_story(user, image.story)


def _organisation_stories(organisation: Organisation, user=None) -> QuerySet[Story]:
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
    # Published first (what the public sees), newest first, then the ones in progress.
    return qs.order_by(F("published_at").desc(nulls_last=True), "-created_at", "-pk")


def organisation_stories(organisation: Organisation, user=None) -> QuerySet[Story]:
    """Stories an organisation is part of: published ones for everybody, all of them for its
    members and curators."""
    return _with_parts(_organisation_stories(organisation, user))


def organisation_story_cards(organisation: Organisation, user=None) -> QuerySet[Story]:
    """``organisation_stories`` with only what a card on the organisation's page shows."""
    return _with_card_parts(_organisation_stories(organisation, user))


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
    member_orgs = member_organisation_ids(user)
    if not member_orgs:
        return Story.objects.none()
    return (
        Story.objects.filter(status=StoryStatus.IN_REVIEW, organisations__in=member_orgs)
        .exclude(approvals__organisation_id__in=member_orgs)
        .distinct()
        .prefetch_related(Prefetch("organisations"))
    )


def open_testimonial_requests(user):
    from .models import TestimonialRequest

    member_orgs = member_organisation_ids(user)
    if not member_orgs:  # most people: no query at all
        return TestimonialRequest.objects.none()
    return TestimonialRequest.objects.filter(
        submitted_at__isnull=True,
        organisation_id__in=member_orgs,
        story__status__in=[StoryStatus.NOMINATED, StoryStatus.DRAFT],
    ).select_related("story", "organisation")
