"""Evaluations on completion: the student's, and the supervisor's (signed in, or through a signed,
expiring, single-use link that needs no account)."""

import datetime
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from partnerships.activity.services import record_event
from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.core.mail import send_templated_email

from ..models import (
    MAX_RATING,
    MIN_RATING,
    STUDENT_RATINGS,
    SUPERVISOR_RATINGS,
    Application,
    ApplicationStatus,
    Placement,
    StudentEvaluation,
    SupervisorEvaluation,
)
from ..permissions import is_studio
from .placements import absolute, studio_emails

SUPERVISOR_SALT = "placements.supervisor-evaluation"
SUPERVISOR_LINK_TTL = datetime.timedelta(days=30)
# The HTML layer routes this path to a page calling ``supervisor_evaluation_submit_by_token``.
SUPERVISOR_PATH = "/placements/supervisor-evaluation/{token}/"


def supervisor_token(application: Application) -> str:
    """A signed, timestamped token bound to the application and its student."""
    return signing.dumps(
        {"a": application.pk, "s": application.student_id}, salt=SUPERVISOR_SALT, compress=True
    )


def supervisor_url(application: Application) -> str:
    return absolute(SUPERVISOR_PATH.format(token=supervisor_token(application)))


def application_from_supervisor_token(token: str) -> Application:
    """Resolve a token or raise a DomainError saying what is wrong (expired, forged, used)."""
    try:
        data = signing.loads(token, salt=SUPERVISOR_SALT, max_age=SUPERVISOR_LINK_TTL)
    except signing.SignatureExpired:
        raise DomainError(
            _("This evaluation link has expired. Ask the university for a new one."),
            code="expired",
        ) from None
    except signing.BadSignature:
        raise DomainError(
            _("This evaluation link is not valid. Check you copied all of it."), code="invalid"
        ) from None
    application = (
        Application.objects.select_related("placement__organisation", "student__profile")
        .filter(pk=data.get("a"), student_id=data.get("s"))
        .first()
    )
    if application is None or application.status != ApplicationStatus.COMPLETED:
        raise DomainError(_("This evaluation link no longer applies."), code="invalid")
    if SupervisorEvaluation.objects.filter(application=application).exists():
        raise DomainError(_("This evaluation link has already been used."), code="used")
    return application


def after_complete(application: Application, placement: Placement, *, actor) -> None:
    """Inside the completing transaction: record it and ask both sides for an evaluation."""
    record_event(
        "placement.completed", target=application, actor=actor,
        organisation=placement.organisation, placement_id=placement.pk,
        institution_id=application.institution_id,
    )  # fmt: skip
    send_templated_email(
        to=[application.student_email],
        template="placements/evaluation_requested_student",
        context={"application": application, "placement": placement},
    )
    send_templated_email(
        to=studio_emails(placement),
        template="placements/evaluation_requested_supervisor",
        context={
            "application": application,
            "placement": placement,
            "url": supervisor_url(application),
            "expires_days": SUPERVISOR_LINK_TTL.days,
        },
    )


def _ratings(names: list[str], values: dict[str, Any]) -> dict[str, int]:
    cleaned = {}
    for name in names:
        value = values.get(name)
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if isinstance(value, bool) or number is None or not MIN_RATING <= number <= MAX_RATING:
            raise DomainError(
                _("Rate %(name)s from %(min)d to %(max)d.")
                % {"name": name, "min": MIN_RATING, "max": MAX_RATING},
                field=name,
            )
        cleaned[name] = number
    return cleaned


def _lock_completed(application: Application) -> Application:
    row = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
    if row.status != ApplicationStatus.COMPLETED:
        raise Conflict(_("Evaluations open once the placement is marked completed."))
    return row


@transaction.atomic
def student_evaluation_submit(
    *, actor, application: Application, comments: str = "", **ratings: Any
) -> StudentEvaluation:
    if application.student_id != actor.pk:
        raise PermissionDenied(_("Only the student who took the placement evaluates it."))
    row = _lock_completed(application)
    values = _ratings(STUDENT_RATINGS, ratings)
    try:
        with transaction.atomic():
            return StudentEvaluation.objects.create(
                application=row, comments=(comments or "").strip(), **values
            )
    except IntegrityError:
        raise Conflict(_("You have already evaluated this placement.")) from None


def _save_supervisor(row: Application, *, name: str, user, via_link: bool, comments: str, ratings):
    values = _ratings(SUPERVISOR_RATINGS, ratings)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the supervisor's name."), field="supervisor_name")
    try:
        with transaction.atomic():
            return SupervisorEvaluation.objects.create(
                application=row,
                supervisor_name=name[:120],
                submitted_by=user,
                via_link=via_link,
                comments=(comments or "").strip(),
                **values,
            )
    except IntegrityError:
        raise Conflict(_("The supervisor has already evaluated this placement.")) from None


@transaction.atomic
def supervisor_evaluation_submit(
    *, actor, application: Application, comments: str = "", **ratings: Any
) -> SupervisorEvaluation:
    """A studio member evaluates the student while signed in."""
    if not is_studio(actor, application.placement):
        raise PermissionDenied(_("Only the studio evaluates the student."))
    row = _lock_completed(application)
    return _save_supervisor(
        row, name=actor.display_name, user=actor, via_link=False, comments=comments,
        ratings=ratings,
    )  # fmt: skip


@transaction.atomic
def supervisor_evaluation_submit_by_token(
    *, token: str, supervisor_name: str, comments: str = "", **ratings: Any
) -> SupervisorEvaluation:
    """The supervisor answers through the emailed link, without an account. The link works once
    (one evaluation per application, checked under a row lock) and expires after 30 days."""
    found = application_from_supervisor_token(token)
    row = _lock_completed(found)
    if SupervisorEvaluation.objects.filter(application=row).exists():
        raise DomainError(_("This evaluation link has already been used."), code="used")
    return _save_supervisor(
        row, name=supervisor_name, user=None, via_link=True, comments=comments, ratings=ratings
    )
