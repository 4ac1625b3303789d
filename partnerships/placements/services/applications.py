"""Applications: drafts, submission, the studio pipeline, the student's answer, capacity.

Capacity: **an offer reserves a seat.** The studio may only offer while
``positions − accepted − outstanding offers > 0``; accepting an offer is re-checked against
``positions − accepted`` as a second guard. Both counts are taken after locking the placement row
(``lock_placement``), so simultaneous offers or acceptances cannot overbook. When the last position
is accepted the placement becomes filled and every remaining live applicant is rejected kindly.

Lock order: placement row, then application row(s).
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerships.activity.services import record_event
from partnerships.audit.services import record_update
from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.core.mail import send_templated_email

from ..models import (
    LIVE_APPLICATION_STATUSES,
    TAKEN_STATUSES,
    Application,
    ApplicationAnswer,
    ApplicationNote,
    ApplicationStatus,
    ApplicationTransition,
    Placement,
    PlacementStatus,
)
from ..permissions import can_view_application, is_eligible, is_placement_officer, is_studio
from ..validators import validate_cv_upload
from .placements import lock_placement, set_status, studio_emails

A = ApplicationStatus
STUDENT = "student"
STUDIO = "studio"
COMPLETER = "completer"  # the studio or the student's placement officer

# from → {to: party allowed to make the move}
TRANSITIONS: dict[str, dict[str, str]] = {
    A.DRAFT: {A.SUBMITTED: STUDENT},
    A.SUBMITTED: {
        A.UNDER_REVIEW: STUDIO, A.SHORTLISTED: STUDIO, A.REJECTED: STUDIO, A.WITHDRAWN: STUDENT,
    },
    A.UNDER_REVIEW: {
        A.SHORTLISTED: STUDIO, A.INTERVIEW: STUDIO, A.REJECTED: STUDIO, A.WITHDRAWN: STUDENT,
    },
    A.SHORTLISTED: {
        A.INTERVIEW: STUDIO, A.OFFERED: STUDIO, A.REJECTED: STUDIO, A.WITHDRAWN: STUDENT,
    },
    A.INTERVIEW: {A.OFFERED: STUDIO, A.REJECTED: STUDIO, A.WITHDRAWN: STUDENT},
    A.OFFERED: {
        A.ACCEPTED: STUDENT, A.DECLINED: STUDENT, A.REJECTED: STUDIO, A.WITHDRAWN: STUDENT,
    },
    A.ACCEPTED: {A.COMPLETED: COMPLETER},
    A.COMPLETED: {},
    A.DECLINED: {},
    A.REJECTED: {},
    A.WITHDRAWN: {},
}  # fmt: skip

PARTY_REFUSAL = {
    STUDENT: gettext_lazy("Only the student who applied can do that."),
    STUDIO: gettext_lazy("Only members of %(org)s can move applications to this placement."),
    COMPLETER: gettext_lazy("Only the studio or the student's placement officer can do that."),
}
FILLED_MESSAGE = gettext_lazy(
    "Thank you for applying to “%(title)s”. All of its positions have now been filled, so we "
    "cannot take your application further. We hope to see you apply again."
)


# --- Counting seats (under the placement lock) ---------------------------------------------


def _accepted_count(placement: Placement) -> int:
    return Application.objects.filter(placement=placement, status__in=TAKEN_STATUSES).count()


def _offered_count(placement: Placement) -> int:
    return Application.objects.filter(placement=placement, status=A.OFFERED).count()


def seats_held(placement: Placement) -> int:
    """Accepted plus outstanding offers: the seats nobody else may be offered."""
    return _accepted_count(placement) + _offered_count(placement)


def _free_seats(placement: Placement, to: str) -> int:
    """Seats left for a new offer (offers reserve) or for accepting one (a second guard).
    Call only with the placement row locked."""
    if to == A.OFFERED:
        return placement.positions - seats_held(placement)
    return placement.positions - _accepted_count(placement)


# --- Helpers --------------------------------------------------------------------------------


def _lock_application(pk: int) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("student__profile", "institution")
        .get(pk=pk)
    )


def _log(application: Application, *, actor, from_status: str, message: str = "") -> None:
    ApplicationTransition.objects.create(
        application=application,
        from_status=from_status,
        to_status=application.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        message=message,
    )


def _set_stage(application: Application, to: str, *, actor, message: str = "") -> None:
    from_status = application.status
    now = timezone.now()
    application.status = to
    application.status_changed_at = now
    fields = ["status", "status_changed_at", "updated_at"]
    if to == A.SUBMITTED:
        application.submitted_at = now
        fields.append("submitted_at")
    application.save(update_fields=fields)
    _log(application, actor=actor, from_status=from_status, message=message)
    record_event(
        f"application.{to}",
        target=application,
        actor=actor,
        organisation=application.placement.organisation,
        placement_id=application.placement_id,
        from_status=from_status,
    )


def _check_party(actor, application: Application, placement: Placement, party: str) -> None:
    if party == STUDENT:
        allowed = application.student_id == actor.pk
    elif party == STUDIO:
        allowed = is_studio(actor, placement)
    else:
        allowed = is_studio(actor, placement) or is_placement_officer(
            actor, application.institution
        )
    if not allowed:
        raise PermissionDenied(str(PARTY_REFUSAL[party]) % {"org": placement.organisation.name})


def _check_move(application: Application, to: str) -> str:
    party = TRANSITIONS[application.status].get(to)
    if party is None:
        raise Conflict(
            _("An application that is %(current)s cannot become %(target)s.")
            % {
                "current": application.get_status_display().lower(),
                "target": A(to).label.lower(),
            },
            code="invalid_transition",
        )
    return party


def _notify(application: Application, placement: Placement, *, by: str, message: str) -> None:
    """Tell the other party: the student about the studio's moves, the studio about the
    student's."""
    context = {"application": application, "placement": placement, "message": message}
    if by == STUDENT:
        send_templated_email(
            to=studio_emails(placement), template="placements/student_moved", context=context
        )
    else:
        send_templated_email(
            to=[application.student_email], template="placements/studio_moved", context=context
        )


def _answers_by_question(application: Application) -> dict[int, str]:
    return dict(application.answers.values_list("question_id", "text"))


# --- Drafts and submission --------------------------------------------------------------------


@transaction.atomic
def application_save_draft(
    *,
    actor,
    placement: Placement,
    cover_letter: str | None = None,
    cv=None,
    portfolio_url: str | None = None,
    for_credit: bool | None = None,
    answers: dict[int, str] | None = None,
) -> Application:
    """Create or update the student's draft; a draft survives until submitted."""
    if placement.status == PlacementStatus.DRAFT:
        raise PermissionDenied(_("This placement is not published."))
    if not is_eligible(actor, placement):
        raise PermissionDenied(
            _("This placement is open to students of particular levels or institutions only."),
            code="not_eligible",
        )
    if placement.status != PlacementStatus.OPEN:
        raise Conflict(
            _("This placement is %(status)s and no longer takes applications.")
            % {"status": placement.get_status_display().lower()},
            code="placement_not_open",
        )
    if cv:
        try:
            validate_cv_upload(cv)
        except ValidationError as exc:
            raise DomainError(exc.messages[0], field="cv", code="invalid_cv") from None
    try:
        with transaction.atomic():
            application, _created = Application.objects.get_or_create(
                placement=placement, student=actor
            )
    except IntegrityError:  # a simultaneous first save from another tab
        application = Application.objects.get(placement=placement, student=actor)
    application = _lock_application(application.pk)
    if application.status != A.DRAFT:
        raise Conflict(_("You have already applied to this placement."), code="already_submitted")
    changes: dict[str, Any] = {
        "cover_letter": cover_letter,
        "portfolio_url": portfolio_url,
        "for_credit": for_credit,
    }
    for name, value in changes.items():
        if value is not None:
            setattr(application, name, value.strip() if isinstance(value, str) else value)
    if cv:
        application.cv = cv
    application.save()
    if answers:
        questions = {q.pk: q for q in placement.questions.all()}
        for question_id, text in answers.items():
            if int(question_id) not in questions:
                raise DomainError(_("That question is not part of this placement."))
            ApplicationAnswer.objects.update_or_create(
                application=application,
                question_id=int(question_id),
                defaults={"text": (text or "").strip()},
            )
    return application


@transaction.atomic
def application_submit(*, actor, application: Application) -> Application:
    """Send the draft to the studio: the placement must be open and before its deadline."""
    if application.student_id != actor.pk:
        raise PermissionDenied(str(PARTY_REFUSAL[STUDENT]))
    placement = lock_placement(application.placement_id)
    row = _lock_application(application.pk)
    _check_move(row, A.SUBMITTED)
    if placement.status != PlacementStatus.OPEN:
        raise Conflict(
            _("This placement is %(status)s and no longer takes applications.")
            % {"status": placement.get_status_display().lower()},
            code="placement_not_open",
        )
    if placement.deadline <= timezone.now():
        raise Conflict(
            _("The deadline for “%(title)s” has passed, so applications are closed.")
            % {"title": placement.title},
            code="deadline_passed",
        )
    if not is_eligible(actor, placement):
        raise PermissionDenied(_("You are not eligible for this placement."), code="not_eligible")
    if not row.cover_letter.strip():
        raise DomainError(_("Write a cover letter before submitting."), field="cover_letter")
    if not row.cv:
        raise DomainError(_("Attach your CV (PDF) before submitting."), field="cv")
    answers = _answers_by_question(row)
    unanswered = [
        q.text for q in placement.questions.all() if q.required and not answers.get(q.pk, "")
    ]
    if unanswered:
        raise DomainError(
            _("Answer every required question before submitting: %(q)s")
            % {"q": "; ".join(unanswered)},
            field="answers",
        )
    row.institution = getattr(actor.profile, "institution", None)
    row.save(update_fields=["institution"])
    _set_stage(row, A.SUBMITTED, actor=actor)
    send_templated_email(
        to=studio_emails(placement),
        template="placements/application_submitted",
        context={"application": row, "placement": placement},
    )
    return row


# --- Moves ------------------------------------------------------------------------------------


def _reject_remaining(placement: Placement, *, actor, message: str) -> int:
    """Set-based: reject every live application left; each student gets a kind email."""
    remaining = Application.objects.filter(
        placement=placement, status__in=LIVE_APPLICATION_STATUSES
    )
    rows = list(remaining.select_for_update(of=("self",)).select_related("student"))
    return _reject_rows(rows, placement, actor=actor, message=message)


def _reject_rows(rows: list[Application], placement: Placement, *, actor, message: str) -> int:
    if not rows:
        return 0
    now = timezone.now()
    Application.objects.filter(pk__in=[r.pk for r in rows]).update(
        status=A.REJECTED, status_changed_at=now, updated_at=now
    )
    record_update(rows, actor=actor, status=A.REJECTED)  # the rows still hold their old stage
    ApplicationTransition.objects.bulk_create(
        ApplicationTransition(
            application=row,
            from_status=row.status,
            to_status=A.REJECTED,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            message=message,
            created_at=now,
        )
        for row in rows
    )
    for row in rows:
        row.status = A.REJECTED
        send_templated_email(
            to=[row.student_email],
            template="placements/studio_moved",
            context={"application": row, "placement": placement, "message": message},
        )
    return len(rows)


@transaction.atomic
def application_move(*, actor, application: Application, to: str, message: str = "") -> Application:
    """Move an application to ``to`` if that move is allowed and ``actor`` is the right party."""
    if not can_view_application(actor, application):
        raise PermissionDenied()
    placement = lock_placement(application.placement_id)
    row = _lock_application(application.pk)
    if to == A.SUBMITTED:
        raise Conflict(_("Submit a draft with application_submit."), code="invalid_transition")
    party = _check_move(row, to)
    _check_party(actor, row, placement, party)
    message = (message or "").strip()
    if to in (A.OFFERED, A.ACCEPTED) and _free_seats(placement, to) <= 0:
        if to == A.OFFERED:
            raise Conflict(
                _(
                    "All %(n)d position(s) are offered or accepted. An offer frees its seat when "
                    "it is declined or withdrawn."
                )
                % {"n": placement.positions},
                code="no_free_position",
            )
        raise Conflict(
            _("Sorry, every position of this placement has been taken."), code="placement_full"
        )
    if to == A.COMPLETED:
        _check_ended(placement)
    _set_stage(row, to, actor=actor, message=message)
    _notify(row, placement, by=party if party != COMPLETER else STUDIO, message=message)
    if to == A.ACCEPTED:
        _after_accept(row, placement, actor=actor)
    if to == A.COMPLETED:
        from .evaluations import after_complete

        after_complete(row, placement, actor=actor)
    return row


def _after_accept(row: Application, placement: Placement, *, actor) -> None:
    from .signoff import create_approval

    record_event(
        "placement.accepted", target=row, actor=actor, organisation=placement.organisation,
        placement_id=placement.pk, institution_id=row.institution_id,
    )  # fmt: skip
    if row.for_credit and row.institution_id:
        create_approval(row)
    if _accepted_count(placement) >= placement.positions:
        set_status(placement, PlacementStatus.FILLED, actor=None, note="last position accepted")
        record_event("placement.filled", target=placement, organisation=placement.organisation)
        _reject_remaining(
            placement, actor=None, message=str(FILLED_MESSAGE) % {"title": placement.title}
        )


def _check_ended(placement: Placement) -> None:
    today = timezone.localdate()
    end = placement.end_date or placement.start_date
    if end and end > today:
        raise Conflict(
            _("The placement has not ended yet (it ends on %(date)s).") % {"date": end},
            code="not_ended",
        )


def application_review(*, actor, application: Application) -> Application:
    return application_move(actor=actor, application=application, to=A.UNDER_REVIEW)


def application_shortlist(*, actor, application: Application, message: str = "") -> Application:
    return application_move(actor=actor, application=application, to=A.SHORTLISTED, message=message)


def application_invite_to_interview(
    *, actor, application: Application, message: str = ""
) -> Application:
    return application_move(actor=actor, application=application, to=A.INTERVIEW, message=message)


def application_offer(*, actor, application: Application, message: str = "") -> Application:
    """Offer a position: refused when every position is already offered or accepted."""
    return application_move(actor=actor, application=application, to=A.OFFERED, message=message)


def application_reject(*, actor, application: Application, message: str = "") -> Application:
    return application_move(actor=actor, application=application, to=A.REJECTED, message=message)


def application_accept(*, actor, application: Application) -> Application:
    """The student accepts an offer; the last acceptance fills the placement."""
    return application_move(actor=actor, application=application, to=A.ACCEPTED)


def application_decline(*, actor, application: Application, message: str = "") -> Application:
    return application_move(actor=actor, application=application, to=A.DECLINED, message=message)


def application_withdraw(*, actor, application: Application, message: str = "") -> Application:
    return application_move(actor=actor, application=application, to=A.WITHDRAWN, message=message)


def application_complete(*, actor, application: Application) -> Application:
    """After the end date, the studio or the student's officer marks the placement completed;
    both evaluations are then asked for."""
    return application_move(actor=actor, application=application, to=A.COMPLETED)


@transaction.atomic
def applications_bulk_reject(
    *, actor, placement: Placement, applications: Iterable[int], message: str
) -> int:
    """Reject several live applications of one placement at once, with one message."""
    message = (message or "").strip()
    if not message:
        raise DomainError(_("Write a short message for the applicants."), field="message")
    locked = lock_placement(placement.pk)
    if not is_studio(actor, locked):
        raise PermissionDenied(str(PARTY_REFUSAL[STUDIO]) % {"org": locked.organisation.name})
    ids = [int(pk) for pk in applications]
    rows = list(
        Application.objects.select_for_update(of=("self",))
        .filter(placement=locked, pk__in=ids, status__in=LIVE_APPLICATION_STATUSES)
        .select_related("student")
        .order_by("pk")
    )
    return _reject_rows(rows, locked, actor=actor, message=message)


@transaction.atomic
def application_note_add(*, actor, application: Application, text: str) -> ApplicationNote:
    """A note only the studio sees."""
    if not is_studio(actor, application.placement) or application.status == A.DRAFT:
        raise PermissionDenied(_("Only the studio can add notes to an application."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("The note is empty."), field="text")
    return ApplicationNote.objects.create(application=application, author=actor, text=text)
