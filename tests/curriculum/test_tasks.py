"""The beat task that closes open reviews past their deadline: only those, and only once."""

import pytest
from django.conf import settings
from django.core import mail

from partnerships.celery import app as celery_app
from partnerships.curriculum import tasks
from partnerships.curriculum.models import CloseReason, CurriculumReview, ReviewStatus

from .conftest import ReviewFactory, in_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviews(university, lecturer):
    def make(status, days, title):
        return ReviewFactory(
            institution=university,
            requested_by=lecturer,
            status=status,
            deadline=in_days(days),
            title=title,
        )

    return {
        "expired": make(ReviewStatus.OPEN, -1, "Expired open review"),
        "long_expired": make(ReviewStatus.OPEN, -30, "Long expired open review"),
        "due_today": make(ReviewStatus.OPEN, 0, "Due today"),
        "future": make(ReviewStatus.OPEN, 5, "Still running"),
        "draft": make(ReviewStatus.DRAFT, -3, "Old draft"),
        "closed": make(ReviewStatus.CLOSED, -3, "Closed by hand"),
        "cancelled": make(ReviewStatus.CANCELLED, -3, "Cancelled"),
    }


def statuses(reviews):
    return {key: CurriculumReview.objects.get(pk=r.pk).status for key, r in reviews.items()}


def test_closes_only_expired_open_reviews_and_is_safe_to_run_twice(
    reviews, lecturer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.close_expired_reviews.apply().get() == 2
    assert statuses(reviews) == {
        "expired": "closed",
        "long_expired": "closed",
        "due_today": "open",
        "future": "open",
        "draft": "draft",
        "closed": "closed",
        "cancelled": "cancelled",
    }
    expired = CurriculumReview.objects.get(pk=reviews["expired"].pk)
    assert expired.close_reason == CloseReason.DEADLINE
    assert expired.status_changed_by is None
    log = expired.transitions.get()
    assert (log.from_status, log.to_status, log.actor, log.note) == (
        "open",
        "closed",
        None,
        "deadline",
    )
    assert CurriculumReview.objects.get(pk=reviews["closed"].pk).close_reason == ""
    assert sorted(m.subject for m in mail.outbox) == [
        "[Tandem] “Expired open review” has closed: the deadline passed",
        "[Tandem] “Long expired open review” has closed: the deadline passed",
    ]
    assert all(m.to == [lecturer.email] for m in mail.outbox)
    assert "/summary/" in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.close_expired_reviews() == 0
    assert len(mail.outbox) == 2
    assert expired.transitions.count() == 1


def test_nothing_to_do(university):
    assert tasks.close_expired_reviews() == 0


def test_the_task_is_scheduled_by_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["curriculum-close-expired"]
    assert entry["task"] == "partnerships.curriculum.tasks.close_expired_reviews"
    assert entry["task"] in celery_app.tasks
