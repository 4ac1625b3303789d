"""Registration: register, cancel, the waitlist, approval, check-in and reminders.

Capacity: every move that takes or frees a seat locks the event row first (``lock_event``), then
the registration, and updates ``Event.seats_taken`` in the same transaction; the database check
``event_never_overbooked`` refuses any write that would exceed the capacity. A freed seat goes to
the first person on the waitlist (in the order they joined), inside the same transaction.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.activity.services import record_event
from partnerships.core import page_cache
from partnerships.core.errors import Conflict, DomainError, PermissionDenied

from .. import notify
from ..models import Event, EventStatus, Registration, RegistrationStatus
from ..permissions import can_manage_event, can_register, can_view_event
from ..selectors import waitlist_position  # noqa: F401 - re-exported for callers
from .events import lock_event, tell_organisers

R = RegistrationStatus
S = EventStatus

CHECK_IN_OPENS_BEFORE = datetime.timedelta(hours=24)


def _lock_registration(pk: int) -> Registration:
    return Registration.objects.select_for_update(of=("self",)).select_related("user").get(pk=pk)


def _take_seats(event: Event, count: int) -> None:
    Event.objects.filter(pk=event.pk).update(seats_taken=F("seats_taken") + count)
    event.seats_taken += count
    page_cache.touch("event-seats")  # the visitors' pages and the event's card show them


def _free_seat(event: Event) -> None:
    Event.objects.filter(pk=event.pk).update(seats_taken=F("seats_taken") - 1)
    event.seats_taken -= 1
    page_cache.touch("event-seats")


def _waitlist_changed() -> None:
    page_cache.touch("event-seats")  # the visitors' event page counts the people waiting


def _has_free_seat(event: Event) -> bool:
    return event.capacity is None or event.seats_taken < event.capacity


def _confirm(registration: Registration, now) -> None:
    registration.status = R.CONFIRMED
    registration.confirmed_at = now
    registration.waitlisted_at = None


def _registration_closed_message(event: Event, state: str) -> str:
    if state == "not_yet":
        local = timezone.localtime(event.registration_opens_at, event.tzinfo)
        return _("Registration opens on %(when)s (%(zone)s).") % {
            "when": local.strftime("%d %b %Y, %H:%M"),
            "zone": event.timezone,
        }
    if state == "closed":
        return _("Registration for this event has closed.")
    if event.status == S.CANCELLED:
        return _("This event has been cancelled.")
    if event.status == S.COMPLETED:
        return _("This event has already taken place.")
    return _("This event is not open for registration.")


@transaction.atomic
def register(*, actor, event: Event) -> Registration:
    """Take a seat, join the waitlist, or ask for approval. Registering twice is harmless: it
    returns the registration the person already holds, with ``newly_registered`` False."""
    locked = lock_event(event.pk)
    if not can_view_event(actor, locked):
        raise PermissionDenied(_("This event is not open to you."), code="not_in_audience")
    if not can_register(actor, locked):
        raise PermissionDenied(
            _("This event is for %(audience)s.")
            % {"audience": locked.get_audience_display().lower()},
            code="not_in_audience",
        )
    existing = (
        Registration.objects.select_for_update(of=("self",))
        .filter(event=locked, user=actor)
        .first()
    )
    if existing is not None and existing.status in (R.PENDING, R.CONFIRMED, R.WAITLISTED):
        existing.newly_registered = False
        return existing  # a double click, or a second tab
    if existing is not None and existing.status == R.DECLINED:
        raise PermissionDenied(
            _("The organisers did not approve your registration for this event."),
            code="declined",
        )
    state = locked.registration_state()
    if state != "open":
        raise Conflict(_registration_closed_message(locked, state), code=f"registration_{state}")
    now = timezone.now()
    registration = existing or Registration(event=locked, user=actor, created_at=now)
    # A returning person starts afresh (but someone already reminded is not reminded twice).
    registration.cancelled_at = registration.confirmed_at = registration.promoted_at = None
    registration.waitlisted_at = registration.decided_by = None
    if locked.requires_approval and not can_manage_event(actor, locked):
        registration.status = R.PENDING
        template = "events/pending"
    elif _has_free_seat(locked):
        _confirm(registration, now)
        template = "events/confirmed"
    else:
        registration.status = R.WAITLISTED
        registration.waitlisted_at = now
        template = "events/waitlisted"
    registration.save()
    if registration.status == R.CONFIRMED:
        _take_seats(locked, 1)
    elif registration.status == R.WAITLISTED:
        _waitlist_changed()
    notify.email_registrants(locked, template, [registration.pk])
    if registration.status == R.PENDING:
        tell_organisers(locked, "events/approval_needed", person=actor)
    registration.newly_registered = True
    record_event(
        "event.registration.created",
        target=registration,
        actor=actor,
        organisation=locked.organisation,
        event_id=locked.pk,
        status=registration.status,
    )
    return registration


@transaction.atomic
def cancel_registration(*, actor, registration: Registration) -> Registration:
    """The attendee gives up their place (or an organiser removes them); the first person on
    the waitlist moves in at once."""
    event = lock_event(registration.event_id)
    locked = _lock_registration(registration.pk)
    is_self = locked.user_id == actor.pk
    if not is_self and not can_manage_event(actor, event):
        raise PermissionDenied(_("Only the person registered or the organisers can cancel it."))
    if locked.status not in (R.PENDING, R.CONFIRMED, R.WAITLISTED):
        raise Conflict(
            _("This registration is already %(status)s.")
            % {"status": locked.get_status_display().lower()},
            code="invalid_transition",
        )
    if locked.checked_in_at is not None:
        raise Conflict(_("You have already been checked in at this event."))
    if event.status == S.COMPLETED or event.ends_at <= timezone.now():
        raise Conflict(_("This event has already taken place."))
    held_seat = locked.status == R.CONFIRMED
    if locked.status == R.WAITLISTED:
        _waitlist_changed()
    locked.status = R.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.waitlisted_at = None
    locked.save()
    if held_seat:
        _free_seat(event)
    record_event(
        "event.registration.cancelled",
        target=locked,
        actor=actor,
        organisation=event.organisation,
        event_id=event.pk,
        by_organiser=not is_self,
    )
    if held_seat and event.status == S.PUBLISHED:
        fill_free_seats(event, actor=actor)
    return locked


def fill_free_seats(event: Event, *, actor=None) -> list[int]:
    """Move waitlisted people into free seats, first come first served. Call with the event row
    locked (inside the caller's transaction). Returns the promoted registration ids."""
    if event.status != S.PUBLISHED or event.starts_at <= timezone.now():
        return []
    if event.capacity is None:
        free = Registration.objects.filter(event=event, status=R.WAITLISTED).count()
    else:
        free = event.capacity - event.seats_taken
    if free <= 0:
        return []
    ids = list(
        Registration.objects.select_for_update(of=("self",))
        .filter(event=event, status=R.WAITLISTED)
        .order_by("waitlisted_at", "pk")
        .values_list("pk", flat=True)[:free]
    )
    if not ids:
        return []
    now = timezone.now()
    Registration.objects.filter(pk__in=ids).update(
        status=R.CONFIRMED, confirmed_at=now, promoted_at=now, waitlisted_at=None, updated_at=now
    )
    _take_seats(event, len(ids))
    notify.email_registrants(event, "events/promoted", ids)
    for pk in ids:
        record_event(
            "event.registration.promoted",
            target=Registration(pk=pk),
            actor=actor,
            organisation=event.organisation,
            event_id=event.pk,
        )
    return ids


def _organiser_move(actor, registration: Registration) -> tuple[Event, Registration]:
    event = lock_event(registration.event_id)
    if not can_manage_event(actor, event):
        raise PermissionDenied(
            _("Only the organisers of “%(title)s” can do that.") % {"title": event.title},
            code="not_organiser",
        )
    return event, _lock_registration(registration.pk)


@transaction.atomic
def approve_registration(*, actor, registration: Registration) -> Registration:
    """Approve a pending registration: a seat if one is free, otherwise the waitlist."""
    event, locked = _organiser_move(actor, registration)
    if locked.status != R.PENDING:
        raise Conflict(_("Only a registration awaiting approval can be approved."))
    if event.status != S.PUBLISHED:
        raise Conflict(_registration_closed_message(event, "unavailable"))
    now = timezone.now()
    locked.decided_by = actor
    if _has_free_seat(event):
        _confirm(locked, now)
        template = "events/confirmed"
    else:
        locked.status = R.WAITLISTED
        locked.waitlisted_at = now
        template = "events/waitlisted"
    locked.save()
    if locked.status == R.CONFIRMED:
        _take_seats(event, 1)
    else:
        _waitlist_changed()
    notify.email_registrants(event, template, [locked.pk])
    record_event(
        "event.registration.approved",
        target=locked,
        actor=actor,
        organisation=event.organisation,
        event_id=event.pk,
        status=locked.status,
    )
    return locked


@transaction.atomic
def decline_registration(*, actor, registration: Registration, reason: str = "") -> Registration:
    """Turn down a pending or waitlisted registration, kindly and with an optional reason."""
    event, locked = _organiser_move(actor, registration)
    if locked.status not in (R.PENDING, R.WAITLISTED):
        raise Conflict(_("Only a pending or waitlisted registration can be declined."))
    if event.status != S.PUBLISHED:
        raise Conflict(_registration_closed_message(event, "unavailable"))
    if locked.status == R.WAITLISTED:
        _waitlist_changed()
    locked.status = R.DECLINED
    locked.decided_by = actor
    locked.waitlisted_at = None
    locked.save()
    notify.email_registrants(event, "events/declined", [locked.pk], reason=(reason or "")[:500])
    record_event(
        "event.registration.declined",
        target=locked,
        actor=actor,
        organisation=event.organisation,
        event_id=event.pk,
    )
    return locked


@transaction.atomic
def check_in(*, actor, registration: Registration, undo: bool = False) -> Registration:
    """Record (or undo) attendance at the door. Opens a day before the start."""
    event, locked = _organiser_move(actor, registration)
    if event.status not in (S.PUBLISHED, S.COMPLETED):
        raise Conflict(_("Check-in is only possible for a published or completed event."))
    if timezone.now() < event.starts_at - CHECK_IN_OPENS_BEFORE:
        raise Conflict(_("Check-in opens 24 hours before the event starts."))
    if locked.status != R.CONFIRMED:
        raise Conflict(
            _("Only people with a confirmed place can be checked in (this one is %(status)s).")
            % {"status": locked.get_status_display().lower()}
        )
    if undo:
        locked.checked_in_at, locked.checked_in_by = None, None
    elif locked.checked_in_at is None:  # twice at the door is still once
        locked.checked_in_at, locked.checked_in_by = timezone.now(), actor
    locked.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
    return locked


def send_due_reminders(*, now=None, limit: int = 2000) -> int:
    """Remind confirmed attendees of events starting within ``EVENT_REMINDER_HOURS``.

    Exactly once: rows are claimed (``reminder_sent_at`` set) under SKIP LOCKED in the same
    transaction that queues the emails, so a second run, or a second worker, finds nothing to do.
    The email task re-checks the status, so someone who cancels meanwhile is not reminded.
    """
    now = now or timezone.now()
    window = datetime.timedelta(hours=settings.EVENT_REMINDER_HOURS)
    with transaction.atomic():
        claimed = list(
            Registration.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                status=R.CONFIRMED,
                reminder_sent_at__isnull=True,
                event__status=S.PUBLISHED,
                event__starts_at__gt=now,
                event__starts_at__lte=now + window,
            )
            .order_by("event_id", "pk")
            .values_list("pk", "event_id")[:limit]
        )
        if not claimed:
            return 0
        Registration.objects.filter(pk__in=[pk for pk, _event in claimed]).update(
            reminder_sent_at=now
        )
        by_event: dict[int, list[int]] = {}
        for pk, event_id in claimed:
            by_event.setdefault(event_id, []).append(pk)
        for event_id, ids in by_event.items():
            notify.email_registrants(Event(pk=event_id), "events/reminder", ids)
    return len(claimed)


def validate_capacity(event: Event) -> None:
    """Raise if the stored seat count disagrees with the registrations (used by tests/ops)."""
    confirmed = event.registrations.filter(status=R.CONFIRMED).count()
    if confirmed != event.seats_taken:
        raise DomainError(
            f"Event {event.pk}: seats_taken={event.seats_taken} but {confirmed} confirmed."
        )
