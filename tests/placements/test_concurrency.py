"""Offers and acceptances never exceed the positions, even when everyone clicks at once.

Twenty threads, each with its own database connection, hit a placement with two positions. Offers
reserve seats, so the first test hammers concurrent *offers* (exactly two succeed). The second
hammers concurrent *acceptances*: twenty students are given offers directly in the database
(bypassing the reservation, as if it had a bug) so the acceptance guard itself is raced; exactly
two are accepted and the placement is filled. Both counts are taken after locking the placement
row (SELECT … FOR UPDATE). The negative controls disable the lock and line the threads up right
after they count: all of them then see free seats, proving the tests can see the race.
"""

import threading

import pytest
from django.db import connection

from accounts.models import User
from partnerships.core.errors import Conflict
from partnerships.placements import services
from partnerships.placements.models import Application, ApplicationStatus, Placement
from partnerships.placements.services import applications as app_services
from tests.conftest import needs_service

from .conftest import ApplicationFactory, PlacementFactory, make_students

THREADS = 20
POSITIONS = 2
A = ApplicationStatus

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _crowd(studio, studio_owner, university, status):
    if connection.vendor != "postgresql":
        needs_service("PostgreSQL", "row locks need PostgreSQL (set DATABASE_URL)")
    placement = PlacementFactory(organisation=studio, contact=studio_owner, positions=POSITIONS)
    rows = [
        ApplicationFactory(placement=placement, student=s, status=status, institution=university)
        for s in make_students(THREADS, university)
    ]
    return placement, rows


@pytest.fixture
def shortlisted_crowd(studio, studio_owner, university):
    return _crowd(studio, studio_owner, university, A.SHORTLISTED)


@pytest.fixture
def offered_crowd(studio, studio_owner, university):
    return _crowd(studio, studio_owner, university, A.OFFERED)


def all_at_once(rows, action, actor_of) -> dict[str, int]:
    """Every thread waits at the barrier, then runs ``action`` through the service."""
    barrier = threading.Barrier(len(rows))
    outcomes: list[str] = []
    lock = threading.Lock()

    def work(application_id: int, actor_id: int) -> None:
        try:
            actor = User.objects.get(pk=actor_id)  # each thread: its own objects and connection
            application = Application.objects.select_related("placement__organisation").get(
                pk=application_id
            )
            barrier.wait(timeout=30)
            try:
                action(actor=actor, application=application)
                outcome = "done"
            except Conflict:
                outcome = "refused"
        except Exception as exc:  # surfaced in the assertion below
            outcome = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=work, args=(r.pk, actor_of(r))) for r in rows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert len(outcomes) == len(rows), outcomes
    errors = [o for o in outcomes if o.startswith("error")]
    assert not errors, errors
    return {kind: outcomes.count(kind) for kind in ("done", "refused")}


def _count(placement, status) -> int:
    return Application.objects.filter(placement=placement, status=status).count()


def test_concurrent_offers_never_exceed_positions(shortlisted_crowd, studio_owner):
    placement, rows = shortlisted_crowd
    counts = all_at_once(rows, services.application_offer, lambda r: studio_owner.pk)
    assert counts == {"done": POSITIONS, "refused": THREADS - POSITIONS}
    assert _count(placement, A.OFFERED) == POSITIONS


def test_concurrent_acceptances_take_exactly_the_positions(offered_crowd):
    placement, rows = offered_crowd
    counts = all_at_once(rows, services.application_accept, lambda r: r.student_id)
    assert counts == {"done": POSITIONS, "refused": THREADS - POSITIONS}
    assert _count(placement, A.ACCEPTED) == POSITIONS
    assert _count(placement, A.REJECTED) == THREADS - POSITIONS  # told kindly
    placement.refresh_from_db()
    assert placement.status == "filled"


def _disable_lock(monkeypatch, threads: int) -> None:
    counted = threading.Barrier(threads)
    original = app_services._free_seats

    def unlocked(pk):
        return Placement.objects.select_related("organisation", "contact", "created_by").get(pk=pk)

    def count_then_wait(placement, to):
        value = original(placement, to)
        counted.wait(timeout=30)  # every thread has counted before any of them writes
        return value

    monkeypatch.setattr(app_services, "lock_placement", unlocked)
    monkeypatch.setattr(app_services, "_free_seats", count_then_wait)
    # Filling rejects the other rows; without the lock that would only add deadlocks to the race.
    monkeypatch.setattr(app_services, "_after_accept", lambda *args, **kwargs: None)


def test_negative_control_offers_overbook_without_the_lock(
    shortlisted_crowd, studio_owner, monkeypatch
):
    placement, rows = shortlisted_crowd
    _disable_lock(monkeypatch, THREADS)
    counts = all_at_once(rows, services.application_offer, lambda r: studio_owner.pk)
    assert counts["done"] == _count(placement, A.OFFERED)
    assert _count(placement, A.OFFERED) > POSITIONS


def test_negative_control_acceptances_overbook_without_the_lock(offered_crowd, monkeypatch):
    placement, rows = offered_crowd
    _disable_lock(monkeypatch, THREADS)
    counts = all_at_once(rows, services.application_accept, lambda r: r.student_id)
    assert counts["done"] == _count(placement, A.ACCEPTED)
    assert _count(placement, A.ACCEPTED) > POSITIONS
