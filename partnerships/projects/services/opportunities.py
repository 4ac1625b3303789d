"""Opportunities: create, edit, and move through their life cycle."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.activity.services import record_event
from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.core.mail import send_templated_email
from partnerships.core.validators import check_plausible_year
from partnerships.organisations.models import Organisation
from partnerships.organisations.permissions import membership_of

from ..models import (
    LIVE_PROPOSAL_STATUSES,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    OpportunityTransition,
)
from ..permissions import can_manage_opportunity, can_post_opportunity
from ..search import refresh_search_vector

S = OpportunityStatus

OPPORTUNITY_FIELDS = (
    "kind", "title", "summary", "description", "timeline", "commitment", "location", "mode",
    "deadline", "visibility", "ip_ownership", "student_credit", "is_paid", "payment_details",
    "deliverables", "contact",
)  # fmt: skip

# Allowed moves. "system" moves (expiry, agreement on acceptance) are made by services, not people.
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.OPEN, S.CANCELLED},
    S.OPEN: {S.REVIEWING, S.CANCELLED, S.EXPIRED, S.AGREED},
    S.REVIEWING: {S.OPEN, S.CANCELLED, S.AGREED},
    S.AGREED: {S.IN_PROGRESS, S.CANCELLED},
    S.IN_PROGRESS: {S.COMPLETED, S.CANCELLED},
    S.EXPIRED: {S.OPEN},
    S.COMPLETED: set(),
    S.CANCELLED: set(),
}


def _check_terms(data: dict[str, Any]) -> None:
    """Live briefs state their terms up front: IP, credit, pay and deliverables."""
    if data.get("kind") == OpportunityKind.LIVE_BRIEF:
        labels = {
            "ip_ownership": _("who owns the resulting IP"),
            "student_credit": _("how students are credited"),
            "deliverables": _("the deliverables"),
        }
        for field, label in labels.items():
            if not (data.get(field) or "").strip():
                raise DomainError(
                    _("A live brief must state %(what)s.") % {"what": label}, field=field
                )
    if data.get("is_paid") and not (data.get("payment_details") or "").strip():
        raise DomainError(
            _("Say how much students are paid (for example “£300 each”)."), field="payment_details"
        )


def _check_contact(organisation: Organisation, contact) -> None:
    if contact is not None and membership_of(contact, organisation) is None:
        raise DomainError(
            _("The contact person must be a member of %(org)s.") % {"org": organisation.name},
            field="contact",
        )


def _log(opportunity: Opportunity, *, actor, from_status: str, note: str = "") -> None:
    OpportunityTransition.objects.create(
        opportunity=opportunity,
        from_status=from_status,
        to_status=opportunity.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
    )


@transaction.atomic
def opportunity_create(
    *, actor, organisation: Organisation, sectors=(), skills=(), **data: Any
) -> Opportunity:
    """Create a draft call on behalf of a verified organisation the actor belongs to."""
    if not can_post_opportunity(actor, organisation):
        raise PermissionDenied(
            _("Only members of a verified organisation can post on its behalf."),
            code="not_verified_member",
        )
    unknown = set(data) - set(OPPORTUNITY_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    data.setdefault("contact", actor)
    _check_terms(data)
    check_plausible_year(data.get("deadline"), field="deadline")
    _check_contact(organisation, data["contact"])
    opportunity = Opportunity.objects.create(organisation=organisation, created_by=actor, **data)
    opportunity.sectors.set(sectors)
    opportunity.skills.set(skills)
    refresh_search_vector(Opportunity, opportunity.pk, Opportunity.SEARCH_WEIGHTS)
    _log(opportunity, actor=actor, from_status="")
    return opportunity


@transaction.atomic
def opportunity_update(
    *, actor, opportunity: Opportunity, sectors=None, skills=None, **data: Any
) -> Opportunity:
    unknown = set(data) - set(OPPORTUNITY_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    locked = (
        Opportunity.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=opportunity.pk)
    )
    if not can_manage_opportunity(actor, locked):
        raise PermissionDenied()
    if locked.status in (S.COMPLETED, S.CANCELLED):
        raise Conflict(
            _("A %(status)s call can no longer be edited.")
            % {"status": locked.get_status_display().lower()}
        )
    if "kind" in data and data["kind"] != locked.kind and locked.status != S.DRAFT:
        raise DomainError(_("The kind of a published call cannot change."), field="kind")
    merged = {f: getattr(locked, f) for f in OPPORTUNITY_FIELDS} | data
    _check_terms(merged)
    check_plausible_year(data.get("deadline"), field="deadline")
    _check_contact(locked.organisation, merged["contact"])
    if locked.status == S.OPEN and merged["deadline"] <= timezone.now():
        raise DomainError(
            _("The deadline of an open call must be in the future."), field="deadline"
        )
    for name, value in data.items():
        setattr(locked, name, value)
    locked.save()
    if sectors is not None:
        locked.sectors.set(sectors)
    if skills is not None:
        locked.skills.set(skills)
    refresh_search_vector(Opportunity, locked.pk, Opportunity.SEARCH_WEIGHTS)
    return locked


@transaction.atomic
def opportunity_transition(
    *, actor, opportunity: Opportunity, to: str, note: str = "", system: bool = False
) -> Opportunity:
    """Move a call to ``to`` if that move is allowed from where it is; record who and when."""
    locked = (
        Opportunity.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=opportunity.pk)
    )
    if not system and not can_manage_opportunity(actor, locked):
        raise PermissionDenied(
            _("Only members of %(org)s can change this call.") % {"org": locked.organisation.name}
        )
    if to not in TRANSITIONS[locked.status]:
        raise Conflict(
            _("A call that is %(current)s cannot become %(target)s.")
            % {"current": locked.get_status_display().lower(), "target": S(to).label.lower()},
            code="invalid_transition",
        )
    from_status = locked.status
    locked.status = to
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "status_changed_at", "updated_at"])
    _log(locked, actor=actor, from_status=from_status, note=note)
    return locked


@transaction.atomic
def opportunity_publish(*, actor, opportunity: Opportunity) -> Opportunity:
    """Open a draft (or expired) call for proposals and record ``opportunity.published``."""
    if opportunity.deadline <= timezone.now():
        raise DomainError(
            _("Set a deadline in the future before publishing."), field="deadline", code="deadline"
        )
    locked = opportunity_transition(actor=actor, opportunity=opportunity, to=S.OPEN)
    locked.published_at = locked.published_at or timezone.now()
    locked.save(update_fields=["published_at"])
    record_event(
        "opportunity.published",
        target=locked,
        actor=actor,
        organisation=locked.organisation,
        kind=locked.kind,
        sector_ids=list(locked.sectors.values_list("pk", flat=True)),
        skill_ids=list(locked.skills.values_list("pk", flat=True)),
    )
    return locked


@transaction.atomic
def opportunity_close(*, actor, opportunity: Opportunity) -> Opportunity:
    """Stop taking proposals early and review those received."""
    return opportunity_transition(actor=actor, opportunity=opportunity, to=S.REVIEWING)


@transaction.atomic
def opportunity_reopen(*, actor, opportunity: Opportunity) -> Opportunity:
    if opportunity.status == S.DRAFT:  # publishing records the event and the publication date
        raise Conflict(_("A draft is published, not reopened."), code="invalid_transition")
    if opportunity.deadline <= timezone.now():
        raise DomainError(_("Move the deadline into the future first."), field="deadline")
    return opportunity_transition(actor=actor, opportunity=opportunity, to=S.OPEN)


@transaction.atomic
def opportunity_start(*, actor, opportunity: Opportunity) -> Opportunity:
    return opportunity_transition(actor=actor, opportunity=opportunity, to=S.IN_PROGRESS)


@transaction.atomic
def opportunity_complete(*, actor, opportunity: Opportunity) -> Opportunity:
    locked = opportunity_transition(actor=actor, opportunity=opportunity, to=S.COMPLETED)
    record_event(
        "opportunity.completed", target=locked, actor=actor, organisation=locked.organisation
    )
    return locked


@transaction.atomic
def opportunity_cancel(*, actor, opportunity: Opportunity, reason: str = "") -> Opportunity:
    """Cancel a call; every organisation with a live proposal is told."""
    from .proposals import decline_remaining

    locked = opportunity_transition(
        actor=actor, opportunity=opportunity, to=S.CANCELLED, note=reason
    )
    decline_remaining(
        locked,
        actor=actor,
        message=_("The call was cancelled by %(org)s.") % {"org": locked.organisation.name},
    )
    return locked


def _owner_emails(opportunity: Opportunity) -> list[str]:
    emails = {opportunity.contact.email} if opportunity.contact_id else set()
    if opportunity.created_by_id:
        emails.add(opportunity.created_by.email)
    return sorted(emails)


def opportunities_close_expired(*, now=None, limit: int = 500) -> int:
    """Close open calls whose deadline has passed: to “reviewing” when proposals arrived,
    otherwise “expired”; owners are emailed. Safe to run twice and from several workers at once
    (rows are claimed with SKIP LOCKED and re-checked)."""
    now = now or timezone.now()
    closed = 0
    with transaction.atomic():
        claimed = list(
            Opportunity.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=S.OPEN, deadline__lte=now)
            .select_related("organisation", "contact", "created_by")
            .order_by("deadline", "pk")[:limit]
        )
        for opportunity in claimed:
            has_live = opportunity.proposals.filter(status__in=LIVE_PROPOSAL_STATUSES).count()
            target = S.REVIEWING if has_live else S.EXPIRED
            opportunity.status = target
            opportunity.status_changed_at = now
            opportunity.save(update_fields=["status", "status_changed_at", "updated_at"])
            _log(opportunity, actor=None, from_status=S.OPEN, note="deadline passed")
            send_templated_email(
                to=_owner_emails(opportunity),
                template="projects/opportunity_deadline_passed",
                context={
                    "opportunity": opportunity,
                    "proposal_count": has_live,
                    "url": f"{settings.SITE_URL}{opportunity.get_absolute_url()}",
                },
            )
            closed += 1
    return closed
