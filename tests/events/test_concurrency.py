"""Seats are never overbooked, even when everyone clicks at once (PostgreSQL, real threads).

Thirty threads, each with its own database connection, register for an event with ten seats at
the same instant: exactly ten get a place and twenty are waitlisted, in the order the database
served them. Then simultaneous cancellations and late registrations race each other: every freed
seat goes to exactly one waitlisted person, and the stored seat count always equals the confirmed
registrations. The negative control removes the row lock and lines the threads up right after
they have counted the free seats: the database check constraint then refuses the surplus writes,
so even a broken lock cannot overbook.
"""

import threading

import pytest
from django.db import IntegrityError, connection

from accounts.models import User
from events import services
from events.models import Event, Registration, RegistrationStatus
from events.services import registrations as registration_services
from partnerships.core.errors import DomainError
from tests.conftest import needs_service

from .conftest import EventFactory, make_students

R = RegistrationStatus
SEATS = 10
CROWD = 30

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def crowd(studio, studio_owner):
    if connection.vendor != "postgresql":
        needs_service("PostgreSQL", "row locks need PostgreSQL (set DATABASE_URL)")
    event = EventFactory(organisation=studio, created_by=studio_owner, capacity=SEATS)
    return event, make_students(CROWD)


def all_at_once(jobs) -> list[str]:
    """Run each ``(callable, user_id)`` in its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []
    lock = threading.Lock()

    def work(action, user_id):
        try:
            actor = User.objects.get(pk=user_id)  # each thread: its own connection
            barrier.wait(timeout=30)
            try:
                outcome = action(actor)
            except DomainError as exc:
                outcome = f"refused: {exc.code}"
            except IntegrityError:
                outcome = "integrity"
        except Exception as exc:  # surfaced in the assertion below
            outcome = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=work, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(outcomes) == len(jobs), outcomes
    assert not [o for o in outcomes if o.startswith("error")], outcomes
    return outcomes


def register_job(event_id):
    def action(actor):
        return services.register(actor=actor, event=Event(pk=event_id)).status

    return action


def cancel_job(event_id):
    def action(actor):
        registration = Registration.objects.get(event_id=event_id, user=actor)
        return services.cancel_registration(actor=actor, registration=registration).status

    return action


def test_thirty_registrations_for_ten_seats(crowd):
    event, people = crowd
    outcomes = all_at_once([(register_job(event.pk), p.pk) for p in people])

    assert outcomes.count(R.CONFIRMED) == SEATS
    assert outcomes.count(R.WAITLISTED) == CROWD - SEATS
    event.refresh_from_db()
    assert event.seats_taken == SEATS
    services.validate_capacity(event)

    queue = list(
        Registration.objects.filter(event=event, status=R.WAITLISTED).order_by(
            "waitlisted_at", "pk"
        )
    )
    assert [services.waitlist_position(r) for r in queue] == list(range(1, CROWD - SEATS + 1))
    # Served in order: everyone confirmed was registered before anyone was waitlisted.
    last_confirmed = Registration.objects.filter(event=event, status=R.CONFIRMED).latest(
        "confirmed_at"
    )
    assert last_confirmed.confirmed_at <= queue[0].waitlisted_at

    # One cancellation promotes exactly one person: the first in the queue.
    leaver = Registration.objects.filter(event=event, status=R.CONFIRMED).first()
    services.cancel_registration(actor=leaver.user, registration=leaver)
    promoted = Registration.objects.filter(event=event, promoted_at__isnull=False)
    assert list(promoted.values_list("pk", flat=True)) == [queue[0].pk]
    assert Registration.objects.filter(event=event, status=R.WAITLISTED).count() == 19
    event.refresh_from_db()
    assert event.seats_taken == SEATS


def test_cancellations_and_registrations_racing(crowd):
    event, people = crowd
    for person in people[:20]:  # 10 confirmed, 10 waitlisted
        services.register(actor=person, event=event)
    confirmed = list(
        Registration.objects.filter(event=event, status=R.CONFIRMED).values_list(
            "user_id", flat=True
        )
    )
    leaving = confirmed[:5]
    late = [p.pk for p in people[20:]]
    jobs = [(cancel_job(event.pk), uid) for uid in leaving]
    jobs += [(register_job(event.pk), uid) for uid in late]

    outcomes = all_at_once(jobs)

    assert outcomes.count(R.CANCELLED) == 5
    event.refresh_from_db()
    assert event.seats_taken == SEATS  # five freed seats went to five waitlisted people
    services.validate_capacity(event)
    assert Registration.objects.filter(event=event, promoted_at__isnull=False).count() == 5
    # Late arrivals never jumped the queue: all of them are waitlisted behind the old queue.
    assert set(
        Registration.objects.filter(event=event, user_id__in=late).values_list("status", flat=True)
    ) == {R.WAITLISTED}


def test_negative_control_without_the_lock_the_constraint_still_refuses(crowd, monkeypatch):
    event, people = crowd
    people = people[:15]
    counted = threading.Barrier(len(people))

    def unlocked(pk):
        return Event.objects.select_related("organisation", "partnership").get(pk=pk)

    original = registration_services._has_free_seat

    def count_then_wait(event):
        value = original(event)
        counted.wait(timeout=30)  # every thread has counted before any of them writes
        return value

    monkeypatch.setattr(registration_services, "lock_event", unlocked)
    monkeypatch.setattr(registration_services, "_has_free_seat", count_then_wait)

    outcomes = all_at_once([(register_job(event.pk), p.pk) for p in people])

    # Everyone saw a free seat (the race is real), yet the database kept the promise.
    assert R.WAITLISTED not in outcomes
    assert outcomes.count("integrity") >= 1
    event.refresh_from_db()
    assert event.seats_taken <= SEATS
    assert Registration.objects.filter(event=event, status=R.CONFIRMED).count() <= SEATS
