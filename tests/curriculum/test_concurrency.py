"""Never more accepted reviewers than wanted, even when the requester's colleagues click at once.

Ten threads, each with its own database connection, accept ten different volunteers of a review
that wants three. The service locks the review row (SELECT … FOR UPDATE) before counting, so
exactly three succeed. The negative control disables the lock and lines the threads up right after
they count: all of them then see "0 accepted" and accept, proving the test can see the race.
"""

import threading

import pytest
from django.core import mail
from django.db import connection

from accounts.models import User
from partnerships.core.errors import Conflict
from partnerships.curriculum import services
from partnerships.curriculum.models import CurriculumReview, Reviewer, ReviewerStatus
from tests.conftest import needs_service

from .conftest import ReviewerFactory, ReviewFactory, make_industry_people

THREADS = 10
WANTED = 3

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def crowded_review(university, lecturer):
    if connection.vendor != "postgresql":
        needs_service("PostgreSQL", "row locks need PostgreSQL (set DATABASE_URL)")
    review = ReviewFactory(institution=university, requested_by=lecturer, reviewers_wanted=WANTED)
    rows = [
        ReviewerFactory(review=review, user=user, organisation=studio)
        for user, studio in make_industry_people(THREADS)
    ]
    return review, rows


def accept_all_at_once(lecturer, rows, barrier: threading.Barrier) -> dict[str, int]:
    """Every thread waits at the barrier, then accepts its own volunteer through the service."""
    outcomes: list[str] = []
    lock = threading.Lock()

    def work(reviewer_id: int) -> None:
        try:
            actor = User.objects.get(pk=lecturer.pk)  # each thread: its own objects, connection
            reviewer = Reviewer.objects.select_related("review__institution").get(pk=reviewer_id)
            barrier.wait(timeout=20)
            try:
                services.reviewer_accept(actor=actor, reviewer=reviewer)
                outcome = "accepted"
            except Conflict:
                outcome = "refused"
        except Exception as exc:  # surfaced in the assertion below
            outcome = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=work, args=(row.pk,)) for row in rows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == len(rows), outcomes
    errors = [o for o in outcomes if o.startswith("error")]
    assert not errors, errors
    return {kind: outcomes.count(kind) for kind in ("accepted", "refused")}


def test_exactly_the_number_wanted_are_accepted(crowded_review, lecturer):
    review, rows = crowded_review
    counts = accept_all_at_once(lecturer, rows, threading.Barrier(THREADS))
    assert counts == {"accepted": WANTED, "refused": THREADS - WANTED}
    accepted = Reviewer.objects.filter(review=review, status=ReviewerStatus.ACCEPTED).count()
    assert accepted == WANTED
    assert len(mail.outbox) == WANTED  # refused acceptances send nothing


def test_negative_control_without_the_lock_the_race_is_visible(
    crowded_review, lecturer, monkeypatch
):
    review, rows = crowded_review
    counted = threading.Barrier(THREADS)
    original_count = services._accepted_count

    def unlocked(pk):
        return CurriculumReview.objects.select_related("institution", "requested_by").get(pk=pk)

    def count_then_wait(locked_review):
        value = original_count(locked_review)
        counted.wait(timeout=20)  # every thread has counted before any of them writes
        return value

    monkeypatch.setattr(services, "_lock_review", unlocked)
    monkeypatch.setattr(services, "_accepted_count", count_then_wait)
    counts = accept_all_at_once(lecturer, rows, threading.Barrier(THREADS))
    accepted = Reviewer.objects.filter(review=review, status=ReviewerStatus.ACCEPTED).count()
    assert counts["accepted"] == accepted
    assert accepted > WANTED
