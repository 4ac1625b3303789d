"""Placements: create, edit, and move through draft → open → closed → filled."""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import StudyLevel
from partnerships.activity.services import record_event
from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.core.mail import send_templated_email
from partnerships.core.validators import check_plausible_year
from partnerships.organisations.models import MANAGER_ROLES, Organisation
from partnerships.organisations.permissions import membership_of
from partnerships.projects.search import refresh_search_vector

from ..models import (
    Application,
    ApplicationStatus,
    Placement,
    PlacementQuestion,
    PlacementStatus,
    PlacementTransition,
)
from ..permissions import can_manage_placement, can_post_placement

S = PlacementStatus

PLACEMENT_FIELDS = (
    "kind", "title", "description", "sector", "location", "mode", "is_paid", "pay_amount",
    "pay_currency", "pay_period", "hours_per_week", "duration", "start_date", "end_date",
    "positions", "deadline", "eligible_levels", "contact",
)  # fmt: skip

# Allowed moves. "filled" is reached only by accepting the last position (a system move).
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.OPEN},
    S.OPEN: {S.CLOSED, S.FILLED},
    S.CLOSED: {S.OPEN, S.FILLED},
    S.FILLED: set(),
}
MAX_QUESTIONS = 10


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def lock_placement(pk: int) -> Placement:
    """Lock the placement row for the rest of the transaction (SELECT … FOR UPDATE).

    Every change to an application's stage locks its placement first, then the application, so
    capacity counts cannot race and locks are always taken in the same order.
    """
    return (
        Placement.objects.select_for_update(of=("self",))
        .select_related("organisation", "contact", "created_by")
        .get(pk=pk)
    )


def studio_emails(placement: Placement) -> list[str]:
    """The contact and the poster; if neither is still a member, the studio's managers."""
    emails = {
        user.email
        for user in (placement.contact, placement.created_by)
        if user is not None and membership_of(user, placement.organisation) is not None
    }
    if not emails:
        emails = set(
            placement.organisation.memberships.filter(role__in=MANAGER_ROLES).values_list(
                "user__email", flat=True
            )
        )
    return sorted(emails)


def _clean(data: dict[str, Any], organisation: Organisation) -> dict[str, Any]:
    unknown = set(data) - set(PLACEMENT_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    for name in ("title", "description"):
        if name in data:
            data[name] = (data[name] or "").strip()
            if not data[name]:
                raise DomainError(_("This field cannot be empty."), field=name)
    if "pay_amount" in data and data["pay_amount"] not in (None, ""):
        try:
            data["pay_amount"] = Decimal(str(data["pay_amount"]))
        except InvalidOperation:
            raise DomainError(_("Give the pay as a number."), field="pay_amount") from None
    if "pay_currency" in data:
        data["pay_currency"] = (data["pay_currency"] or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", data["pay_currency"]):
            raise DomainError(
                _("Give the currency as a three-letter code such as GBP."), field="pay_currency"
            )
    if "positions" in data and (not isinstance(data["positions"], int) or data["positions"] < 1):
        raise DomainError(_("Offer at least one position."), field="positions")
    if "eligible_levels" in data:
        levels = list(dict.fromkeys(data["eligible_levels"] or []))
        if set(levels) - set(StudyLevel.values):
            raise DomainError(_("Choose levels from the list."), field="eligible_levels")
        data["eligible_levels"] = levels
    check_plausible_year(data.get("deadline"), field="deadline")
    contact = data.get("contact")
    if contact is not None and membership_of(contact, organisation) is None:
        raise DomainError(
            _("The contact person must be a member of %(org)s.") % {"org": organisation.name},
            field="contact",
        )
    return data


def _check_merged(placement: Placement) -> None:
    if placement.is_paid:
        if placement.pay_amount is None or placement.pay_amount <= 0:
            raise DomainError(
                _("A paid placement states its pay (an amount above zero)."), field="pay_amount"
            )
        if not placement.pay_period:
            raise DomainError(_("Say what period the pay is for."), field="pay_period")
    elif placement.pay_amount is not None:
        raise DomainError(_("An unpaid placement has no pay amount."), field="pay_amount")
    if placement.start_date and placement.end_date and placement.end_date < placement.start_date:
        raise DomainError(_("The end date must be on or after the start date."), field="end_date")


def _set_questions(placement: Placement, questions) -> None:
    """Replace the questions: a list of dicts with ``text`` and optional ``required``."""
    if (
        Application.objects.filter(placement=placement)
        .exclude(status=ApplicationStatus.DRAFT)
        .exists()
    ):
        raise Conflict(
            _("Students have already applied, so the questions can no longer change."),
            field="questions",
        )
    questions = list(questions)
    if len(questions) > MAX_QUESTIONS:
        raise DomainError(
            _("Ask at most %(max)d questions.") % {"max": MAX_QUESTIONS}, field="questions"
        )
    placement.questions.all().delete()
    PlacementQuestion.objects.bulk_create(
        PlacementQuestion(
            placement=placement,
            text=str(q["text"]).strip()[:500],
            required=bool(q.get("required", True)),
            order=number,
        )
        for number, q in enumerate(questions)
        if str(q.get("text", "")).strip()
    )


def _log(placement: Placement, *, actor, from_status: str, note: str = "") -> None:
    PlacementTransition.objects.create(
        placement=placement,
        from_status=from_status,
        to_status=placement.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
    )


@transaction.atomic
def placement_create(
    *,
    actor,
    organisation: Organisation,
    required_skills=(),
    nice_skills=(),
    eligible_institutions=(),
    questions=(),
    **data: Any,
) -> Placement:
    """Create a draft placement on behalf of a verified industry partner the actor belongs to."""
    if not can_post_placement(actor, organisation):
        raise PermissionDenied(
            _("Only members of a verified industry partner can post placements for it."),
            code="not_verified_member",
        )
    missing = {"kind", "title", "description", "deadline"} - set(data)
    if missing:
        raise DomainError(_("Missing fields: %s") % ", ".join(sorted(missing)))
    data.setdefault("contact", actor)
    data = _clean(dict(data), organisation)
    placement = Placement(organisation=organisation, created_by=actor, **data)
    _check_merged(placement)
    placement.save()
    placement.required_skills.set(required_skills)
    placement.nice_skills.set(nice_skills)
    placement.eligible_institutions.set(eligible_institutions)
    _set_questions(placement, questions)
    refresh_search_vector(Placement, placement.pk, Placement.SEARCH_WEIGHTS)
    _log(placement, actor=actor, from_status="")
    return placement


@transaction.atomic
def placement_update(
    *,
    actor,
    placement: Placement,
    required_skills=None,
    nice_skills=None,
    eligible_institutions=None,
    questions=None,
    **data: Any,
) -> Placement:
    locked = lock_placement(placement.pk)
    if not can_manage_placement(actor, locked):
        raise PermissionDenied(
            _("Only members of %(org)s can change this placement.")
            % {"org": locked.organisation.name}
        )
    if locked.status == S.FILLED:
        raise Conflict(_("A filled placement can no longer be edited."))
    data = _clean(dict(data), locked.organisation)
    if "kind" in data and data["kind"] != locked.kind and locked.status != S.DRAFT:
        raise DomainError(_("The kind of a published placement cannot change."), field="kind")
    for name, value in data.items():
        setattr(locked, name, value)
    _check_merged(locked)
    if locked.status == S.OPEN and locked.deadline <= timezone.now():
        raise DomainError(
            _("The deadline of an open placement must be in the future."), field="deadline"
        )
    if "positions" in data:
        from .applications import seats_held

        held = seats_held(locked)
        if locked.positions < held:
            raise Conflict(
                _("%(held)d position(s) are already offered or accepted; keep at least that many.")
                % {"held": held},
                field="positions",
            )
    locked.save()
    if required_skills is not None:
        locked.required_skills.set(required_skills)
    if nice_skills is not None:
        locked.nice_skills.set(nice_skills)
    if eligible_institutions is not None:
        locked.eligible_institutions.set(eligible_institutions)
    if questions is not None:
        _set_questions(locked, questions)
    refresh_search_vector(Placement, locked.pk, Placement.SEARCH_WEIGHTS)
    if locked.status == S.OPEN:
        # Who it suits may have changed: matching re-scores it (nobody is notified again).
        record_event(
            "placement.updated", target=locked, actor=actor, organisation=locked.organisation
        )
    return locked


def set_status(placement: Placement, to: str, *, actor, note: str = "") -> None:
    """Move an already locked placement and record it (callers have checked the move)."""
    from_status = placement.status
    placement.status = to
    placement.status_changed_at = timezone.now()
    placement.save(update_fields=["status", "status_changed_at", "updated_at"])
    _log(placement, actor=actor, from_status=from_status, note=note)


@transaction.atomic
def placement_transition(
    *, actor, placement: Placement, to: str, note: str = "", system: bool = False
) -> Placement:
    locked = lock_placement(placement.pk)
    if not system and not can_manage_placement(actor, locked):
        raise PermissionDenied(
            _("Only members of %(org)s can change this placement.")
            % {"org": locked.organisation.name}
        )
    if to not in TRANSITIONS[locked.status]:
        raise Conflict(
            _("A placement that is %(current)s cannot become %(target)s.")
            % {"current": locked.get_status_display().lower(), "target": S(to).label.lower()},
            code="invalid_transition",
        )
    set_status(locked, to, actor=actor, note=note)
    return locked


@transaction.atomic
def placement_publish(*, actor, placement: Placement) -> Placement:
    """Open a draft for applications and record ``placement.published`` (for matching)."""
    if placement.status != S.DRAFT:
        raise Conflict(_("Only a draft can be published."), code="invalid_transition")
    if placement.deadline <= timezone.now():
        raise DomainError(
            _("Set an application deadline in the future before publishing."),
            field="deadline",
            code="deadline",
        )
    locked = placement_transition(actor=actor, placement=placement, to=S.OPEN)
    locked.published_at = locked.published_at or timezone.now()
    locked.save(update_fields=["published_at"])
    record_event(
        "placement.published",
        target=locked,
        actor=actor,
        organisation=locked.organisation,
        kind=locked.kind,
        sector_id=locked.sector_id,
        required_skill_ids=list(locked.required_skills.values_list("pk", flat=True)),
        nice_skill_ids=list(locked.nice_skills.values_list("pk", flat=True)),
        is_paid=locked.is_paid,
        eligible_levels=locked.eligible_levels,
    )
    return locked


@transaction.atomic
def placement_close(*, actor, placement: Placement, note: str = "") -> Placement:
    """Stop taking applications by hand; the pipeline of submitted applications continues."""
    return placement_transition(actor=actor, placement=placement, to=S.CLOSED, note=note)


@transaction.atomic
def placement_reopen(*, actor, placement: Placement) -> Placement:
    if placement.status != S.CLOSED:
        raise Conflict(_("Only a closed placement can be reopened."), code="invalid_transition")
    if placement.deadline <= timezone.now():
        raise DomainError(_("Move the deadline into the future first."), field="deadline")
    return placement_transition(actor=actor, placement=placement, to=S.OPEN)


def placements_close_expired(*, now=None, limit: int = 500) -> int:
    """Close open placements whose deadline has passed and tell their owners. Safe to run twice
    and from several workers at once: rows are claimed with SKIP LOCKED, only open rows move."""
    now = now or timezone.now()
    closed = 0
    with transaction.atomic():
        claimed = list(
            Placement.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=S.OPEN, deadline__lte=now)
            .select_related("organisation", "contact", "created_by")
            .order_by("deadline", "pk")[:limit]
        )
        for placement in claimed:
            set_status(placement, S.CLOSED, actor=None, note="deadline passed")
            live = placement.applications.exclude(status=ApplicationStatus.DRAFT).count()
            send_templated_email(
                to=studio_emails(placement),
                template="placements/deadline_passed",
                context={"placement": placement, "application_count": live},
            )
            closed += 1
    return closed
