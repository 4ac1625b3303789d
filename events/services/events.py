"""Events: create, edit, publish, cancel, complete; agenda sessions and speakers; messages.

Life cycle: draft → published → (cancelled | completed). Every change to a published event's
time, place, link or status raises its iCalendar SEQUENCE and tells the people registered.
"""

import datetime
import zoneinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.activity.services import record_event
from partnerships.core.errors import Conflict, DomainError, PermissionDenied, RateLimited
from partnerships.core.mail import send_templated_email
from partnerships.core.validators import check_plausible_year
from partnerships.organisations.models import MANAGER_ROLES, Organisation
from partnerships.projects.models import Partnership, PartnershipStatus
from partnerships.projects.search import refresh_search_vector

from .. import notify
from ..models import (
    ACTIVE_REGISTRATION_STATUSES,
    Admission,
    Audience,
    Event,
    EventFormat,
    EventMessage,
    EventSession,
    EventStatus,
    Registration,
    RegistrationStatus,
    Speaker,
)
from ..permissions import can_host_event, can_manage_event, organiser_organisations

S = EventStatus
R = RegistrationStatus
UNCHANGED: Any = object()  # a keyword left out, as opposed to None (clear the value)

EVENT_FIELDS = (
    "kind", "title", "summary", "description", "starts_at", "ends_at", "timezone", "format",
    "venue_name", "venue_address", "online_url", "capacity", "registration_opens_at",
    "registration_closes_at", "requires_approval", "audience", "partnership", "admission",
    "academic_staff_days",
)  # fmt: skip
# Knowledge-exchange reporting fields: organisers may still correct them once the event is held.
REPORTING_FIELDS = ("admission", "academic_staff_days")
# More than this for one event is a typing mistake (about forty people for a year).
MAX_STAFF_DAYS = Decimal("10000")
# Changing any of these changes what people put in their calendars.
CALENDAR_FIELDS = ("starts_at", "ends_at", "timezone", "format", "venue_name", "venue_address",
                   "online_url", "title")  # fmt: skip
MAX_SESSIONS = 100
MAX_SPEAKERS = 50
# Dates outside these years are typing mistakes, and calendars cannot describe them.
MAX_CAPACITY = 100_000
DATETIME_FIELDS = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")


def lock_event(pk: int) -> Event:
    """Lock the event row for the rest of the transaction (SELECT … FOR UPDATE).

    Every change of a registration's seat locks its event first, then the registration, so the
    capacity count cannot race and locks are always taken in the same order.
    """
    return (
        Event.objects.select_for_update(of=("self",))
        .select_related("organisation", "partnership__institution", "partnership__industry_partner")
        .get(pk=pk)
    )


def organiser_emails(event: Event) -> list[str]:
    """The person who created the event if still a member, else the organisers' managers."""
    organisations = organiser_organisations(event)
    creator = event.created_by
    if creator is not None and any(
        creator.memberships.filter(organisation=org).exists() for org in organisations
    ):
        return [creator.email]
    return sorted(
        set(
            Organisation.objects.filter(pk__in=[o.pk for o in organisations])
            .filter(memberships__role__in=MANAGER_ROLES)
            .values_list("memberships__user__email", flat=True)
        )
    )


def _refuse_unless_manager(actor, event: Event) -> None:
    if not can_manage_event(actor, event):
        raise PermissionDenied(
            _("Only the organisers of “%(title)s” can do that.") % {"title": event.title},
            code="not_organiser",
        )


def _clean(data: dict[str, Any], organisation: Organisation) -> dict[str, Any]:
    unknown = set(data) - set(EVENT_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    for name in ("title", "description"):
        if name in data:
            data[name] = (data[name] or "").strip()
            if not data[name]:
                raise DomainError(_("This field cannot be empty."), field=name)
    for name in ("summary", "venue_name", "venue_address", "online_url"):
        if name in data:
            data[name] = (data[name] or "").strip()
    if "timezone" in data:
        try:
            zoneinfo.ZoneInfo(data["timezone"] or "")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise DomainError(
                _("Choose a time zone from the list, such as Europe/London."), field="timezone"
            ) from None
    capacity = data.get("capacity")
    if capacity is not None and (not isinstance(capacity, int) or capacity < 1):
        raise DomainError(
            _("Give at least one seat, or leave the capacity empty for no limit."),
            field="capacity",
        )
    if capacity is not None and capacity > MAX_CAPACITY:
        raise DomainError(
            _("An event holds at most %(max)s people.") % {"max": f"{MAX_CAPACITY:,}"},
            field="capacity",
        )
    for name in DATETIME_FIELDS:
        check_plausible_year(data.get(name), field=name)
    _clean_reporting(data)
    partnership = data.get("partnership")
    if partnership is not None:
        if not isinstance(partnership, Partnership) or organisation.pk not in (
            partnership.institution_id,
            partnership.industry_partner_id,
        ):
            raise DomainError(
                _("Choose a partnership %(org)s is part of.") % {"org": organisation.name},
                field="partnership",
            )
        if partnership.status != PartnershipStatus.ACTIVE:
            raise DomainError(
                _("Only an active partnership can organise events together."),
                field="partnership",
            )
    return data


def _clean_reporting(data: dict[str, Any]) -> None:
    if "admission" in data and data["admission"] not in Admission.values:
        raise DomainError(_("Choose free or chargeable."), field="admission")
    if data.get("academic_staff_days") is not None:
        try:
            days = Decimal(str(data["academic_staff_days"]))
        except InvalidOperation:
            days = Decimal("NaN")
        if not days.is_finite() or days < 0 or days > MAX_STAFF_DAYS:
            raise DomainError(
                _("Give the academic staff time as a number of days from 0 to %(max)s.")
                % {"max": f"{MAX_STAFF_DAYS:,}"},
                field="academic_staff_days",
            )
        data["academic_staff_days"] = days.quantize(Decimal("0.01"))


def _check_merged(event: Event, audience_organisations) -> None:
    if event.starts_at is None or event.ends_at is None:
        raise DomainError(_("Give the start and end."), field="starts_at")
    if event.ends_at <= event.starts_at:
        raise DomainError(_("The event must end after it starts."), field="ends_at")
    if event.format in (EventFormat.IN_PERSON, EventFormat.HYBRID) and not (
        event.venue_name or event.venue_address
    ):
        raise DomainError(
            _("Say where it takes place: a venue or an address."), field="venue_address"
        )
    if event.format == EventFormat.IN_PERSON and event.online_url:
        raise DomainError(
            _("An in-person event has no online link; choose “In person and online”."),
            field="online_url",
        )
    opens, closes = event.registration_opens_at, event.registration_closes_at
    if closes and closes > event.ends_at:
        raise DomainError(
            _("Registration must close by the time the event ends."),
            field="registration_closes_at",
        )
    if opens and opens >= (closes or event.starts_at):
        raise DomainError(
            _("Registration must open before it closes."), field="registration_opens_at"
        )
    if event.audience == Audience.MEMBERS and not audience_organisations:
        raise DomainError(
            _("Choose at least one organisation whose members may attend."),
            field="audience_organisations",
        )


def _check_sessions_fit(event: Event) -> None:
    outside = event.sessions.exclude(starts_at__gte=event.starts_at, ends_at__lte=event.ends_at)
    if outside.exists():
        raise DomainError(
            _("Some agenda sessions fall outside the new times; move them first."),
            field="starts_at",
        )


@transaction.atomic
def event_create(
    *, actor, organisation: Organisation, sectors=(), audience_organisations=(), **data: Any
) -> Event:
    """Create a draft on behalf of a verified organisation the actor belongs to."""
    if not can_host_event(actor, organisation):
        raise PermissionDenied(
            _("Only members of a verified organisation can organise events for it."),
            code="not_verified_member",
        )
    missing = {"kind", "title", "description", "starts_at", "ends_at"} - set(data)
    if missing:
        raise DomainError(_("Missing fields: %s") % ", ".join(sorted(missing)))
    data = _clean(dict(data), organisation)
    event = Event(organisation=organisation, created_by=actor, **data)
    audience_organisations = list(audience_organisations)
    _check_merged(event, audience_organisations)
    if event.ends_at <= timezone.now():
        raise DomainError(_("The event must end in the future."), field="ends_at")
    event.save()
    event.sectors.set(sectors)
    event.audience_organisations.set(audience_organisations)
    refresh_search_vector(Event, event.pk, Event.SEARCH_WEIGHTS)
    return event


@transaction.atomic
def event_update(
    *, actor, event: Event, sectors=None, audience_organisations=None, **data: Any
) -> Event:
    """Edit an event. Raising the capacity moves waitlisted people in; a calendar-relevant
    change to a published event raises SEQUENCE and tells everyone registered."""
    from .registrations import fill_free_seats

    locked = lock_event(event.pk)
    _refuse_unless_manager(actor, locked)
    if locked.status in (S.CANCELLED, S.COMPLETED):
        raise Conflict(
            _("A %(status)s event can no longer be edited.")
            % {"status": locked.get_status_display().lower()}
        )
    data = dict(data)
    if "partnership" in data and getattr(data["partnership"], "pk", None) == locked.partnership_id:
        del data["partnership"]  # unchanged: a partnership paused since still keeps its events
    data = _clean(data, locked.organisation)
    before = {name: getattr(locked, name) for name in CALENDAR_FIELDS}
    for name, value in data.items():
        setattr(locked, name, value)
    audience = (
        list(audience_organisations)
        if audience_organisations is not None
        else list(locked.audience_organisations.all())
    )
    _check_merged(locked, audience)
    if locked.capacity is not None and locked.capacity < locked.seats_taken:
        raise Conflict(
            _("%(taken)d people already hold a place; keep at least that many seats.")
            % {"taken": locked.seats_taken},
            field="capacity",
        )
    _check_sessions_fit(locked)
    changed = [name for name in CALENDAR_FIELDS if getattr(locked, name) != before[name]]
    moved = {"starts_at", "ends_at"} & set(changed)
    if moved and locked.ends_at <= timezone.now():
        # People registered for what is still to come; an event is not moved into the past.
        raise DomainError(
            _("The event must end in the future."), field="ends_at", code="in_the_past"
        )
    if changed and locked.status == S.PUBLISHED:
        locked.sequence = F("sequence") + 1
    locked.save()
    locked.refresh_from_db()
    if sectors is not None:
        locked.sectors.set(sectors)
    if audience_organisations is not None:
        locked.audience_organisations.set(audience)
    refresh_search_vector(Event, locked.pk, Event.SEARCH_WEIGHTS)
    if locked.status == S.PUBLISHED:
        if changed:
            ids = locked.registrations.filter(status__in=ACTIVE_REGISTRATION_STATUSES).values_list(
                "pk", flat=True
            )
            notify.email_registrants(locked, "events/changed", ids)
            record_event(
                "event.changed",
                target=locked,
                actor=actor,
                organisation=locked.organisation,
                fields=changed,
            )
        fill_free_seats(locked, actor=actor)
    return locked


@transaction.atomic
def event_record_reporting(
    *, actor, event: Event, admission: str | None = None, academic_staff_days=UNCHANGED
) -> Event:
    """Record what knowledge-exchange reports need (HE-BCI Table 5): free or chargeable, and the
    academic staff time given to the event, in days of eight hours (``None`` clears it).

    Unlike ``event_update`` this works on held (completed) events too: staff time is usually
    only known afterwards. Cancelled events did not take place, so there is nothing to record.
    Changes nothing people put in their calendars, so nobody is emailed.
    """
    locked = lock_event(event.pk)
    _refuse_unless_manager(actor, locked)
    if locked.status == S.CANCELLED:
        raise Conflict(_("A cancelled event did not take place: there is nothing to record."))
    data: dict[str, Any] = {}
    if admission is not None:
        data["admission"] = admission
    if academic_staff_days is not UNCHANGED:
        data["academic_staff_days"] = academic_staff_days
    _clean_reporting(data)
    changed = [name for name, value in data.items() if getattr(locked, name) != value]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, data[name])
    locked.save(update_fields=[*changed, "updated_at"])
    record_event(
        "event.reporting_recorded", target=locked, actor=actor, organisation=locked.organisation,
        fields=changed,
    )  # fmt: skip
    return locked


@transaction.atomic
def event_publish(*, actor, event: Event) -> Event:
    """Open a draft to its audience and record ``event.published`` (for matching)."""
    locked = lock_event(event.pk)
    _refuse_unless_manager(actor, locked)
    if locked.status != S.DRAFT:
        raise Conflict(_("Only a draft can be published."), code="invalid_transition")
    now = timezone.now()
    if locked.registration_closes <= now:
        raise DomainError(
            _("Registration would already be closed: move the event or its closing time."),
            field="starts_at",
            code="in_the_past",
        )
    locked.status = S.PUBLISHED
    locked.status_changed_at = now
    locked.published_at = locked.published_at or now
    locked.save(update_fields=["status", "status_changed_at", "published_at", "updated_at"])
    record_event(
        "event.published",
        target=locked,
        actor=actor,
        organisation=locked.organisation,
        kind=locked.kind,
        audience=locked.audience,
        sector_ids=list(locked.sectors.values_list("pk", flat=True)),
        starts_at=locked.starts_at.isoformat(),
    )
    return locked


@transaction.atomic
def event_cancel(*, actor, event: Event, reason: str = "") -> Event:
    """Cancel a draft or published event; everyone registered is told, with a calendar update
    that removes it from their calendars."""
    locked = lock_event(event.pk)
    _refuse_unless_manager(actor, locked)
    if locked.status not in (S.DRAFT, S.PUBLISHED):
        raise Conflict(
            _("A %(status)s event cannot be cancelled.")
            % {"status": locked.get_status_display().lower()},
            code="invalid_transition",
        )
    reason = (reason or "").strip()
    was_published = locked.status == S.PUBLISHED
    if was_published and not reason:
        raise DomainError(
            _("Tell the people registered why the event is cancelled."), field="reason"
        )
    locked.status = S.CANCELLED
    locked.status_changed_at = timezone.now()
    locked.cancellation_reason = reason[:500]
    locked.sequence = F("sequence") + 1
    locked.save()
    locked.refresh_from_db()
    if was_published:
        ids = locked.registrations.filter(status__in=ACTIVE_REGISTRATION_STATUSES).values_list(
            "pk", flat=True
        )
        notify.email_registrants(locked, "events/cancelled", ids, reason=locked.cancellation_reason)
        record_event(
            "event.cancelled", target=locked, actor=actor, organisation=locked.organisation
        )
    return locked


@transaction.atomic
def event_complete(*, actor, event: Event, system: bool = False) -> Event:
    """Mark a published event as held, once it has started; attendance then counts."""
    locked = lock_event(event.pk)
    if not system:
        _refuse_unless_manager(actor, locked)
    if locked.status != S.PUBLISHED:
        raise Conflict(_("Only a published event can be completed."), code="invalid_transition")
    if locked.starts_at > timezone.now():
        raise Conflict(_("An event can be marked as held once it has started."))
    locked.status = S.COMPLETED
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "status_changed_at", "updated_at"])
    attended = locked.registrations.filter(checked_in_at__isnull=False).count()
    record_event(
        "event.completed",
        target=locked,
        actor=actor,
        organisation=locked.organisation,
        attended=attended,
        registered=locked.seats_taken,
    )
    return locked


def events_complete_ended(*, now=None, limit: int = 500) -> int:
    """Complete published events that ended; safe to run twice and from several workers."""
    now = now or timezone.now()
    done = 0
    with transaction.atomic():
        claimed = list(
            Event.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=S.PUBLISHED, ends_at__lte=now)
            .order_by("ends_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        for pk in claimed:
            event_complete(actor=None, event=Event(pk=pk), system=True)
            done += 1
    return done


# --- Agenda and speakers -------------------------------------------------------------------


def _check_editable(actor, event: Event) -> Event:
    locked = lock_event(event.pk)
    _refuse_unless_manager(actor, locked)
    if locked.status in (S.CANCELLED, S.COMPLETED):
        raise Conflict(_("The agenda of a finished or cancelled event can no longer change."))
    return locked


def _check_session_times(event: Event, starts_at, ends_at) -> None:
    if starts_at is None or ends_at is None:
        raise DomainError(_("Give the start and end of the session."), field="starts_at")
    if ends_at <= starts_at:
        raise DomainError(_("A session must end after it starts."), field="ends_at")
    if starts_at < event.starts_at or ends_at > event.ends_at:
        raise DomainError(
            _("A session must fall within the event (%(start)s – %(end)s).")
            % {
                "start": event.local_starts_at.strftime("%d %b %Y %H:%M"),
                "end": event.local_ends_at.strftime("%d %b %Y %H:%M"),
            },
            field="starts_at",
        )


@transaction.atomic
def session_save(
    *,
    actor,
    event: Event,
    session: EventSession | None = None,
    title: str,
    starts_at,
    ends_at,
    description: str = "",
    room: str = "",
) -> EventSession:
    """Add a session to the agenda, or change one."""
    locked = _check_editable(actor, event)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the session a title."), field="title")
    _check_session_times(locked, starts_at, ends_at)
    if session is None:
        if locked.sessions.count() >= MAX_SESSIONS:
            raise DomainError(_("An agenda holds at most %d sessions.") % MAX_SESSIONS)
        session = EventSession(event=locked)
    elif session.event_id != locked.pk:
        raise PermissionDenied(_("That session belongs to another event."))
    session.title = title[:200]
    session.description = (description or "").strip()[:4000]
    session.room = (room or "").strip()[:120]
    session.starts_at, session.ends_at = starts_at, ends_at
    session.save()
    return session


@transaction.atomic
def session_delete(*, actor, session: EventSession) -> None:
    _check_editable(actor, session.event)
    session.delete()


@transaction.atomic
def speaker_add(
    *,
    actor,
    event: Event,
    user=None,
    name: str = "",
    affiliation: str = "",
    session: EventSession | None = None,
) -> Speaker:
    """A speaker is a person on Tandem or simply a name (a guest without an account)."""
    locked = _check_editable(actor, event)
    name = (name or "").strip()
    if user is None and not name:
        raise DomainError(_("Choose a person on Tandem or type the speaker's name."), field="name")
    if session is not None and session.event_id != locked.pk:
        raise DomainError(_("That session belongs to another event."), field="session")
    if locked.speakers.count() >= MAX_SPEAKERS:
        raise DomainError(_("An event lists at most %d speakers.") % MAX_SPEAKERS)
    if user is not None and locked.speakers.filter(user=user, session=session).exists():
        raise Conflict(
            _("%(name)s is already listed as a speaker there.") % {"name": user.display_name}
        )
    return Speaker.objects.create(
        event=locked,
        session=session,
        user=user,
        name=name[:120],
        affiliation=(affiliation or "").strip()[:160],
        order=locked.speakers.count(),
    )


@transaction.atomic
def speaker_remove(*, actor, speaker: Speaker) -> None:
    _check_editable(actor, speaker.event)
    speaker.delete()


# --- Messages to registrants ----------------------------------------------------------------

MESSAGE_GROUPS = {
    EventMessage.Recipients.CONFIRMED: [R.CONFIRMED],
    EventMessage.Recipients.WAITLISTED: [R.WAITLISTED],
    EventMessage.Recipients.ALL: ACTIVE_REGISTRATION_STATUSES,
}


@transaction.atomic
def message_registrants(
    *, actor, event: Event, subject: str, body: str, recipients: str = "confirmed"
) -> EventMessage:
    """Email a group of registrants (each their own copy, replies go to the sender)."""
    locked = lock_event(event.pk)
    _refuse_unless_manager(actor, locked)
    if locked.status == S.DRAFT:
        raise Conflict(_("Publish the event before messaging anyone."))
    if recipients not in MESSAGE_GROUPS:
        raise DomainError(_("Choose who receives the message."), field="recipients")
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject:
        raise DomainError(_("Give the message a subject."), field="subject")
    if not body:
        raise DomainError(_("Write the message."), field="body")
    if len(subject) > 160:
        raise DomainError(_("Keep the subject under 160 characters."), field="subject")
    if len(body) > 5000:
        raise DomainError(_("Keep the message under 5,000 characters."), field="body")
    day_ago = timezone.now() - datetime.timedelta(days=1)
    if locked.messages.filter(created_at__gte=day_ago).count() >= settings.EVENT_MESSAGES_PER_DAY:
        raise RateLimited(
            _("This event has sent %(n)d messages in the last day; try again tomorrow.")
            % {"n": settings.EVENT_MESSAGES_PER_DAY}
        )
    ids = list(
        Registration.objects.filter(
            event=locked, status__in=MESSAGE_GROUPS[recipients], user__isnull=False
        ).values_list("pk", flat=True)
    )
    if not ids:
        raise Conflict(_("Nobody is in that group yet."), field="recipients")
    message = EventMessage.objects.create(
        event=locked,
        sender=actor,
        recipients=recipients,
        subject=subject,
        body=body,
        recipient_count=len(ids),
    )
    notify.email_registrants(
        locked,
        "events/message",
        ids,
        subject=subject,
        body=body,
        sender_name=actor.display_name,
        reply_to=[actor.email],
    )
    return message


def tell_organisers(event: Event, template: str, **context) -> None:
    """One email per organiser: the managers of two partner organisations do not all see each
    other's addresses."""
    for address in organiser_emails(event):
        send_templated_email(to=[address], template=template, context={"event": event, **context})
