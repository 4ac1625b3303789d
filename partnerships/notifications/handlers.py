"""Which domain events notify whom. New opportunities are matched (set-based SQL); changes to
someone's own application, proposal, registration or approval notify the people involved.

Workflow changes already send their service email from the change itself, so their in-app
notifications are marked as emailed (no second email); matches follow the person's preference.
"""

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerships.activity.models import DomainEvent

from .models import NotificationType as T
from .outbox import direct, handles, insert_rows

STUDIO_MOVES = {
    "under_review": gettext_lazy("Your application for “%(title)s” is being reviewed"),
    "shortlisted": gettext_lazy("You are shortlisted for “%(title)s”"),
    "interview": gettext_lazy("You are invited to interview for “%(title)s”"),
    "offered": gettext_lazy("You have an offer for “%(title)s”"),
    "rejected": gettext_lazy("An update on your application for “%(title)s”"),
    "completed": gettext_lazy("Your placement “%(title)s” is marked as completed"),
}
STUDENT_MOVES = {
    "submitted": gettext_lazy("New application from %(name)s for “%(title)s”"),
    "accepted": gettext_lazy("%(name)s accepted your offer for “%(title)s”"),
    "declined": gettext_lazy("%(name)s declined your offer for “%(title)s”"),
    "withdrawn": gettext_lazy("%(name)s withdrew their application for “%(title)s”"),
}


# --- New opportunities: matching ----------------------------------------------------------


@handles("placement.published")
def placement_published(event: DomainEvent) -> int:
    """Match the new placement against every student in one statement."""
    from partnerships.matching.placements import fanout_sql
    from partnerships.placements.models import Placement, PlacementStatus

    placement = Placement.objects.filter(pk=event.target_id, status=PlacementStatus.OPEN).first()
    if placement is None:
        return 0  # withdrawn before we got to it: tell nobody
    sql, params = fanout_sql(
        placement, event_id=event.pk, min_score=settings.MATCHING_NOTIFY_MIN_SCORE
    )
    written = insert_rows(sql, params, event_id=event.pk)
    if connection.vendor != "postgresql":  # PostgreSQL stored them in the same statement
        store_recommendations(placement)
    return written


def store_recommendations(placement, *, replace: bool = False) -> None:
    from partnerships.matching.models import PlacementRecommendation
    from partnerships.matching.placements import recommendations_sql

    if replace:
        PlacementRecommendation.objects.filter(placement=placement).delete()
    sql, params = recommendations_sql(placement)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@handles("placement.updated")
def placement_updated(event: DomainEvent) -> int:
    """An open placement was edited (skills, place, eligibility …): re-score who it suits for
    recommendations. Nobody is notified again."""
    from partnerships.placements.models import Placement, PlacementStatus

    placement = Placement.objects.filter(pk=event.target_id, status=PlacementStatus.OPEN).first()
    if placement is not None:
        store_recommendations(placement, replace=True)
    return 0


@handles("opportunity.published")
def opportunity_published(event: DomainEvent) -> int:
    """Members of organisations on the other side that suit the call."""
    from partnerships.matching.organisations import fanout_sql, target_for_opportunity
    from partnerships.projects.models import Opportunity, OpportunityStatus

    opportunity = (
        Opportunity.objects.filter(
            pk=event.target_id, status=OpportunityStatus.OPEN, organisation__status="verified"
        )
        .select_related("organisation")
        .first()
    )
    if opportunity is None:
        return 0
    sql, params = fanout_sql(
        target_for_opportunity(opportunity),
        event_id=event.pk,
        min_score=settings.MATCHING_NOTIFY_MIN_SCORE,
    )
    return insert_rows(sql, params, event_id=event.pk)


@handles("curriculum_review.opened")
def curriculum_review_opened(event: DomainEvent) -> int:
    """Industry organisations in the review's sectors, as possible reviewers."""
    from partnerships.curriculum.models import CurriculumReview
    from partnerships.matching.organisations import fanout_sql, target_for_review

    review = CurriculumReview.objects.filter(
        pk=event.target_id, status="open", institution__status="verified"
    ).first()
    if review is None:
        return 0
    sql, params = fanout_sql(
        target_for_review(review), event_id=event.pk, min_score=settings.MATCHING_NOTIFY_MIN_SCORE
    )
    return insert_rows(sql, params, event_id=event.pk)


@handles("event.published")
def event_published(event: DomainEvent) -> int:
    """People in the audience whose sectors, place and role suit the event."""
    from events.models import Event, EventStatus
    from partnerships.matching.events import fanout_sql

    target = (
        Event.objects.filter(pk=event.target_id, status=EventStatus.PUBLISHED)
        .select_related("partnership")
        .first()
    )
    if target is None:
        return 0
    sql, params = fanout_sql(target, event_id=event.pk, min_score=settings.MATCHING_EVENT_MIN_SCORE)
    return insert_rows(sql, params, event_id=event.pk)


# --- Placements: applications and approvals -----------------------------------------------


def _studio_user_ids(placement) -> list[int]:
    from partnerships.organisations.models import MANAGER_ROLES, Membership

    members = set(
        Membership.objects.filter(
            organisation_id=placement.organisation_id,
            user_id__in=[placement.contact_id, placement.created_by_id],
        ).values_list("user_id", flat=True)
    )
    if not members:
        members = set(
            Membership.objects.filter(
                organisation_id=placement.organisation_id, role__in=MANAGER_ROLES
            ).values_list("user_id", flat=True)
        )
    return sorted(members)


@handles(*(f"application.{stage}" for stage in (*STUDIO_MOVES, *STUDENT_MOVES)))
def application_moved(event: DomainEvent) -> int:
    from django.urls import reverse

    from partnerships.placements.models import Application

    application = (
        Application.objects.filter(pk=event.target_id)
        .select_related("placement", "student__profile")
        .first()
    )
    if application is None:
        return 0
    stage = event.name.split(".", 1)[1]
    placement = application.placement
    names = {"title": placement.title, "name": application.student_name}
    if stage in STUDIO_MOVES:
        recipients = [application.student_id]
        title = str(STUDIO_MOVES[stage]) % names
        url = reverse("placements:application", kwargs={"pk": application.pk})
    else:
        recipients = _studio_user_ids(placement)
        title = str(STUDENT_MOVES[stage]) % names
        url = reverse("placements:pipeline", kwargs={"pk": placement.pk})
    return direct(
        event, T.APPLICATION, recipients, title=title, url=url, target=application,
        already_emailed=True,
    )  # fmt: skip


@handles("approval.approved", "approval.refused")
def approval_decided(event: DomainEvent) -> int:
    from django.urls import reverse

    from partnerships.placements.models import PlacementApproval

    approval = (
        PlacementApproval.objects.filter(pk=event.target_id)
        .select_related("application__placement")
        .first()
    )
    if approval is None:
        return 0
    application = approval.application
    approved = event.name == "approval.approved"
    title = (
        _("Your university approved the placement “%(title)s”")
        if approved
        else _("Your university did not approve the placement “%(title)s”")
    ) % {"title": application.placement.title}
    recipients = [application.student_id, *_studio_user_ids(application.placement)]
    url = reverse("placements:application", kwargs={"pk": application.pk})
    return direct(
        event, T.APPROVAL, recipients, title=title, url=url, target=approval,
        already_emailed=True,
    )  # fmt: skip


# --- Proposals --------------------------------------------------------------------------------


@handles(
    "proposal.submitted",
    "proposal.shortlisted",
    "proposal.accepted",
    "proposal.declined",
    "proposal.withdrawn",
)
def proposal_moved(event: DomainEvent) -> int:
    from partnerships.projects.models import Proposal

    proposal = (
        Proposal.objects.filter(pk=event.target_id)
        .select_related("opportunity", "organisation")
        .first()
    )
    if proposal is None:
        return 0
    call = proposal.opportunity
    names = {"title": call.title, "org": proposal.organisation.name}
    if event.name in ("proposal.submitted", "proposal.withdrawn"):
        recipients = [call.contact_id or call.created_by_id]
        title = (
            _("New proposal from %(org)s for “%(title)s”")
            if event.name == "proposal.submitted"
            else _("%(org)s withdrew its proposal for “%(title)s”")
        ) % names
    else:
        recipients = [proposal.submitted_by_id]
        title = {
            "proposal.shortlisted": _("Your proposal for “%(title)s” is shortlisted"),
            "proposal.accepted": _("Your proposal for “%(title)s” was accepted"),
            "proposal.declined": _("An update on your proposal for “%(title)s”"),
        }[event.name] % names
    return direct(
        event, T.PROPOSAL, recipients, title=title, url=proposal.get_absolute_url(),
        target=proposal, already_emailed=True,
    )  # fmt: skip


# --- Event registrations ----------------------------------------------------------------------


@handles(
    "event.registration.promoted",
    "event.registration.approved",
    "event.registration.declined",
)
def registration_changed(event: DomainEvent) -> int:
    from events.models import Registration

    registration = Registration.objects.filter(pk=event.target_id).select_related("event").first()
    if registration is None:
        return 0
    title = {
        "event.registration.promoted": _("A place opened up: you are going to “%(title)s”"),
        "event.registration.approved": _("Your registration for “%(title)s” was approved"),
        "event.registration.declined": _("An update on your registration for “%(title)s”"),
    }[event.name] % {"title": registration.event.title}
    return direct(
        event, T.REGISTRATION, [registration.user_id], title=title,
        url=registration.event.get_absolute_url(), target=registration.event,
        already_emailed=True,
    )  # fmt: skip


@handles("event.cancelled")
def event_cancelled(event: DomainEvent) -> int:
    from events.models import ACTIVE_REGISTRATION_STATUSES, Event

    cancelled = Event.objects.filter(pk=event.target_id).first()
    if cancelled is None:
        return 0
    people = cancelled.registrations.filter(status__in=ACTIVE_REGISTRATION_STATUSES).values_list(
        "user_id", flat=True
    )
    return direct(
        event, T.REGISTRATION, list(people),
        title=_("Cancelled: “%(title)s”") % {"title": cancelled.title},
        url=cancelled.get_absolute_url(), target=cancelled, already_emailed=True,
    )  # fmt: skip


from . import saved_search_alerts  # noqa: E402, F401 - registered after the matching handlers
