"""Reads for opportunities, proposals and partnerships, filtered to what the user may see."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from partnerships.organisations.models import Membership
from partnerships.organisations.permissions import is_platform_admin

from .models import (
    LIVE_PROPOSAL_STATUSES,
    Opportunity,
    OpportunityStatus,
    Partnership,
    Proposal,
    Visibility,
)
from .search import search

DEADLINE_SOON = timedelta(days=14)


def _member_org_ids(user):
    return Membership.objects.filter(user=user).values("organisation_id")


def visible_opportunities(user) -> QuerySet[Opportunity]:
    """Published calls by visibility, plus every call of the person's own organisations."""
    qs = Opportunity.objects.all()
    if is_platform_admin(user):
        return qs
    published = ~Q(status=OpportunityStatus.DRAFT)
    if not user.is_authenticated:
        return qs.filter(published, visibility=Visibility.PUBLIC)
    return qs.filter(published | Q(organisation_id__in=_member_org_ids(user)))


def opportunity_browse(
    user,
    *,
    q: str = "",
    kind: str = "",
    sector: str = "",
    skill: str = "",
    organisation: str = "",
    remote: bool = False,
    open_only: bool = True,
    deadline_soon: bool = False,
) -> QuerySet[Opportunity]:
    qs = visible_opportunities(user).exclude(status=OpportunityStatus.DRAFT)
    if open_only:
        qs = qs.filter(status=OpportunityStatus.OPEN, deadline__gt=timezone.now())
    if kind:
        qs = qs.filter(kind=kind)
    if sector:
        qs = qs.filter(sectors__slug=sector)
    if skill:
        qs = qs.filter(skills__slug=skill)
    if organisation:
        qs = qs.filter(organisation__slug=organisation)
    if remote:
        qs = qs.filter(mode__in=["remote", "hybrid"])
    if deadline_soon:
        qs = qs.filter(deadline__lte=timezone.now() + DEADLINE_SOON)
    qs = search(qs, q, fallback_fields=("title", "summary", "description", "location"))
    ordering = ["-rank", "deadline", "pk"] if q and "rank" in qs.query.annotations else None
    qs = (
        qs.select_related("organisation")
        .prefetch_related("sectors", "skills")
        .defer("search_vector", "organisation__description")
    )
    if sector or skill:
        qs = qs.distinct()
    return qs.order_by(*(ordering or ["deadline", "pk"]))


def organisation_opportunities(user) -> QuerySet[Opportunity]:
    """Calls of the person's organisations, with live proposal counts, for dashboards."""
    return (
        Opportunity.objects.filter(organisation_id__in=_member_org_ids(user))
        .select_related("organisation")
        .annotate(
            live_proposals=Count(
                "proposals", filter=Q(proposals__status__in=LIVE_PROPOSAL_STATUSES)
            )
        )
        .order_by("-created_at", "pk")
    )


def proposals_for_opportunity(opportunity: Opportunity) -> QuerySet[Proposal]:
    return opportunity.proposals.select_related("organisation", "submitted_by__profile").order_by(
        "created_at", "pk"
    )


def visible_proposals(user) -> QuerySet[Proposal]:
    qs = Proposal.objects.select_related("opportunity__organisation", "organisation")
    if is_platform_admin(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    mine = _member_org_ids(user)
    return qs.filter(Q(organisation_id__in=mine) | Q(opportunity__organisation_id__in=mine))


def my_proposals(user) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(organisation_id__in=_member_org_ids(user))
        .select_related("opportunity__organisation", "organisation")
        .order_by("-created_at", "pk")
    )


def visible_partnerships(user) -> QuerySet[Partnership]:
    qs = Partnership.objects.select_related("institution", "industry_partner")
    if is_platform_admin(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    mine = _member_org_ids(user)
    return qs.filter(Q(institution_id__in=mine) | Q(industry_partner_id__in=mine))


def partnership_timeline(partnership: Partnership) -> list[dict]:
    """What the partnership has produced, newest first. Placements, events and stories join this
    list as those capabilities arrive."""
    items = [
        {"when": o.status_changed_at, "kind": "opportunity", "object": o}
        for o in partnership.opportunities.select_related("organisation").order_by("-created_at")
    ]
    return sorted(items, key=lambda item: item["when"], reverse=True)


def unanswered_proposals(days: int) -> QuerySet[Proposal]:
    cutoff = timezone.now() - timedelta(days=days)
    return Proposal.objects.filter(
        status="new", created_at__lte=cutoff, nudged_at__isnull=True
    ).select_related("opportunity__organisation", "opportunity__contact", "organisation")


def has_live_proposals():
    return Exists(
        Proposal.objects.filter(opportunity=OuterRef("pk"), status__in=LIVE_PROPOSAL_STATUSES)
    )
