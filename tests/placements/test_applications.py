"""Applications: drafts, submission rules, CVs by content, every stage move by the right party,
capacity, filling, bulk reject and studio-only notes."""

import itertools

import pytest
from django.core import mail

from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.placements import selectors, services
from partnerships.placements.models import (
    Application,
    ApplicationStatus,
    ApplicationTransition,
    Placement,
    PlacementQuestion,
    PlacementStatus,
)
from partnerships.placements.services.applications import COMPLETER, STUDENT, TRANSITIONS

from .conftest import MINIMAL_PDF, ApplicationFactory, PlacementFactory, cv_file, in_days

pytestmark = pytest.mark.django_db

A = ApplicationStatus


def draft(student, placement, **kwargs):
    kwargs.setdefault("cover_letter", "I animate every day.")
    kwargs.setdefault("cv", cv_file())
    return services.application_save_draft(actor=student, placement=placement, **kwargs)


# --- Drafts and submission ---------------------------------------------------------------------


def test_draft_survives_then_submits_and_tells_the_studio(
    placement, student, university, studio_owner, django_capture_on_commit_callbacks
):
    question = PlacementQuestion.objects.create(placement=placement, text="Favourite tool?")
    application = services.application_save_draft(
        actor=student, placement=placement, cover_letter="Draft one"
    )
    assert application.status == A.DRAFT
    again = draft(student, placement, answers={question.pk: "Blender"})
    assert again.pk == application.pk and again.cover_letter == "I animate every day."
    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.application_submit(actor=student, application=again)
    assert submitted.status == A.SUBMITTED and submitted.submitted_at
    assert submitted.institution == university
    assert [t.to_status for t in selectors.application_timeline(submitted)] == [A.SUBMITTED]
    assert [m.to for m in mail.outbox] == [[studio_owner.email]]


def test_required_questions_are_enforced_at_submit(placement, student):
    PlacementQuestion.objects.create(placement=placement, text="Portfolio highlight?")
    application = draft(student, placement)
    with pytest.raises(DomainError, match="required question"):
        services.application_submit(actor=student, application=application)
    application.refresh_from_db()
    assert application.status == A.DRAFT


def test_no_submitting_after_the_deadline(placement, student):
    application = draft(student, placement)
    Placement.objects.filter(pk=placement.pk).update(deadline=in_days(-1))
    with pytest.raises(Conflict, match="deadline"):
        services.application_submit(actor=student, application=application)
    application.refresh_from_db()
    assert application.status == A.DRAFT


@pytest.mark.parametrize("status", [PlacementStatus.CLOSED, PlacementStatus.FILLED])
def test_no_applying_to_a_placement_that_is_not_open(placement, student, status):
    application = draft(student, placement)
    Placement.objects.filter(pk=placement.pk).update(status=status)
    placement.refresh_from_db()
    with pytest.raises(Conflict, match="no longer takes applications"):
        services.application_submit(actor=student, application=application)
    with pytest.raises(Conflict, match="no longer takes applications"):
        draft(student, placement)
    application.refresh_from_db()
    assert application.status == A.DRAFT


def test_only_students_who_fit_the_eligibility_apply(placement, student, studio_member, university):
    with pytest.raises(PermissionDenied):
        draft(studio_member, placement)
    placement.eligible_levels = ["doctoral"]
    placement.save()
    with pytest.raises(PermissionDenied):
        draft(student, placement)
    placement.eligible_levels = []
    placement.save()
    other = PlacementFactory(organisation=placement.organisation)
    other.eligible_institutions.set([university])
    assert draft(student, other).status == A.DRAFT


def test_one_application_per_student(placement, student):
    application = draft(student, placement)
    services.application_submit(actor=student, application=application)
    with pytest.raises(Conflict, match="already applied"):
        draft(student, placement)
    assert Application.objects.filter(placement=placement, student=student).count() == 1


def test_disguised_executable_cv_is_refused(placement, student):
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 500
    with pytest.raises(DomainError, match="not a PDF") as excinfo:
        draft(student, placement, cv=cv_file("cv.pdf", exe))
    assert excinfo.value.field == "cv"
    assert not Application.objects.exists()


def test_oversized_cv_is_refused(placement, student, settings):
    settings.MAX_CV_UPLOAD_BYTES = 5 * 1024 * 1024
    big = MINIMAL_PDF[:-6] + b" " * (5 * 1024 * 1024) + b"%%EOF\n"
    with pytest.raises(DomainError, match="limit"):
        draft(student, placement, cv=cv_file("cv.pdf", big))
    assert not Application.objects.exists()


def test_cv_stored_privately(placement, student):
    application = draft(student, placement)
    assert application.cv.name.startswith("private/cvs/")


# --- Every stage move: valid by the right party, refused otherwise, state unchanged --------------

ALL = [s for s in A.values if s not in (A.DRAFT, A.SUBMITTED)]
VALID = [(f, t) for f, moves in TRANSITIONS.items() for t in moves if t != A.SUBMITTED]
INVALID = [(f, t) for f, t in itertools.product(A.values, ALL) if t not in TRANSITIONS[f]]


@pytest.fixture
def ended_placement(studio, studio_owner):
    return PlacementFactory(
        organisation=studio,
        contact=studio_owner,
        positions=5,
        start_date=in_days(-60).date(),
        end_date=in_days(-1).date(),
    )


def _actors(party, student, studio_owner):
    right = student if party == STUDENT else studio_owner
    wrong = studio_owner if party == STUDENT else student
    return right, wrong


@pytest.mark.parametrize(("start", "target"), VALID)
def test_valid_move_by_the_right_party(
    start, target, ended_placement, student, studio_owner, other_owner, university
):
    application = ApplicationFactory(
        placement=ended_placement, student=student, status=start, institution=university
    )
    right, wrong = _actors(TRANSITIONS[start][target], student, studio_owner)
    for outsider in (wrong, other_owner):
        with pytest.raises(PermissionDenied):
            services.application_move(actor=outsider, application=application, to=target)
        application.refresh_from_db()
        assert application.status == start
    services.application_move(actor=right, application=application, to=target, message="Hi")
    application.refresh_from_db()
    assert application.status == target
    last = application.transitions.last()
    assert (last.from_status, last.to_status, last.actor) == (start, target, right)


@pytest.mark.parametrize(("start", "target"), INVALID)
def test_invalid_move_is_refused(start, target, ended_placement, student, studio_owner):
    application = ApplicationFactory(placement=ended_placement, student=student, status=start)
    for actor in (student, studio_owner):
        with pytest.raises((Conflict, PermissionDenied)):
            services.application_move(actor=actor, application=application, to=target)
    # The student can always see their application, so they get the precise reason.
    with pytest.raises(Conflict):
        services.application_move(actor=student, application=application, to=target)
    application.refresh_from_db()
    assert application.status == start
    assert not application.transitions.exists()


def test_the_officer_can_complete_but_not_before_the_end(placement, student, officer, university):
    assert TRANSITIONS[A.ACCEPTED][A.COMPLETED] == COMPLETER
    placement.start_date = in_days(-5).date()
    placement.end_date = in_days(30).date()
    placement.save()
    application = ApplicationFactory(
        placement=placement, student=student, status=A.ACCEPTED, institution=university
    )
    with pytest.raises(Conflict, match="not ended"):
        services.application_complete(actor=officer, application=application)
    Placement.objects.filter(pk=placement.pk).update(end_date=in_days(-1).date())
    services.application_complete(actor=officer, application=application)
    application.refresh_from_db()
    assert application.status == A.COMPLETED


def test_studio_moves_email_the_student_and_student_moves_email_the_studio(
    application, student, studio_owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.application_shortlist(actor=studio_owner, application=application, message="Yes")
        services.application_offer(actor=studio_owner, application=application)
        services.application_decline(actor=student, application=application, message="Sorry")
    assert [m.to for m in mail.outbox] == [[student.email], [student.email], [studio_owner.email]]
    assert "Sorry" in mail.outbox[2].body


# --- Capacity and filling ---------------------------------------------------------------------


def test_offers_are_limited_to_free_positions(placement, studio_owner):
    rows = [ApplicationFactory(placement=placement, status=A.SHORTLISTED) for _ in range(3)]
    services.application_offer(actor=studio_owner, application=rows[0])
    services.application_offer(actor=studio_owner, application=rows[1])
    with pytest.raises(Conflict, match="offered or accepted"):
        services.application_offer(actor=studio_owner, application=rows[2])
    rows[2].refresh_from_db()
    assert rows[2].status == A.SHORTLISTED
    services.application_decline(actor=rows[0].student, application=rows[0])
    services.application_offer(actor=studio_owner, application=rows[2])  # the seat was freed


def test_last_acceptance_fills_and_remaining_applicants_are_told_kindly(
    placement, studio_owner, django_capture_on_commit_callbacks
):
    offered = [ApplicationFactory(placement=placement, status=A.OFFERED) for _ in range(2)]
    waiting = [
        ApplicationFactory(placement=placement, status=status)
        for status in (A.SUBMITTED, A.UNDER_REVIEW, A.SHORTLISTED, A.INTERVIEW)
    ]
    a_draft = ApplicationFactory(placement=placement, status=A.DRAFT)
    gone = ApplicationFactory(placement=placement, status=A.WITHDRAWN)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_accept(actor=offered[0].student, application=offered[0])
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.OPEN
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_accept(actor=offered[1].student, application=offered[1])
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.FILLED
    for row in waiting:
        row.refresh_from_db()
        assert row.status == A.REJECTED
        assert "filled" in row.transitions.last().message
    a_draft.refresh_from_db()
    gone.refresh_from_db()
    assert (a_draft.status, gone.status) == (A.DRAFT, A.WITHDRAWN)
    told = sorted(m.to[0] for m in mail.outbox if "filled" in m.body)
    assert told == sorted(row.student.email for row in waiting)
    assert [m.to for m in mail.outbox if m.to == [studio_owner.email]]  # the studio is told


def test_bulk_reject_with_a_message(
    placement, studio_owner, other_owner, django_capture_on_commit_callbacks
):
    live = [ApplicationFactory(placement=placement) for _ in range(3)]
    accepted = ApplicationFactory(placement=placement, status=A.ACCEPTED)
    elsewhere = ApplicationFactory()
    ids = [row.pk for row in [*live, accepted, elsewhere]]
    with pytest.raises(PermissionDenied):
        services.applications_bulk_reject(
            actor=other_owner, placement=placement, applications=ids, message="No"
        )
    with pytest.raises(DomainError):
        services.applications_bulk_reject(
            actor=studio_owner, placement=placement, applications=ids, message=" "
        )
    with django_capture_on_commit_callbacks(execute=True):
        count = services.applications_bulk_reject(
            actor=studio_owner, placement=placement, applications=ids, message="Thanks, not now"
        )
    assert count == 3
    assert set(
        Application.objects.filter(pk__in=ids).values_list("pk", "status")
    ) == {*((row.pk, A.REJECTED) for row in live), (accepted.pk, A.ACCEPTED),
          (elsewhere.pk, A.SUBMITTED)}  # fmt: skip
    assert ApplicationTransition.objects.filter(message="Thanks, not now").count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.student.email for r in live)


def test_notes_are_for_the_studio_only(application, studio_member, student, officer, other_owner):
    note = services.application_note_add(actor=studio_member, application=application, text="Great")
    assert list(selectors.application_notes(studio_member, application)) == [note]
    for outsider in (student, officer, other_owner):
        assert not selectors.application_notes(outsider, application).exists()
        with pytest.raises(PermissionDenied):
            services.application_note_add(actor=outsider, application=application, text="x")
