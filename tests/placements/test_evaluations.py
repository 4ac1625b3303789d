"""Evaluations after completion; the supervisor's signed link is valid once, expires, and cannot
be forged."""

import time

import pytest
from django.core import mail, signing

from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.placements import services
from partnerships.placements.models import SupervisorEvaluation
from partnerships.placements.services.evaluations import SUPERVISOR_LINK_TTL

from .conftest import ApplicationFactory, in_days

pytestmark = pytest.mark.django_db

RATINGS = {"overall": 5, "skills": 4, "professionalism": 5, "communication": 4}


@pytest.fixture
def completed(placement, student, university, studio_owner, django_capture_on_commit_callbacks):
    placement.start_date = in_days(-40).date()
    placement.end_date = in_days(-1).date()
    placement.save()
    application = ApplicationFactory(
        placement=placement, student=student, institution=university, status="accepted"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.application_complete(actor=studio_owner, application=application)
    application.refresh_from_db()
    return application


def test_completion_asks_both_sides(completed, student, studio_owner):
    assert completed.status == "completed"
    to = [m.to for m in mail.outbox]
    assert [student.email] in to and [studio_owner.email] in to
    link = next(m for m in mail.outbox if m.to == [studio_owner.email])
    assert "/placements/supervisor-evaluation/" in link.body


def test_student_evaluation(completed, student, studio_owner):
    with pytest.raises(PermissionDenied):
        services.student_evaluation_submit(
            actor=studio_owner, application=completed, overall=5, learning=5, support=5
        )
    with pytest.raises(DomainError):
        services.student_evaluation_submit(
            actor=student, application=completed, overall=6, learning=5, support=5
        )
    services.student_evaluation_submit(
        actor=student, application=completed, overall=4, learning=5, support=3, comments="Great"
    )
    with pytest.raises(Conflict):
        services.student_evaluation_submit(
            actor=student, application=completed, overall=4, learning=5, support=3
        )


def test_no_evaluation_before_completion(application, student):
    with pytest.raises(Conflict):
        services.student_evaluation_submit(
            actor=student, application=application, overall=4, learning=5, support=3
        )
    token = services.supervisor_token(application)
    with pytest.raises(DomainError):
        services.supervisor_evaluation_submit_by_token(
            token=token, supervisor_name="Oscar", **RATINGS
        )


def test_supervisor_link_works_once(completed):
    token = services.supervisor_token(completed)
    evaluation = services.supervisor_evaluation_submit_by_token(
        token=token, supervisor_name="Oscar Lead", comments="Reliable", **RATINGS
    )
    assert evaluation.via_link and evaluation.submitted_by is None
    with pytest.raises(DomainError, match="already been used") as excinfo:
        services.supervisor_evaluation_submit_by_token(
            token=token, supervisor_name="Someone", **RATINGS
        )
    assert excinfo.value.code == "used"
    assert SupervisorEvaluation.objects.count() == 1


def test_supervisor_link_expires(completed, monkeypatch):
    token = services.supervisor_token(completed)
    later = time.time() + SUPERVISOR_LINK_TTL.total_seconds() + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    with pytest.raises(DomainError) as excinfo:
        services.supervisor_evaluation_submit_by_token(token=token, supervisor_name="O", **RATINGS)
    assert excinfo.value.code == "expired"
    assert not SupervisorEvaluation.objects.exists()


def test_forged_links_are_refused(completed):
    token = services.supervisor_token(completed)
    forged = [
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        signing.dumps({"a": completed.pk, "s": completed.student_id}, salt="something-else"),
        signing.dumps({"a": completed.pk, "s": completed.student_id + 999},
                      salt="placements.supervisor-evaluation"),
    ]  # fmt: skip
    for bad in forged:
        with pytest.raises(DomainError) as excinfo:
            services.supervisor_evaluation_submit_by_token(
                token=bad, supervisor_name="O", **RATINGS
            )
        assert excinfo.value.code == "invalid"
    assert not SupervisorEvaluation.objects.exists()


def test_signed_in_supervisor_from_the_studio_only(completed, studio_member, other_owner):
    with pytest.raises(PermissionDenied):
        services.supervisor_evaluation_submit(actor=other_owner, application=completed, **RATINGS)
    evaluation = services.supervisor_evaluation_submit(
        actor=studio_member, application=completed, **RATINGS
    )
    assert evaluation.submitted_by == studio_member and not evaluation.via_link
