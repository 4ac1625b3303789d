"""Events: create, publish, edit, cancel, complete, agenda, speakers, messages, reminders."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from events import services, tasks
from events.models import (
    Audience,
    Event,
    EventFormat,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from partnerships.activity.models import DomainEvent
from partnerships.core.errors import Conflict, DomainError, PermissionDenied, RateLimited

from .conftest import EventFactory, RegistrationFactory, in_days, make_students

R = RegistrationStatus
S = EventStatus
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_on_commit")]


def lecture(**overrides):
    data = {
        "kind": EventKind.GUEST_LECTURE,
        "title": "From sketch to shipped game",
        "description": "Our art director on **real-time** pipelines.",
        "starts_at": in_days(7),
        "ends_at": in_days(7) + datetime.timedelta(hours=2),
        "timezone": "Europe/London",
        "format": EventFormat.IN_PERSON,
        "venue_name": "Lecture Theatre 1",
        "venue_address": "1 College Road, Manchester",
        "capacity": 60,
    }
    data.update(overrides)
    return data


def test_verified_members_create_drafts(studio, studio_member, sector):
    event = services.event_create(
        actor=studio_member, organisation=studio, sectors=[sector], **lecture()
    )
    assert event.status == S.DRAFT and event.created_by == studio_member
    assert list(event.sectors.all()) == [sector]


@pytest.fixture
def sector(db):
    from partnerships.core.models import Sector

    return Sector.objects.first()


def test_pending_and_outside_organisations_cannot_host(
    studio, pending_studio, pending_owner, other_owner, student
):
    for actor, org in ((pending_owner, pending_studio), (other_owner, studio), (student, studio)):
        with pytest.raises(PermissionDenied):
            services.event_create(actor=actor, organisation=org, **lecture())


def test_universities_host_too(university, lecturer):
    event = services.event_create(actor=lecturer, organisation=university, **lecture())
    assert event.organisation == university


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": in_days(6)}, "ends_at"),
        ({"venue_name": "", "venue_address": ""}, "venue_address"),
        ({"online_url": "https://meet.example.org/x"}, "online_url"),
        ({"capacity": 0}, "capacity"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"registration_closes_at": in_days(9)}, "registration_closes_at"),
        ({"registration_opens_at": in_days(8)}, "registration_opens_at"),
        ({"audience": Audience.MEMBERS}, "audience_organisations"),
        ({"title": "  "}, "title"),
    ],
)
def test_bad_input_names_the_field(studio, studio_owner, overrides, field):
    with pytest.raises(DomainError) as excinfo:
        services.event_create(actor=studio_owner, organisation=studio, **lecture(**overrides))
    assert excinfo.value.field == field
    assert Event.objects.count() == 0


def test_an_event_in_the_past_cannot_be_created(studio, studio_owner):
    with pytest.raises(DomainError):
        services.event_create(
            actor=studio_owner,
            organisation=studio,
            **lecture(starts_at=in_days(-2), ends_at=in_days(-2) + datetime.timedelta(hours=1)),
        )


def test_partnership_must_be_active_and_include_the_organiser(
    studio, university, other_studio, studio_owner
):
    from partnerships.projects.models import Partnership, PartnershipStatus

    proposed = Partnership.objects.create(
        institution=university, industry_partner=studio, title="Proposed"
    )
    with pytest.raises(DomainError, match="active"):
        services.event_create(
            actor=studio_owner, organisation=studio, **lecture(partnership=proposed)
        )
    theirs = Partnership.objects.create(
        institution=university,
        industry_partner=other_studio,
        title="Not ours",
        status=PartnershipStatus.ACTIVE,
    )
    with pytest.raises(DomainError, match="part of"):
        services.event_create(
            actor=studio_owner, organisation=studio, **lecture(partnership=theirs)
        )


def test_publish_records_the_domain_event(draft_event, studio_owner):
    event = services.event_publish(actor=studio_owner, event=draft_event)
    assert event.status == S.PUBLISHED and event.published_at
    recorded = DomainEvent.objects.get(name="event.published")
    assert recorded.target_id == event.pk and recorded.payload["kind"] == event.kind
    with pytest.raises(Conflict):
        services.event_publish(actor=studio_owner, event=event)


def test_outsiders_cannot_publish_or_edit(draft_event, other_owner, student):
    for actor in (other_owner, student):
        with pytest.raises(PermissionDenied):
            services.event_publish(actor=actor, event=draft_event)
        with pytest.raises(PermissionDenied):
            services.event_update(actor=actor, event=draft_event, title="Mine now")


def test_platform_admins_may_moderate(draft_event, platform_admin):
    services.event_update(actor=platform_admin, event=draft_event, title="Retitled by admin")
    draft_event.refresh_from_db()
    assert draft_event.title == "Retitled by admin"


def test_changing_time_tells_everyone_registered(event, studio_owner):
    people = make_students(2)
    for person in people:
        services.register(actor=person, event=event)
    mail.outbox.clear()
    services.event_update(
        actor=studio_owner, event=event, venue_name="Studio 2", venue_address="5 Mill St"
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert all("has changed" in m.subject and m.attachments for m in mail.outbox)
    assert all(len(m.to) == 1 for m in mail.outbox)  # nobody sees the others' addresses


def test_cancelling_tells_each_registrant_and_needs_a_reason(event, studio_owner):
    a, b, c = make_students(3)
    event.capacity = 2
    event.save()
    for person in (a, b, c):
        services.register(actor=person, event=event)
    with pytest.raises(DomainError, match="why"):
        services.event_cancel(actor=studio_owner, event=event)
    mail.outbox.clear()
    services.event_cancel(actor=studio_owner, event=event, reason="Speaker unwell")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, b.email, c.email])
    event.refresh_from_db()
    assert event.status == S.CANCELLED
    with pytest.raises(Conflict):
        services.register(actor=make_students(1, prefix="late")[0], event=event)


def test_a_draft_is_cancelled_quietly(draft_event, studio_owner):
    services.event_cancel(actor=studio_owner, event=draft_event)
    assert not mail.outbox


def test_complete_only_after_it_started(event, studio_owner):
    with pytest.raises(Conflict, match="started"):
        services.event_complete(actor=studio_owner, event=event)
    Event.objects.filter(pk=event.pk).update(
        starts_at=in_days(-1), ends_at=in_days(-1) + datetime.timedelta(hours=2)
    )
    done = services.event_complete(actor=studio_owner, event=event)
    assert done.status == S.COMPLETED
    with pytest.raises(Conflict):
        services.event_update(actor=studio_owner, event=done, title="Too late")


def test_beat_completes_ended_events_once(studio):
    ended = EventFactory(
        organisation=studio,
        starts_at=in_days(-2),
        ends_at=in_days(-2) + datetime.timedelta(hours=2),
    )
    upcoming = EventFactory(organisation=studio)
    assert tasks.complete_ended_events() == 1
    assert tasks.complete_ended_events() == 0
    ended.refresh_from_db()
    upcoming.refresh_from_db()
    assert (ended.status, upcoming.status) == (S.COMPLETED, S.PUBLISHED)


# --- Agenda and speakers ------------------------------------------------------------------


def test_conference_agenda_sessions_within_the_event(event, studio_owner, lecturer):
    keynote = services.session_save(
        actor=studio_owner,
        event=event,
        title="Keynote",
        starts_at=event.starts_at,
        ends_at=event.starts_at + datetime.timedelta(minutes=45),
        room="Main hall",
    )
    with pytest.raises(DomainError, match="within the event"):
        services.session_save(
            actor=studio_owner,
            event=event,
            title="After hours",
            starts_at=event.ends_at,
            ends_at=event.ends_at + datetime.timedelta(hours=1),
        )
    speaker = services.speaker_add(actor=studio_owner, event=event, user=lecturer, session=keynote)
    guest = services.speaker_add(
        actor=studio_owner, event=event, name="Dr Rae Okafor", affiliation="Games researcher"
    )
    assert speaker.display_name == "Lena" and guest.display_name == "Dr Rae Okafor"
    with pytest.raises(Conflict):
        services.speaker_add(actor=studio_owner, event=event, user=lecturer, session=keynote)
    with pytest.raises(DomainError):
        services.speaker_add(actor=studio_owner, event=event)
    # Moving the event away from its sessions is refused until they are moved.
    with pytest.raises(DomainError, match="sessions"):
        services.event_update(
            actor=studio_owner,
            event=event,
            starts_at=event.starts_at + datetime.timedelta(days=1),
            ends_at=event.ends_at + datetime.timedelta(days=1),
        )


def test_outsiders_cannot_edit_the_agenda(event, other_owner):
    with pytest.raises(PermissionDenied):
        services.session_save(
            actor=other_owner,
            event=event,
            title="Hijack",
            starts_at=event.starts_at,
            ends_at=event.ends_at,
        )
    with pytest.raises(PermissionDenied):
        services.speaker_add(actor=other_owner, event=event, name="Someone")


# --- Messages --------------------------------------------------------------------------------


def test_message_goes_to_the_chosen_group_each_privately(event, studio_owner):
    event.capacity = 1
    event.save()
    a, b = make_students(2)
    services.register(actor=a, event=event)
    services.register(actor=b, event=event)
    mail.outbox.clear()
    message = services.message_registrants(
        actor=studio_owner,
        event=event,
        recipients="waitlisted",
        subject="Overflow room",
        body="We are opening an overflow room with a live stream.",
    )
    assert message.recipient_count == 1
    (sent,) = mail.outbox
    assert sent.to == [b.email] and sent.reply_to == [studio_owner.email]
    assert "Overflow room" in sent.subject and "live stream" in sent.body


def test_messages_are_limited_per_day(event, studio_owner, settings):
    settings.EVENT_MESSAGES_PER_DAY = 2
    services.register(actor=make_students(1)[0], event=event)
    for number in range(2):
        services.message_registrants(
            actor=studio_owner, event=event, subject=f"Update {number}", body="Details."
        )
    with pytest.raises(RateLimited):
        services.message_registrants(
            actor=studio_owner, event=event, subject="One more", body="Details."
        )


def test_message_refusals(event, studio_owner, other_owner):
    with pytest.raises(Conflict, match="Nobody"):
        services.message_registrants(actor=studio_owner, event=event, subject="Hi", body="Hi")
    with pytest.raises(PermissionDenied):
        services.message_registrants(actor=other_owner, event=event, subject="Hi", body="Hi")
    with pytest.raises(DomainError) as excinfo:
        services.message_registrants(actor=studio_owner, event=event, subject="", body="Hi")
    assert excinfo.value.field == "subject"


# --- Reminders -------------------------------------------------------------------------------


@pytest.fixture
def tomorrow(studio):
    start = timezone.now() + datetime.timedelta(hours=20)
    return EventFactory(
        organisation=studio, starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )


def test_reminder_job_twice_sends_one_email_each(tomorrow, studio):
    a, b, c = make_students(3)
    RegistrationFactory(event=tomorrow, user=a)
    RegistrationFactory(event=tomorrow, user=b)
    RegistrationFactory(event=tomorrow, user=c, status=R.CANCELLED)
    next_week = EventFactory(organisation=studio)  # outside the 24-hour window
    RegistrationFactory(event=next_week, user=a)

    assert tasks.send_event_reminders() == 2
    assert tasks.send_event_reminders() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, b.email])
    assert all(
        m.subject.startswith("[Tandem] Reminder") or "Reminder" in m.subject for m in mail.outbox
    )
    assert all(m.attachments for m in mail.outbox)


def test_someone_who_cancels_after_the_claim_is_not_reminded(tomorrow, monkeypatch):
    """The job claims rows, then the person cancels before the email task runs."""
    a, b = make_students(2)
    reg_a = RegistrationFactory(event=tomorrow, user=a)
    RegistrationFactory(event=tomorrow, user=b)
    from events import notify

    queued = []
    monkeypatch.setattr(notify, "enqueue_after_commit", lambda task, **kw: queued.append(kw))
    tasks.send_event_reminders()
    services.cancel_registration(actor=a, registration=reg_a)
    for kwargs in queued:
        if kwargs["template"] == "events/reminder":
            tasks.email_registrants(**kwargs)
    assert [m.to for m in mail.outbox if "Reminder" in m.subject] == [[b.email]]


def test_reminder_window_is_configurable(tomorrow, settings):
    settings.EVENT_REMINDER_HOURS = 12
    RegistrationFactory(event=tomorrow)
    assert tasks.send_event_reminders() == 0
    settings.EVENT_REMINDER_HOURS = 48
    assert tasks.send_event_reminders() == 1


def test_reminders_skip_cancelled_events_and_waitlists(tomorrow):
    RegistrationFactory(event=tomorrow, status=R.WAITLISTED)
    RegistrationFactory(event=tomorrow, status=R.PENDING)
    assert tasks.send_event_reminders() == 0
    RegistrationFactory(event=tomorrow)
    Event.objects.filter(pk=tomorrow.pk).update(status=S.CANCELLED)
    assert tasks.send_event_reminders() == 0
    assert Registration.objects.filter(reminder_sent_at__isnull=False).count() == 0


def test_reminder_shows_the_time_in_the_events_zone(studio):
    start = (timezone.now() + datetime.timedelta(hours=5)).astimezone(ZoneInfo("Asia/Tokyo"))
    event = EventFactory(
        organisation=studio,
        timezone="Asia/Tokyo",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )
    RegistrationFactory(event=event)
    tasks.send_event_reminders()
    (message,) = mail.outbox
    assert start.strftime("%H:%M") in message.body and "Asia/Tokyo" in message.body
