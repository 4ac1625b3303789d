"""Registering, the waitlist, approval, cancellation and promotion, check-in (services)."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role
from events import services
from events.models import Audience, Event, EventStatus, Registration, RegistrationStatus
from partnerships.activity.models import DomainEvent
from partnerships.core.errors import Conflict, PermissionDenied
from tests.factories import UserFactory

from .conftest import EventFactory, RegistrationFactory, in_days, make_students

R = RegistrationStatus
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_on_commit")]


def _status(registration) -> str:
    registration.refresh_from_db()
    return registration.status


def test_register_takes_a_seat_and_emails_a_calendar_file(event, student):
    registration = services.register(actor=student, event=event)
    assert registration.status == R.CONFIRMED
    event.refresh_from_db()
    assert event.seats_taken == 1
    assert [m.to for m in mail.outbox] == [[student.email]]
    message = mail.outbox[0]
    assert "is confirmed" in message.subject
    assert message.attachments[0][0] == f"tandem-event-{event.pk}.ics"
    assert "BEGIN:VEVENT" in message.attachments[0][1]
    assert DomainEvent.objects.filter(name="event.registration.created").count() == 1


def test_registering_twice_returns_the_same_place(event, student):
    first = services.register(actor=student, event=event)
    second = services.register(actor=student, event=event)
    assert first.pk == second.pk
    event.refresh_from_db()
    assert event.seats_taken == 1
    assert Registration.objects.count() == 1


def test_full_event_puts_people_on_the_waitlist_in_order(event):
    event.capacity = 2
    event.save()
    people = make_students(4)
    results = [services.register(actor=p, event=event) for p in people]
    assert [r.status for r in results] == [R.CONFIRMED, R.CONFIRMED, R.WAITLISTED, R.WAITLISTED]
    assert [services.waitlist_position(r) for r in results] == [None, None, 1, 2]
    assert "waitlist" in mail.outbox[-1].subject
    assert not mail.outbox[-1].attachments  # no calendar entry for a seat not held


def test_cancelling_promotes_exactly_the_first_waitlisted(event):
    event.capacity = 2
    event.save()
    a, b, c, d = make_students(4)
    reg_a = services.register(actor=a, event=event)
    services.register(actor=b, event=event)
    reg_c = services.register(actor=c, event=event)
    reg_d = services.register(actor=d, event=event)
    mail.outbox.clear()

    services.cancel_registration(actor=a, registration=reg_a)

    assert _status(reg_a) == R.CANCELLED
    assert _status(reg_c) == R.CONFIRMED
    assert _status(reg_d) == R.WAITLISTED
    assert services.waitlist_position(reg_d) == 1
    event.refresh_from_db()
    assert event.seats_taken == 2
    services.validate_capacity(event)
    reg_c.refresh_from_db()
    assert reg_c.promoted_at is not None
    assert [m.to for m in mail.outbox] == [[c.email]]
    assert "seat opened up" in mail.outbox[0].subject
    assert mail.outbox[0].attachments  # now it goes in their calendar


def test_cancelling_a_waitlisted_place_promotes_nobody(event):
    event.capacity = 1
    event.save()
    a, b, c = make_students(3)
    services.register(actor=a, event=event)
    reg_b = services.register(actor=b, event=event)
    reg_c = services.register(actor=c, event=event)
    services.cancel_registration(actor=b, registration=reg_b)
    assert _status(reg_c) == R.WAITLISTED
    assert services.waitlist_position(reg_c) == 1


def test_re_registering_after_cancelling_joins_the_back_of_the_queue(event):
    event.capacity = 1
    event.save()
    a, b, c = make_students(3)
    reg_a = services.register(actor=a, event=event)
    reg_b = services.register(actor=b, event=event)
    services.cancel_registration(actor=b, registration=reg_b)
    reg_c = services.register(actor=c, event=event)
    again = services.register(actor=b, event=event)
    assert again.pk == reg_b.pk
    assert services.waitlist_position(reg_c) == 1
    assert services.waitlist_position(again) == 2
    services.cancel_registration(actor=a, registration=reg_a)
    assert _status(reg_c) == R.CONFIRMED


def test_raising_the_capacity_moves_waitlisted_people_in(event, studio_owner):
    event.capacity = 1
    event.save()
    people = make_students(3)
    regs = [services.register(actor=p, event=event) for p in people]
    services.event_update(actor=studio_owner, event=event, capacity=2)
    assert [_status(r) for r in regs] == [R.CONFIRMED, R.CONFIRMED, R.WAITLISTED]


def test_capacity_cannot_drop_below_the_places_taken(event, studio_owner):
    people = make_students(3)
    for person in people:
        services.register(actor=person, event=event)
    with pytest.raises(Conflict) as excinfo:
        services.event_update(actor=studio_owner, event=event, capacity=2)
    assert excinfo.value.field == "capacity"


def test_the_database_refuses_an_overbooking_write(event):
    """The guarantee does not rest on the service alone."""
    event.capacity = 1
    event.save()
    RegistrationFactory(event=event)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(seats_taken=2)


def test_approval_required_keeps_people_pending_until_organisers_decide(event, studio_owner):
    event.requires_approval = True
    event.capacity = 1
    event.save()
    a, b, c = make_students(3)
    reg_a = services.register(actor=a, event=event)
    assert reg_a.status == R.PENDING
    event.refresh_from_db()
    assert event.seats_taken == 0
    # Organisers are asked to decide.
    assert any(studio_owner.email in m.to and "approval" in m.subject for m in mail.outbox)

    services.approve_registration(actor=studio_owner, registration=reg_a)
    assert _status(reg_a) == R.CONFIRMED
    reg_b = services.register(actor=b, event=event)
    services.approve_registration(actor=studio_owner, registration=reg_b)
    assert _status(reg_b) == R.WAITLISTED  # approved, but the only seat is taken
    reg_c = services.register(actor=c, event=event)
    mail.outbox.clear()
    services.decline_registration(actor=studio_owner, registration=reg_c, reason="Final years only")
    assert _status(reg_c) == R.DECLINED
    assert "Final years only" in mail.outbox[0].body
    with pytest.raises(PermissionDenied):
        services.register(actor=c, event=event)  # declined people cannot simply re-register


def test_only_organisers_approve_or_check_in(event, studio_member, other_owner, student):
    event.requires_approval = True
    event.save()
    registration = services.register(actor=student, event=event)
    with pytest.raises(PermissionDenied):
        services.approve_registration(actor=other_owner, registration=registration)
    with pytest.raises(PermissionDenied):
        services.approve_registration(actor=student, registration=registration)
    services.approve_registration(actor=studio_member, registration=registration)
    with pytest.raises(PermissionDenied):
        services.check_in(actor=other_owner, registration=registration)


def test_nobody_else_cancels_my_place(event, student, other_owner):
    registration = services.register(actor=student, event=event)
    with pytest.raises(PermissionDenied):
        services.cancel_registration(actor=other_owner, registration=registration)


def test_organisers_can_remove_someone(event, student, studio_owner):
    registration = services.register(actor=student, event=event)
    services.cancel_registration(actor=studio_owner, registration=registration)
    assert _status(registration) == R.CANCELLED


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"status": EventStatus.DRAFT}, "registration_unavailable"),
        ({"status": EventStatus.CANCELLED}, "registration_unavailable"),
        ({"registration_opens_at": in_days(2)}, "registration_not_yet"),
        ({"registration_closes_at": in_days(-1)}, "registration_closed"),
    ],
)
def test_registration_window_and_status(studio, studio_owner, student, changes, code):
    event = EventFactory(organisation=studio, created_by=studio_owner, **changes)
    with pytest.raises((Conflict, PermissionDenied)) as excinfo:
        services.register(actor=student, event=event)
    if changes.get("status") != EventStatus.DRAFT:
        assert excinfo.value.code == code
        assert isinstance(excinfo.value, Conflict)


def test_students_only_event_refuses_staff(studio, lecturer, student):
    event = EventFactory(organisation=studio, audience=Audience.STUDENTS)
    assert services.register(actor=student, event=event).status == R.CONFIRMED
    with pytest.raises(PermissionDenied):
        services.register(actor=lecturer, event=event)


def test_members_only_event_admits_members_and_their_students(
    studio, university, lecturer, student, other_student, other_owner
):
    event = EventFactory(organisation=studio, audience=Audience.MEMBERS)
    event.audience_organisations.set([university])
    assert services.register(actor=lecturer, event=event).status == R.CONFIRMED
    assert services.register(actor=student, event=event).status == R.CONFIRMED
    for outsider in (other_student, other_owner):
        with pytest.raises(PermissionDenied):
            services.register(actor=outsider, event=event)


def test_check_in_records_attendance_once(event, student, studio_owner):
    event.starts_at = timezone.now() + datetime.timedelta(hours=1)
    event.ends_at = event.starts_at + datetime.timedelta(hours=2)
    event.save()
    registration = services.register(actor=student, event=event)
    first = services.check_in(actor=studio_owner, registration=registration)
    stamp = first.checked_in_at
    again = services.check_in(actor=studio_owner, registration=registration)
    assert again.checked_in_at == stamp and again.checked_in_by == studio_owner
    with pytest.raises(Conflict):
        services.cancel_registration(actor=student, registration=registration)
    undone = services.check_in(actor=studio_owner, registration=registration, undo=True)
    assert undone.checked_in_at is None


def test_check_in_refuses_waitlisted_people_and_early_doors(event, studio_owner):
    event.capacity = 1
    event.save()
    a, b = make_students(2)
    services.register(actor=a, event=event)
    waitlisted = services.register(actor=b, event=event)
    with pytest.raises(Conflict, match="24 hours"):
        services.check_in(actor=studio_owner, registration=waitlisted)
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() + datetime.timedelta(hours=1),
        ends_at=timezone.now() + datetime.timedelta(hours=3),
    )
    with pytest.raises(Conflict, match="confirmed place"):
        services.check_in(actor=studio_owner, registration=waitlisted)


def test_organisers_register_without_approval(event, studio_member):
    event.requires_approval = True
    event.save()
    assert services.register(actor=studio_member, event=event).status == R.CONFIRMED


def test_unlimited_events_never_waitlist(studio):
    event = EventFactory(organisation=studio, capacity=None)
    people = make_students(5)
    assert {services.register(actor=p, event=event).status for p in people} == {R.CONFIRMED}


def test_both_sides_of_a_partnership_manage_its_event(
    studio, university, lecturer, studio_owner, student
):
    from partnerships.projects.models import Partnership, PartnershipStatus

    partnership = Partnership.objects.create(
        institution=university,
        industry_partner=studio,
        title="Northbridge × Pixel Forge",
        status=PartnershipStatus.ACTIVE,
    )
    event = EventFactory(organisation=studio, partnership=partnership, requires_approval=True)
    registration = services.register(actor=student, event=event)
    services.approve_registration(actor=lecturer, registration=registration)
    assert _status(registration) == R.CONFIRMED


def test_a_staff_role_student_only_event_is_invisible_to_industry(studio, other_owner):
    event = EventFactory(organisation=studio, audience=Audience.STUDENTS)
    with pytest.raises(PermissionDenied, match="not open to you"):
        services.register(actor=other_owner, event=event)


def test_anyone_signed_in_registers_for_a_public_event(event):
    person = UserFactory(role=Role.INDUSTRY)
    assert services.register(actor=person, event=event).status == R.CONFIRMED
