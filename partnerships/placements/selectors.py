"""Reads for placements and applications, filtered to what the user may see, already joined.

Privacy: a student sees only their own applications; a studio only the applications to its own
placements (never drafts); placement officers only their institution's students' submitted
applications; platform admins everything.
"""

import datetime

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    prefetch_related_objects,
)
from django.db.models.functions import Cast
from django.utils import timezone

from partnerships.organisations.models import MANAGER_ROLES, Kind, Membership, Organisation, Status
from partnerships.organisations.permissions import is_platform_admin
from partnerships.projects.search import search

from .models import (
    LIVE_APPLICATION_STATUSES,
    TAKEN_STATUSES,
    Application,
    ApplicationNote,
    ApplicationStatus,
    ApplicationTransition,
    Placement,
    PlacementApproval,
    PlacementOfficer,
    PlacementStatus,
)
from .permissions import can_view_notes, is_studio

A = ApplicationStatus


def _member_org_ids(user):
    return Membership.objects.filter(user=user).values("organisation_id")


def officer_institution_ids(user):
    """Institutions this person is an officer of and still a member of (verified only)."""
    return PlacementOfficer.objects.filter(
        user=user,
        institution__status=Status.VERIFIED,
        institution__memberships__user=user,
    ).values("institution_id")


def managed_institutions(user) -> QuerySet[Organisation]:
    """Verified institutions this person owns or administers (their placement settings)."""
    return Organisation.objects.filter(
        kind=Kind.INSTITUTION,
        status=Status.VERIFIED,
        memberships__user=user,
        memberships__role__in=MANAGER_ROLES,
    ).order_by("name")


# A card shows neither: left in the table, the rows PostgreSQL ranks and sorts stay narrow.
CARD_DEFERRED = ("description", "search_vector", "organisation__description")


def _with_cards(qs: QuerySet[Placement]) -> QuerySet[Placement]:
    return qs.select_related("organisation", "sector").prefetch_related(
        "required_skills", "nice_skills"
    )


def visible_placements(user) -> QuerySet[Placement]:
    """Published placements for everyone, plus drafts of the person's own organisations."""
    qs = Placement.objects.all()
    if is_platform_admin(user):
        return qs
    published = ~Q(status=PlacementStatus.DRAFT)
    if not user.is_authenticated:
        return qs.filter(published)
    return qs.filter(published | Q(organisation_id__in=_member_org_ids(user)))


def placement_browse(
    user,
    *,
    q: str = "",
    kind: str = "",
    sector: str = "",
    skill: str = "",
    mode: str = "",
    paid_only: bool = False,
    location: str = "",
    level: str = "",
    deadline_before: datetime.datetime | None = None,
    open_only: bool = True,
) -> QuerySet[Placement]:
    """Published placements (open ones unless ``open_only`` is off), filtered and ranked.

    The same list for everyone, ``user`` included: drafts are never listed, and everything
    else is public. (Starting from ``visible_placements(user)`` added its OR with the person's
    own organisations, which kept PostgreSQL off the status index: 11 ms per count.)"""
    qs = Placement.objects.exclude(status=PlacementStatus.DRAFT)
    if open_only:
        qs = qs.filter(status=PlacementStatus.OPEN, deadline__gt=timezone.now())
    if kind:
        qs = qs.filter(kind=kind)
    if sector:
        qs = qs.filter(sector__slug=sector)
    if skill:
        # EXISTS rather than a join: a placement asking for the skill twice is listed once,
        # without DISTINCT (which would keep the rank and ordering columns in the SELECT).
        wanted = {"placement_id": OuterRef("pk"), "skill__slug": skill}
        qs = qs.filter(
            Exists(Placement.required_skills.through.objects.filter(**wanted))
            | Exists(Placement.nice_skills.through.objects.filter(**wanted))
        )
    if mode:
        qs = qs.filter(mode=mode)
    if paid_only:
        qs = qs.filter(is_paid=True)
    if location:
        qs = qs.filter(location__icontains=location)
    if level:
        # A JSON list of level strings, compared as text so it works on every database.
        qs = qs.annotate(levels_text=Cast("eligible_levels", output_field=TextField())).filter(
            Q(eligible_levels=[]) | Q(levels_text__contains=f'"{level}"')
        )
    if deadline_before:
        qs = qs.filter(deadline__lte=deadline_before)
    qs = search(qs, q, fallback_fields=("title", "description", "location"))
    ordering = ["-rank", "deadline", "pk"] if q and "rank" in qs.query.annotations else None
    return _with_cards(qs).order_by(*(ordering or ["deadline", "pk"]))


def placement_cards(ids: list[int]) -> QuerySet[Placement]:
    """The placements a browse page shows, by id, with what a card needs and nothing more
    (the description and search vector stay in the table)."""
    return _with_cards(Placement.objects.filter(pk__in=ids)).defer(*CARD_DEFERRED)


def organisation_placements(user) -> QuerySet[Placement]:
    """The person's studios' placements with pipeline counts, for dashboards."""
    return (
        _with_cards(Placement.objects.filter(organisation_id__in=_member_org_ids(user)))
        .annotate(
            live_applications=Count(
                "applications", filter=Q(applications__status__in=LIVE_APPLICATION_STATUSES)
            ),
            accepted_applications=Count(
                "applications", filter=Q(applications__status__in=TAKEN_STATUSES)
            ),
        )
        .order_by("-created_at", "pk")
    )


def _application_qs() -> QuerySet[Application]:
    return Application.objects.select_related(
        "placement__organisation", "student__profile", "institution", "approval"
    )


def visible_applications(user) -> QuerySet[Application]:
    qs = _application_qs()
    if not user.is_authenticated:
        return qs.none()
    if is_platform_admin(user):
        return qs.exclude(~Q(student=user) & Q(status=A.DRAFT))
    submitted = ~Q(status=A.DRAFT)
    return qs.filter(
        Q(student=user)
        | (submitted & Q(placement__organisation_id__in=_member_org_ids(user)))
        | (submitted & Q(institution_id__in=officer_institution_ids(user)))
    )


def student_applications(user) -> QuerySet[Application]:
    return _application_qs().filter(student=user).order_by("-created_at", "pk")


def placement_pipeline(user, placement: Placement, *, stage: str = "") -> QuerySet[Application]:
    """A studio's applicants to one placement (drafts never), optionally one stage."""
    if not (is_studio(user, placement) or is_platform_admin(user)):
        return Application.objects.none()
    qs = _application_qs().filter(placement=placement).exclude(status=A.DRAFT)
    if stage:
        qs = qs.filter(status=stage)
    return qs.prefetch_related("answers__question").order_by("submitted_at", "pk")


def pipeline_counts(placement: Placement) -> dict[str, int]:
    rows = (
        placement.applications.exclude(status=A.DRAFT)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["status"]: row["n"] for row in rows}


def officer_applications(user) -> QuerySet[Application]:
    return (
        _application_qs()
        .filter(institution_id__in=officer_institution_ids(user))
        .exclude(status=A.DRAFT)
        .order_by("-status_changed_at", "pk")
    )


def officer_placements(user) -> QuerySet[Placement]:
    """Placements the officer's students have applied to."""
    ids = officer_applications(user).values("placement_id")
    return _with_cards(Placement.objects.filter(pk__in=ids)).order_by("deadline", "pk")


def pending_approvals(user) -> QuerySet[PlacementApproval]:
    return (
        PlacementApproval.objects.filter(
            institution_id__in=officer_institution_ids(user), status="pending"
        )
        .select_related("application__placement__organisation", "application__student__profile")
        .prefetch_related("checked_items")
        .order_by("created_at", "pk")
    )


def application_timeline(application: Application) -> QuerySet[ApplicationTransition]:
    """What the student always sees: every move of their application."""
    return application.transitions.select_related("actor__profile").order_by("created_at", "pk")


def application_notes(user, application: Application) -> QuerySet[ApplicationNote]:
    if not can_view_notes(user, application):
        return ApplicationNote.objects.none()
    return application.notes.select_related("author__profile").order_by("created_at", "pk")


def with_questions(placement: Placement) -> Placement:
    """The placement already read (and checked), with its questions and skills: prefetched onto
    it rather than read again."""
    prefetch_related_objects([placement], "questions", "required_skills", "nice_skills")
    return placement
