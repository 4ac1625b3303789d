"""The curriculum review rules, at the service layer: transitions, volunteering, responses."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from accounts.models import StudyLevel
from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.curriculum import services
from partnerships.curriculum.models import (
    CloseReason,
    CurriculumReview,
    Reviewer,
    ReviewerStatus,
    ReviewResponse,
    ReviewStatus,
    ReviewTransition,
)

from .conftest import MINIMAL_PDF, ReviewerFactory, ReviewFactory, in_days, make_industry_people

pytestmark = pytest.mark.django_db


def review_fields(**overrides):
    fields = {
        "title": "Review our Games Art BA",
        "course_name": "BA Games Art",
        "level": StudyLevel.UNDERGRADUATE,
        "learning_outcomes": "Model real-time assets.",
        "questions": "Is Unreal coverage current?",
        "reviewers_wanted": 3,
        "deadline": in_days(10),
    }
    fields.update(overrides)
    return fields


# --- Creating and editing -------------------------------------------------------------------


def test_lecturer_creates_a_draft(university, lecturer):
    syllabus = SimpleUploadedFile("syllabus.pdf", MINIMAL_PDF, content_type="application/pdf")
    review = services.review_create(
        actor=lecturer, institution=university, syllabus=syllabus, **review_fields()
    )
    assert review.status == ReviewStatus.DRAFT
    assert review.requested_by == lecturer
    assert review.status_changed_by == lecturer
    assert review.syllabus.name.startswith("private/syllabi/")
    assert review.transitions.get().to_status == ReviewStatus.DRAFT


@pytest.mark.parametrize(
    "persona", ["studio_owner", "student", "platform_admin", "industry_newcomer", "pending_owner"]
)
def test_only_institution_staff_create_reviews(request, university, persona):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.review_create(actor=actor, institution=university, **review_fields())
    assert not CurriculumReview.objects.exists()


def test_staff_of_an_unverified_institution_cannot_ask(lecturer, university):
    university.status = "pending"
    university.save()
    with pytest.raises(PermissionDenied, match="verified institution"):
        services.review_create(actor=lecturer, institution=university, **review_fields())


def test_a_studio_cannot_be_the_requester(studio, studio_owner):
    with pytest.raises(PermissionDenied):
        services.review_create(actor=studio_owner, institution=studio, **review_fields())


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reviewers_wanted": 0}, "reviewers_wanted"),
        ({"reviewers_wanted": 21}, "reviewers_wanted"),
        ({"level": "kindergarten"}, "level"),
        ({"title": "   "}, "title"),
        ({"syllabus": SimpleUploadedFile("tool.pdf", b"MZ\x90\x00" + b"\x00" * 100)}, "syllabus"),
    ],
)
def test_invalid_review_fields_are_refused(university, lecturer, overrides, field):
    with pytest.raises(DomainError) as caught:
        services.review_create(actor=lecturer, institution=university, **review_fields(**overrides))
    assert caught.value.field == field
    assert not CurriculumReview.objects.exists()


def test_only_drafts_are_edited(open_review, draft_review, lecturer):
    services.review_update(actor=lecturer, review=draft_review, title="Better title")
    draft_review.refresh_from_db()
    assert draft_review.title == "Better title"
    with pytest.raises(Conflict, match="Only a draft can be edited"):
        services.review_update(actor=lecturer, review=open_review, title="Changed")
    open_review.refresh_from_db()
    assert open_review.title == "Review our Games Art BA"


def test_a_studio_cannot_edit_a_universitys_review(draft_review, studio_owner):
    with pytest.raises(PermissionDenied):
        services.review_update(actor=studio_owner, review=draft_review, title="Hijacked")
    draft_review.refresh_from_db()
    assert draft_review.title != "Hijacked"


# --- Transitions ----------------------------------------------------------------------------

VALID = [
    ("open", ReviewStatus.DRAFT, ReviewStatus.OPEN),
    ("close", ReviewStatus.OPEN, ReviewStatus.CLOSED),
    ("complete", ReviewStatus.CLOSED, ReviewStatus.COMPLETED),
    ("cancel", ReviewStatus.DRAFT, ReviewStatus.CANCELLED),
    ("cancel", ReviewStatus.OPEN, ReviewStatus.CANCELLED),
]
SERVICE = {
    "open": services.review_open,
    "close": services.review_close,
    "complete": services.review_complete,
    "cancel": services.review_cancel,
}


@pytest.mark.parametrize(("action", "start", "end"), VALID)
def test_valid_transitions_are_recorded(university, lecturer, action, start, end):
    review = ReviewFactory(institution=university, requested_by=lecturer, status=start)
    result = SERVICE[action](actor=lecturer, review=review)
    review.refresh_from_db()
    assert result.status == review.status == end
    assert review.status_changed_by == lecturer
    assert review.status_changed_at is not None
    log = review.transitions.get()
    assert (log.from_status, log.to_status, log.actor) == (start, end, lecturer)
    assert review.close_reason == (CloseReason.BY_HAND if action == "close" else "")


INVALID = [
    (action, start)
    for action in SERVICE
    for start in ReviewStatus.values
    if (action, start) not in {(a, s) for a, s, _end in VALID}
]


@pytest.mark.parametrize(("action", "start"), INVALID)
def test_invalid_transitions_are_refused_and_change_nothing(university, lecturer, action, start):
    review = ReviewFactory(institution=university, requested_by=lecturer, status=start)
    with pytest.raises(Conflict) as caught:
        SERVICE[action](actor=lecturer, review=review)
    assert caught.value.status == 409
    assert "this review is" in caught.value.message
    review.refresh_from_db()
    assert review.status == start
    assert not review.transitions.exists()


@pytest.mark.parametrize(
    "persona", ["studio_owner", "student", "other_owner", "platform_admin", "industry_newcomer"]
)
@pytest.mark.parametrize("action", ["open", "cancel"])
def test_only_institution_members_change_status(request, draft_review, persona, action):
    with pytest.raises(PermissionDenied):
        SERVICE[action](actor=request.getfixturevalue(persona), review=draft_review)
    draft_review.refresh_from_db()
    assert draft_review.status == ReviewStatus.DRAFT


@pytest.mark.parametrize("days", [0, -3])
def test_opening_needs_a_future_deadline(draft_review, lecturer, days):
    draft_review.deadline = in_days(days)
    draft_review.save()
    with pytest.raises(DomainError, match="deadline must be after today") as caught:
        services.review_open(actor=lecturer, review=draft_review)
    assert caught.value.field == "deadline"
    draft_review.refresh_from_db()
    assert draft_review.status == ReviewStatus.DRAFT


# --- Volunteering ---------------------------------------------------------------------------


def test_industry_member_volunteers_and_requester_is_emailed(
    open_review, studio, studio_owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reviewer = services.reviewer_volunteer(
            user=studio_owner, review=open_review, note="I hire games artists."
        )
    assert reviewer.status == ReviewerStatus.VOLUNTEERED
    assert reviewer.organisation == studio
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lena@northbridge.ac.uk"]
    assert "Oscar volunteered" in mail.outbox[0].subject
    assert "I hire games artists." in mail.outbox[0].body


@pytest.mark.parametrize(
    "persona", ["student", "lecturer", "pending_owner", "industry_newcomer", "platform_admin"]
)
def test_who_cannot_volunteer(request, open_review, persona):
    with pytest.raises(PermissionDenied):
        services.reviewer_volunteer(user=request.getfixturevalue(persona), review=open_review)
    assert not Reviewer.objects.exists()


def test_cannot_volunteer_for_another_persons_organisation(open_review, studio_owner, other_studio):
    with pytest.raises(PermissionDenied) as caught:
        services.reviewer_volunteer(
            user=studio_owner, review=open_review, organisation=other_studio
        )
    assert caught.value.field == "organisation"


def test_cannot_volunteer_on_behalf_of_an_unverified_organisation(
    open_review, pending_owner, pending_studio
):
    with pytest.raises(PermissionDenied):
        services.reviewer_volunteer(
            user=pending_owner, review=open_review, organisation=pending_studio
        )


def test_one_live_volunteering_per_person(open_review, studio_owner):
    services.reviewer_volunteer(user=studio_owner, review=open_review)
    with pytest.raises(Conflict, match="already volunteered"):
        services.reviewer_volunteer(user=studio_owner, review=open_review)
    assert Reviewer.objects.filter(user=studio_owner).count() == 1


def test_the_database_refuses_a_second_row_per_person(volunteer_row):
    with pytest.raises(IntegrityError), transaction.atomic():
        Reviewer.objects.create(
            review=volunteer_row.review,
            user=volunteer_row.user,
            organisation=volunteer_row.organisation,
            status=ReviewerStatus.WITHDRAWN,
        )


def test_withdrawn_volunteers_may_volunteer_again(volunteer_row, studio_owner, open_review):
    services.reviewer_withdraw(user=studio_owner, reviewer=volunteer_row)
    again = services.reviewer_volunteer(user=studio_owner, review=open_review, note="Back")
    assert again.pk == volunteer_row.pk
    assert again.status == ReviewerStatus.VOLUNTEERED
    assert again.note == "Back"


@pytest.mark.parametrize(
    "status",
    [ReviewStatus.DRAFT, ReviewStatus.CLOSED, ReviewStatus.COMPLETED, ReviewStatus.CANCELLED],
)
def test_volunteering_only_while_open(university, lecturer, studio_owner, status):
    review = ReviewFactory(institution=university, requested_by=lecturer, status=status)
    with pytest.raises(Conflict, match="not taking volunteers"):
        services.reviewer_volunteer(user=studio_owner, review=review)
    assert not Reviewer.objects.exists()


def test_volunteering_after_the_deadline_is_refused(open_review, studio_owner):
    CurriculumReview.objects.filter(pk=open_review.pk).update(deadline=in_days(-1))
    open_review.refresh_from_db()
    with pytest.raises(Conflict, match="deadline"):
        services.reviewer_volunteer(user=studio_owner, review=open_review)


# --- Accepting and declining ----------------------------------------------------------------


def test_accept_and_decline_email_the_volunteer(
    open_review, lecturer, django_capture_on_commit_callbacks
):
    (ann, ann_studio), (bo, bo_studio) = make_industry_people(2)
    first = ReviewerFactory(review=open_review, user=ann, organisation=ann_studio)
    second = ReviewerFactory(review=open_review, user=bo, organisation=bo_studio)
    with django_capture_on_commit_callbacks(execute=True):
        services.reviewer_accept(actor=lecturer, reviewer=first)
        services.reviewer_decline(actor=lecturer, reviewer=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.decided_by) == (ReviewerStatus.ACCEPTED, lecturer)
    assert second.status == ReviewerStatus.DECLINED
    assert [m.to for m in mail.outbox] == [[ann.email], [bo.email]]
    assert "You are a reviewer" in mail.outbox[0].subject
    assert "/response/" in mail.outbox[0].body
    assert "chosen other reviewers" in mail.outbox[1].body


def test_accepting_beyond_the_number_wanted_is_refused(open_review, lecturer):
    people = make_industry_people(3)
    rows = [ReviewerFactory(review=open_review, user=u, organisation=o) for u, o in people]
    for row in rows[:2]:
        services.reviewer_accept(actor=lecturer, reviewer=row)
    with pytest.raises(Conflict, match="accepted that many already") as caught:
        services.reviewer_accept(actor=lecturer, reviewer=rows[2])
    assert caught.value.code == "reviewers_full"
    rows[2].refresh_from_db()
    assert rows[2].status == ReviewerStatus.VOLUNTEERED
    assert open_review.reviewers.filter(status=ReviewerStatus.ACCEPTED).count() == 2


@pytest.mark.parametrize("persona", ["studio_owner", "studio_member", "other_owner", "student"])
def test_only_the_institution_accepts(request, volunteer_row, persona):
    with pytest.raises(PermissionDenied):
        services.reviewer_accept(actor=request.getfixturevalue(persona), reviewer=volunteer_row)
    volunteer_row.refresh_from_db()
    assert volunteer_row.status == ReviewerStatus.VOLUNTEERED


def test_a_decided_volunteer_cannot_be_decided_again(volunteer_row, lecturer):
    services.reviewer_decline(actor=lecturer, reviewer=volunteer_row)
    with pytest.raises(Conflict, match="no longer waiting"):
        services.reviewer_accept(actor=lecturer, reviewer=volunteer_row)
    volunteer_row.refresh_from_db()
    assert volunteer_row.status == ReviewerStatus.DECLINED


def test_withdraw_rules(accepted_row, studio_member, studio_owner, lecturer):
    with pytest.raises(PermissionDenied):
        services.reviewer_withdraw(user=studio_owner, reviewer=accepted_row)
    services.response_save(user=studio_member, review=accepted_row.review, relevance=3)
    services.reviewer_withdraw(user=studio_member, reviewer=accepted_row)
    accepted_row.refresh_from_db()
    assert accepted_row.status == ReviewerStatus.WITHDRAWN
    assert not ReviewResponse.objects.exists()  # the unsubmitted draft is discarded
    with pytest.raises(Conflict):
        services.reviewer_withdraw(user=studio_member, reviewer=accepted_row)


def test_cannot_withdraw_after_submitting(accepted_row, studio_member):
    services.response_save(user=studio_member, review=accepted_row.review, relevance=4, submit=True)
    with pytest.raises(Conflict, match="submitted"):
        services.reviewer_withdraw(user=studio_member, reviewer=accepted_row)
    accepted_row.refresh_from_db()
    assert accepted_row.status == ReviewerStatus.ACCEPTED


# --- Responses ------------------------------------------------------------------------------


def test_accepted_reviewer_saves_edits_and_submits(
    accepted_row, studio_member, skills, django_capture_on_commit_callbacks
):
    review = accepted_row.review
    draft = services.response_save(
        user=studio_member, review=review, relevance=2, missing_skills=[skills["unreal"]]
    )
    assert draft.submitted_at is None
    services.response_save(
        user=studio_member,
        review=review,
        relevance=4,
        missing_skills=[skills["houdini"]],
        suggested_changes="Teach USD.",
    )
    draft.refresh_from_db()
    assert draft.relevance == 4
    assert list(draft.missing_skills.all()) == [skills["houdini"]]
    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.response_submit(user=studio_member, response=draft)
    assert submitted.submitted_at is not None
    assert mail.outbox[-1].to == ["lena@northbridge.ac.uk"]
    assert "submitted a review" in mail.outbox[-1].subject


def test_submitted_responses_are_final(accepted_row, studio_member):
    review = accepted_row.review
    response = services.response_save(user=studio_member, review=review, relevance=5, submit=True)
    with pytest.raises(Conflict, match="final"):
        services.response_save(user=studio_member, review=review, relevance=1)
    with pytest.raises(Conflict, match="final"):
        services.response_submit(user=studio_member, response=response)
    response.refresh_from_db()
    assert response.relevance == 5


@pytest.mark.parametrize("persona", ["studio_owner", "other_owner", "lecturer", "platform_admin"])
def test_only_accepted_reviewers_respond(request, open_review, volunteer_row, persona):
    """Oscar volunteered but is not accepted; the others never volunteered."""
    with pytest.raises(PermissionDenied, match="accepted"):
        services.response_save(
            user=request.getfixturevalue(persona), review=open_review, relevance=3
        )
    assert not ReviewResponse.objects.exists()


@pytest.mark.parametrize("relevance", [0, 6, -1, None, "high"])
def test_relevance_out_of_range_is_refused(accepted_row, studio_member, relevance):
    with pytest.raises(DomainError, match="from 1") as caught:
        services.response_save(user=studio_member, review=accepted_row.review, relevance=relevance)
    assert caught.value.field == "relevance"
    assert not ReviewResponse.objects.exists()


def test_the_database_refuses_relevance_out_of_range(accepted_row):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewResponse.objects.create(reviewer=accepted_row, relevance=6)


def test_responses_only_while_open(accepted_row, studio_member, lecturer):
    services.review_close(actor=lecturer, review=accepted_row.review)
    with pytest.raises(Conflict, match="no longer be changed"):
        services.response_save(user=studio_member, review=accepted_row.review, relevance=3)


def test_review_closes_itself_when_every_reviewer_has_answered(
    open_review, lecturer, django_capture_on_commit_callbacks
):
    people = make_industry_people(2)
    for user, studio in people:
        row = ReviewerFactory(review=open_review, user=user, organisation=studio)
        services.reviewer_accept(actor=lecturer, reviewer=row)
    first, second = (user for user, _studio in people)
    services.response_save(user=first, review=open_review, relevance=3, submit=True)
    open_review.refresh_from_db()
    assert open_review.status == ReviewStatus.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        services.response_save(user=second, review=open_review, relevance=4, submit=True)
    open_review.refresh_from_db()
    assert open_review.status == ReviewStatus.CLOSED
    assert open_review.close_reason == CloseReason.COMPLETE
    assert open_review.status_changed_by is None
    last = ReviewTransition.objects.filter(review=open_review).last()
    assert (last.from_status, last.to_status, last.actor) == ("open", "closed", None)
    assert "Every reviewer has answered" in mail.outbox[-1].body
