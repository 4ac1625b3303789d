"""Writes: every change to curriculum reviews, reviewers and responses goes through here.

Each function takes the acting user, checks permission, runs in a transaction and sends its emails
after commit. Rule violations raise ``DomainError`` with a message meant for people.

Locking: every function that changes reviewers or responses of a review first locks the review
row (``_lock_review``), so counts taken inside the transaction (accepted reviewers, submitted
responses) cannot race. Always lock the review before any reviewer row, to avoid deadlocks.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import StudyLevel
from partnerships.activity.services import record_event
from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.core.mail import send_templated_email
from partnerships.core.validators import validate_pdf_upload
from partnerships.organisations.models import MANAGER_ROLES, Kind, Organisation
from partnerships.organisations.permissions import can_act_for

from .models import (
    LIVE_REVIEWER_STATUSES,
    MAX_RELEVANCE,
    MAX_REVIEWERS,
    MIN_RELEVANCE,
    MIN_REVIEWERS,
    CloseReason,
    CurriculumReview,
    Reviewer,
    ReviewerStatus,
    ReviewResponse,
    ReviewStatus,
    ReviewTransition,
)
from .permissions import (
    can_manage_review,
    can_request_review,
    is_institution_member,
    verified_organisations,
)

EDITABLE_FIELDS = (
    "title",
    "course_name",
    "level",
    "learning_outcomes",
    "syllabus",
    "questions",
    "reviewers_wanted",
    "deadline",
)
REQUIRED_TEXT = {
    "title": gettext_lazy("Give the review a title."),
    "course_name": gettext_lazy("Name the course or module."),
    "learning_outcomes": gettext_lazy("List the learning outcomes reviewers should look at."),
}


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _requester_emails(review: CurriculumReview) -> list[str]:
    """The person who asked; if they have gone, the institution's owners and admins."""
    if review.requested_by_id and is_institution_member(review.requested_by, review):
        return [review.requested_by.email]
    return list(
        review.institution.memberships.filter(role__in=MANAGER_ROLES).values_list(
            "user__email", flat=True
        )
    )


def _lock_review(pk: int) -> CurriculumReview:
    """Lock the review row for the rest of the transaction (SELECT … FOR UPDATE)."""
    return (
        CurriculumReview.objects.select_for_update(of=("self",))
        .select_related("institution", "requested_by")
        .get(pk=pk)
    )


def _accepted_count(review: CurriculumReview) -> int:
    return Reviewer.objects.filter(review=review, status=ReviewerStatus.ACCEPTED).count()


def _today() -> datetime.date:
    return timezone.localdate()


# --- Reviews --------------------------------------------------------------------------------


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    for name, message in REQUIRED_TEXT.items():
        if name in fields:
            fields[name] = (fields[name] or "").strip()
            if not fields[name]:
                raise DomainError(str(message), field=name)
    if "questions" in fields:
        fields["questions"] = (fields["questions"] or "").strip()
    if "level" in fields and fields["level"] not in StudyLevel.values:
        raise DomainError(
            _("Choose foundation, undergraduate, postgraduate or doctoral."), field="level"
        )
    if "reviewers_wanted" in fields:
        wanted = fields["reviewers_wanted"]
        if not isinstance(wanted, int) or not MIN_REVIEWERS <= wanted <= MAX_REVIEWERS:
            raise DomainError(
                _("Ask for between %(min)d and %(max)d reviewers.")
                % {"min": MIN_REVIEWERS, "max": MAX_REVIEWERS},
                field="reviewers_wanted",
            )
    if "deadline" in fields and not isinstance(fields["deadline"], datetime.date):
        raise DomainError(_("Give the deadline as a date."), field="deadline")
    if fields.get("syllabus"):
        try:
            validate_pdf_upload(fields["syllabus"])
        except ValidationError as exc:
            raise DomainError(exc.messages[0], field="syllabus") from None
    return fields


@transaction.atomic
def review_create(
    *, actor, institution: Organisation, sectors: Iterable = (), **fields: Any
) -> CurriculumReview:
    """Ask for an industry review of a course or module. It starts as a draft."""
    if not can_request_review(actor, institution):
        raise PermissionDenied(
            _("Only staff of a verified institution can ask for curriculum reviews."),
            code="not_institution_member",
        )
    missing = {"title", "course_name", "level", "learning_outcomes", "deadline"} - set(fields)
    if missing:
        raise DomainError(_("Missing fields: %s") % ", ".join(sorted(missing)))
    fields = _clean_fields(dict(fields))
    review = CurriculumReview.objects.create(
        institution=institution,
        requested_by=actor,
        status=ReviewStatus.DRAFT,
        status_changed_at=timezone.now(),
        status_changed_by=actor,
        **fields,
    )
    review.sectors.set(sectors)
    ReviewTransition.objects.create(
        review=review, from_status="", to_status=ReviewStatus.DRAFT, actor=actor, note="created"
    )
    return review


@transaction.atomic
def review_update(
    *, actor, review: CurriculumReview, sectors: Iterable | None = None, **fields: Any
) -> CurriculumReview:
    """Change a draft. Once open, reviewers rely on what they read, so it is frozen."""
    if not can_manage_review(actor, review):
        raise PermissionDenied(
            _("Only members of %(org)s can change this review.") % {"org": review.institution}
        )
    fields = _clean_fields(dict(fields))
    locked = _lock_review(review.pk)
    if locked.status != ReviewStatus.DRAFT:
        raise Conflict(
            _("Only a draft can be edited; this review is %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    if sectors is not None:
        locked.sectors.set(sectors)
    return locked


TRANSITIONS = {
    # action: (target, allowed from, message when refused)
    "open": (
        ReviewStatus.OPEN,
        (ReviewStatus.DRAFT,),
        gettext_lazy("Only a draft can be opened; this review is %(status)s."),
    ),
    "close": (
        ReviewStatus.CLOSED,
        (ReviewStatus.OPEN,),
        gettext_lazy("Only an open review can be closed; this review is %(status)s."),
    ),
    "complete": (
        ReviewStatus.COMPLETED,
        (ReviewStatus.CLOSED,),
        gettext_lazy("Only a closed review can be marked completed; this review is %(status)s."),
    ),
    "cancel": (
        ReviewStatus.CANCELLED,
        (ReviewStatus.DRAFT, ReviewStatus.OPEN),
        gettext_lazy("Only a draft or open review can be cancelled; this review is %(status)s."),
    ),
}


def _set_status(
    review: CurriculumReview, target: str, *, actor, reason: str = "", note: str = ""
) -> None:
    previous = review.status
    review.status = target
    review.close_reason = reason
    review.status_changed_at = timezone.now()
    review.status_changed_by = actor
    review.save(
        update_fields=[
            "status",
            "close_reason",
            "status_changed_at",
            "status_changed_by",
            "updated_at",
        ]
    )
    ReviewTransition.objects.create(
        review=review, from_status=previous, to_status=target, actor=actor, note=note
    )


def _transition(*, actor, review: CurriculumReview, action: str) -> CurriculumReview:
    target, allowed_from, refused = TRANSITIONS[action]
    if not can_manage_review(actor, review):
        raise PermissionDenied(
            _("Only members of %(org)s can change this review.") % {"org": review.institution}
        )
    locked = _lock_review(review.pk)
    if locked.status not in allowed_from:
        raise Conflict(str(refused) % {"status": locked.get_status_display().lower()})
    if action == "open" and locked.deadline <= _today():
        raise DomainError(
            _("The deadline must be after today. Edit the draft and set a later deadline."),
            field="deadline",
        )
    reason = CloseReason.BY_HAND if action == "close" else ""
    _set_status(locked, target, actor=actor, reason=reason, note=action)
    return locked


@transaction.atomic
def review_open(*, actor, review: CurriculumReview) -> CurriculumReview:
    """Publish a draft: industry members of verified organisations can now volunteer."""
    locked = _transition(actor=actor, review=review, action="open")
    record_event(
        "curriculum_review.opened", target=locked, actor=actor, organisation=locked.institution
    )
    return locked


@transaction.atomic
def review_close(*, actor, review: CurriculumReview) -> CurriculumReview:
    """Stop taking volunteers and responses before the deadline."""
    return _transition(actor=actor, review=review, action="close")


@transaction.atomic
def review_complete(*, actor, review: CurriculumReview) -> CurriculumReview:
    """Mark a closed review as done once the institution has read the responses."""
    return _transition(actor=actor, review=review, action="complete")


@transaction.atomic
def review_cancel(*, actor, review: CurriculumReview) -> CurriculumReview:
    return _transition(actor=actor, review=review, action="cancel")


def close_expired_reviews(*, today: datetime.date | None = None) -> int:
    """Close open reviews whose deadline has passed and tell the requesters. Safe to run twice:
    the UPDATE only touches rows still open, and rows another run holds are skipped."""
    today = today or _today()
    with transaction.atomic():
        expired = CurriculumReview.objects.filter(status=ReviewStatus.OPEN, deadline__lt=today)
        ids = list(expired.select_for_update(skip_locked=True).values_list("pk", flat=True))
        if not ids:
            return 0
        now = timezone.now()
        closed = expired.filter(pk__in=ids).update(
            status=ReviewStatus.CLOSED,
            close_reason=CloseReason.DEADLINE,
            status_changed_at=now,
            status_changed_by=None,
            updated_at=now,
        )
        ReviewTransition.objects.bulk_create(
            ReviewTransition(
                review_id=pk,
                from_status=ReviewStatus.OPEN,
                to_status=ReviewStatus.CLOSED,
                note="deadline",
                created_at=now,
            )
            for pk in ids
        )
        reviews = CurriculumReview.objects.filter(pk__in=ids).select_related(
            "institution", "requested_by"
        )
        for review in reviews:
            send_templated_email(
                to=_requester_emails(review),
                template="curriculum/closed_deadline",
                context={
                    "review": review,
                    "url": _absolute(reverse("curriculum:summary", kwargs={"pk": review.pk})),
                },
            )
    return closed


# --- Reviewers ------------------------------------------------------------------------------


def _review_url(review: CurriculumReview, name: str = "curriculum:detail") -> str:
    return _absolute(reverse(name, kwargs={"pk": review.pk}))


@transaction.atomic
def reviewer_volunteer(
    *, user, review: CurriculumReview, organisation: Organisation | None = None, note: str = ""
) -> Reviewer:
    """Offer to review, on behalf of one of your verified industry organisations."""
    industry = verified_organisations(user, Kind.INDUSTRY) if user.is_authenticated else []
    if not industry:
        raise PermissionDenied(
            _("Only members of a verified industry partner can review curricula."),
            code="not_industry_member",
        )
    if organisation is None:
        if len(industry) > 1:
            raise DomainError(_("Choose which organisation you review for."), field="organisation")
        organisation = industry[0]
    if organisation.kind != Kind.INDUSTRY or not can_act_for(user, organisation):
        raise PermissionDenied(
            _("You can only review on behalf of a verified industry partner you belong to."),
            field="organisation",
        )
    if is_institution_member(user, review):
        raise PermissionDenied(_("You cannot review your own institution's course."))
    locked = _lock_review(review.pk)
    if locked.status != ReviewStatus.OPEN:
        raise Conflict(
            _("This review is not taking volunteers; it is %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    if locked.deadline < _today():
        raise Conflict(_("The deadline for this review has passed."))
    note = (note or "").strip()
    existing = Reviewer.objects.filter(review=locked, user=user).first()
    if existing is not None:
        if existing.status != ReviewerStatus.WITHDRAWN:
            raise Conflict(
                _("You have already volunteered for this review (%(status)s).")
                % {"status": existing.get_status_display().lower()}
            )
        existing.status = ReviewerStatus.VOLUNTEERED
        existing.organisation = organisation
        existing.note = note
        existing.created_at = timezone.now()
        existing.decided_at = None
        existing.decided_by = None
        existing.save()
        reviewer = existing
    else:
        try:
            with transaction.atomic():
                reviewer = Reviewer.objects.create(
                    review=locked, user=user, organisation=organisation, note=note
                )
        except IntegrityError:
            raise Conflict(_("You have already volunteered for this review.")) from None
    send_templated_email(
        to=_requester_emails(locked),
        template="curriculum/volunteered",
        context={
            "review": locked,
            "volunteer": user,
            "organisation": organisation,
            "note": note,
            "url": _review_url(locked, "curriculum:reviewers"),
        },
    )
    return reviewer


def _decide(*, actor, reviewer: Reviewer, accept: bool) -> Reviewer:
    review = reviewer.review
    if not can_manage_review(actor, review):
        raise PermissionDenied(
            _("Only members of %(org)s can accept or decline reviewers.")
            % {"org": review.institution}
        )
    locked = _lock_review(review.pk)
    if locked.status != ReviewStatus.OPEN:
        raise Conflict(_("Reviewers can only be accepted or declined while the review is open."))
    row = Reviewer.objects.select_related("user", "organisation").get(pk=reviewer.pk)
    if row.status != ReviewerStatus.VOLUNTEERED:
        raise Conflict(
            _("%(name)s is no longer waiting for an answer (%(status)s).")
            % {"name": row.person_name, "status": row.get_status_display().lower()}
        )
    if accept and _accepted_count(locked) >= locked.reviewers_wanted:
        raise Conflict(
            _(
                "You asked for %(wanted)d reviewer(s) and have accepted that many already. "
                "Decline the other volunteers, or edit a new review to ask for more."
            )
            % {"wanted": locked.reviewers_wanted},
            code="reviewers_full",
        )
    row.status = ReviewerStatus.ACCEPTED if accept else ReviewerStatus.DECLINED
    row.decided_at = timezone.now()
    row.decided_by = actor
    row.save(update_fields=["status", "decided_at", "decided_by"])
    send_templated_email(
        to=[row.user.email],
        template=f"curriculum/{row.status}",
        context={
            "review": locked,
            "reviewer": row,
            "url": (
                _review_url(locked, "curriculum:response")
                if accept
                else _absolute(reverse("curriculum:browse"))
            ),
        },
    )
    return row


@transaction.atomic
def reviewer_accept(*, actor, reviewer: Reviewer) -> Reviewer:
    """Accept a volunteer. Never more accepted reviewers than the review asked for."""
    return _decide(actor=actor, reviewer=reviewer, accept=True)


@transaction.atomic
def reviewer_decline(*, actor, reviewer: Reviewer) -> Reviewer:
    return _decide(actor=actor, reviewer=reviewer, accept=False)


@transaction.atomic
def reviewer_withdraw(*, user, reviewer: Reviewer) -> Reviewer:
    """Step back from a review before submitting a response. A draft response is discarded."""
    if reviewer.user_id != user.pk:
        raise PermissionDenied(_("Only the volunteer can withdraw."))
    locked = _lock_review(reviewer.review_id)
    row = Reviewer.objects.get(pk=reviewer.pk)
    if row.status not in LIVE_REVIEWER_STATUSES:
        raise Conflict(
            _("You are not reviewing this course (%(status)s).")
            % {"status": row.get_status_display().lower()}
        )
    if locked.status != ReviewStatus.OPEN:
        raise Conflict(_("This review is no longer open."))
    if ReviewResponse.objects.filter(reviewer=row, submitted_at__isnull=False).exists():
        raise Conflict(_("You have submitted your response, so you can no longer withdraw."))
    ReviewResponse.objects.filter(reviewer=row).delete()
    row.status = ReviewerStatus.WITHDRAWN
    row.decided_at = timezone.now()
    row.save(update_fields=["status", "decided_at"])
    return row


# --- Responses ------------------------------------------------------------------------------


def _check_relevance(relevance) -> int:
    if isinstance(relevance, bool) or not isinstance(relevance, int):
        try:
            relevance = int(relevance)
        except (TypeError, ValueError):
            relevance = None
    if relevance is None or not MIN_RELEVANCE <= relevance <= MAX_RELEVANCE:
        raise DomainError(
            _("Rate relevance from %(min)d (not relevant) to %(max)d (very relevant).")
            % {"min": MIN_RELEVANCE, "max": MAX_RELEVANCE},
            field="relevance",
        )
    return relevance


def _answerable(*, user, review_pk: int) -> tuple[CurriculumReview, Reviewer]:
    """Lock the review, then check the user is its accepted reviewer and it still takes answers."""
    locked = _lock_review(review_pk)
    reviewer = (
        Reviewer.objects.filter(review=locked, user=user).select_related("organisation").first()
        if user.is_authenticated
        else None
    )
    if reviewer is None or reviewer.status != ReviewerStatus.ACCEPTED:
        raise PermissionDenied(
            _("Only reviewers the institution has accepted can answer this review."),
            code="not_accepted_reviewer",
        )
    if locked.status != ReviewStatus.OPEN:
        raise Conflict(
            _("This review is %(status)s, so responses can no longer be changed.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked, reviewer


@transaction.atomic
def response_save(
    *,
    user,
    review: CurriculumReview,
    relevance,
    missing_skills: Iterable = (),
    missing_skills_other: str = "",
    overweighted_skills: Iterable = (),
    overweighted_skills_other: str = "",
    suggested_changes: str = "",
    comments: str = "",
    submit: bool = False,
) -> ReviewResponse:
    """Save (and optionally submit) the accepted reviewer's answers. Submitted ones are final."""
    locked, reviewer = _answerable(user=user, review_pk=review.pk)
    relevance = _check_relevance(relevance)
    response = ReviewResponse.objects.filter(reviewer=reviewer).first()
    if response is not None and response.is_submitted:
        raise Conflict(_("You have already submitted your response; it is final."))
    values = {
        "relevance": relevance,
        "missing_skills_other": (missing_skills_other or "").strip(),
        "overweighted_skills_other": (overweighted_skills_other or "").strip(),
        "suggested_changes": (suggested_changes or "").strip(),
        "comments": (comments or "").strip(),
    }
    if response is None:
        response = ReviewResponse.objects.create(reviewer=reviewer, **values)
    else:
        for name, value in values.items():
            setattr(response, name, value)
        response.save()
    response.missing_skills.set(missing_skills)
    response.overweighted_skills.set(overweighted_skills)
    if submit:
        _submit(locked, reviewer, response)
    return response


@transaction.atomic
def response_submit(*, user, response: ReviewResponse) -> ReviewResponse:
    """Submit a saved response. After this it cannot be changed."""
    locked, reviewer = _answerable(user=user, review_pk=response.reviewer.review_id)
    if reviewer.pk != response.reviewer_id:
        raise PermissionDenied(_("You can only submit your own response."))
    row = ReviewResponse.objects.get(pk=response.pk)
    if row.is_submitted:
        raise Conflict(_("You have already submitted your response; it is final."))
    _submit(locked, reviewer, row)
    return row


def _submit(review: CurriculumReview, reviewer: Reviewer, response: ReviewResponse) -> None:
    response.submitted_at = timezone.now()
    response.save(update_fields=["submitted_at", "updated_at"])
    submitted = ReviewResponse.objects.filter(
        reviewer__review=review, submitted_at__isnull=False
    ).count()
    all_in = submitted >= review.reviewers_wanted
    if all_in:
        _set_status(
            review, ReviewStatus.CLOSED, actor=None, reason=CloseReason.COMPLETE, note="complete"
        )
    send_templated_email(
        to=_requester_emails(review),
        template="curriculum/response_submitted",
        context={
            "review": review,
            "reviewer": reviewer,
            "submitted": submitted,
            "all_in": all_in,
            "url": _review_url(review, "curriculum:summary"),
        },
    )
