"""Reads: organisations and their people, filtered to what the user may see."""

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from .models import (
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    Membership,
    Organisation,
    Status,
)
from .permissions import is_platform_admin


def organisation_directory(
    *,
    q: str = "",
    kind: str = "",
    category: str = "",
    sector: str = "",
    location: str = "",
) -> QuerySet[Organisation]:
    """Verified organisations for the public directory, with their sectors prefetched."""
    qs = Organisation.objects.verified().prefetch_related("sectors")
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(description__icontains=q) | Q(location__icontains=q)
        )
    if kind:
        qs = qs.filter(kind=kind)
    if category:
        qs = qs.filter(category=category)
    if sector:
        qs = qs.filter(sectors__slug=sector)
    if location:
        qs = qs.filter(location__icontains=location)
    return qs.annotate(member_count=Count("memberships", distinct=True)).order_by("name", "pk")


def visible_organisations(user) -> QuerySet[Organisation]:
    """Verified ones for everybody; pending or rejected ones only for their members and admins."""
    qs = Organisation.objects.all()
    if is_platform_admin(user):
        return qs
    if user.is_authenticated:
        return qs.filter(Q(status=Status.VERIFIED) | Q(memberships__user=user)).distinct()
    return qs.filter(status=Status.VERIFIED)


def user_memberships(user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    """Owners first, then admins, then members."""
    rank = Case(
        When(role="owner", then=Value(0)),
        When(role="admin", then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        organisation.memberships.select_related("user", "user__profile")
        .annotate(role_rank=rank)
        .order_by("role_rank", "user__email")
    )


def open_invitations(organisation: Organisation) -> QuerySet[Invitation]:
    return organisation.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by__profile")


def pending_join_requests(organisation: Organisation) -> QuerySet[JoinRequest]:
    return organisation.join_requests.filter(status=JoinRequestStatus.PENDING).select_related(
        "user", "user__profile"
    )


def pending_join_requests_for_managers(user) -> QuerySet[JoinRequest]:
    return JoinRequest.objects.filter(
        status=JoinRequestStatus.PENDING,
        organisation__memberships__user=user,
        organisation__memberships__role__in=["owner", "admin"],
    ).select_related("user", "user__profile", "organisation")


def verification_queue() -> QuerySet[Organisation]:
    return (
        Organisation.objects.filter(status=Status.PENDING)
        .select_related("created_by__profile")
        .prefetch_related("sectors")
        .order_by("created_at", "pk")
    )
