"""Deleting an account: the person goes, organisations keep their own records without them.

What happens, in one transaction (``account_delete``):

- Refused (409) while the person is the last owner of an organisation: ownership must go to
  someone else first, so no organisation is left without anyone to run it.
- Placement applications still in a studio's pipeline are withdrawn (an offer frees its seat),
  drafts are deleted; every application left loses its personal content (cover letter,
  portfolio link, answers, CV, the student's messages and evaluation comments) and its link to
  the person (``student`` becomes empty). Stages, dates, the institution, university approvals
  and the studio's notes stay: they are the organisations' records of their own pipeline.
- Event places still to come are cancelled (the waitlist moves up); every registration stays,
  without the person, so organisers' counts and attendance figures do not change.
- Curriculum reviews: answers already submitted stay with the review (given on behalf of an
  organisation); unfinished volunteering is removed.
- Quotes of the person are deleted (a published story stops showing them at once, and nobody
  can record consent for them again); testimonials they submitted for an organisation keep the
  organisation's answer but no longer count as consent to publish.
- Speakers keep the name printed on the organiser's agenda; stories they nominated, proposals
  they sent for an organisation, events and placements they created all stay (the link to the
  person is emptied by ``on_delete=SET_NULL``).
- The rest goes with the user row (``CASCADE``): profile, memberships, join requests,
  notifications, preferences, digests, saved searches, recommendations, saved proposals,
  calendar feed, email addresses, two-factor devices, signed-in sessions, API token.

Files (avatar, CVs) and sessions are deleted only after the transaction commits, and the
goodbye email is queued the same way, so a rolled-back deletion leaves everything as it was.
The user row itself is deleted (not just deactivated): nothing that must stay points at it with
``PROTECT``, and the audit trail keeps its own copy of the email (see docs/operations.md).
"""

import logging
from importlib import import_module

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import ACTIVE_REGISTRATION_STATUSES, EventStatus, Registration, Speaker
from partnerships.activity.services import record_event
from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.core.files import delete_files_after_commit
from partnerships.core.mail import send_templated_email
from partnerships.curriculum.models import Reviewer
from partnerships.organisations.models import MemberRole, Membership, Organisation
from partnerships.placements.models import (
    LIVE_APPLICATION_STATUSES,
    Application,
    ApplicationAnswer,
    ApplicationStatus,
    ApplicationTransition,
    StudentEvaluation,
)
from partnerships.stories.models import StoryQuote, TestimonialRequest

from .models import Profile, User

logger = logging.getLogger(__name__)


def organisations_blocking_deletion(user, *, lock: bool = False) -> list[Organisation]:
    """Organisations of which ``user`` is the only owner. With ``lock`` (inside a transaction)
    their membership rows are locked first, as ``membership_leave`` does, so an ownership change
    cannot slip in between the count and the deletion."""
    owned = Membership.objects.filter(user=user, role=MemberRole.OWNER).values("organisation_id")
    if lock:
        list(
            Membership.objects.select_for_update()
            .filter(organisation_id__in=owned)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return list(
        Organisation.objects.filter(pk__in=owned)
        .annotate(owners=Count("memberships", filter=Q(memberships__role=MemberRole.OWNER)))
        .filter(owners=1)
        .order_by("name")
    )


def _withdraw_live_applications(user) -> None:
    """Through the placements service, so seats are freed and the studio is told as usual."""
    from partnerships.placements.services import application_withdraw

    live = Application.objects.filter(student=user, status__in=LIVE_APPLICATION_STATUSES)
    for application in live.order_by("pk"):
        application_withdraw(
            actor=user,
            application=application,
            message=_("The applicant deleted their Tandem account."),
        )


def _anonymise_applications(user) -> list[str]:
    """Returns the stored CV names, to delete once the transaction commits."""
    _withdraw_live_applications(user)
    mine = Application.objects.filter(student=user)
    cvs = [name for name in mine.values_list("cv", flat=True) if name]
    mine.filter(status=ApplicationStatus.DRAFT).delete()  # never reached a studio
    ApplicationAnswer.objects.filter(application__student=user).delete()
    ApplicationTransition.objects.filter(application__student=user, actor=user).update(message="")
    StudentEvaluation.objects.filter(application__student=user).update(comments="")
    mine.update(student=None, cover_letter="", portfolio_url="", cv="", updated_at=timezone.now())
    return cvs


def _anonymise_registrations(user) -> None:
    """Places still to come are given up (the waitlist moves up); every row then stays,
    without the person, for the organisers' counts."""
    from events.services.registrations import cancel_registration

    upcoming = Registration.objects.filter(
        user=user,
        status__in=ACTIVE_REGISTRATION_STATUSES,
        checked_in_at__isnull=True,
        event__ends_at__gt=timezone.now(),
    ).exclude(event__status=EventStatus.COMPLETED)
    for registration in upcoming.order_by("event_id", "pk"):
        try:
            cancel_registration(actor=user, registration=registration)
        except Conflict:
            logger.info("Registration %s could not be cancelled; kept anonymised", registration.pk)
    Registration.objects.filter(user=user).update(user=None, updated_at=timezone.now())


def _keep_organisation_records(user, display_name: str) -> None:
    # Curriculum: submitted answers stay with the review; unfinished volunteering goes.
    unfinished = Q(response__isnull=True) | Q(response__submitted_at__isnull=True)
    Reviewer.objects.filter(unfinished, user=user).delete()
    Reviewer.objects.filter(user=user).update(user=None)
    # The agenda keeps the name it printed (a speaker needs a person or a name).
    Speaker.objects.filter(user=user, name="").update(name=display_name[:120])
    # Their words are theirs: quotes go, and an organisation's testimonial is no longer consent.
    StoryQuote.objects.filter(user=user).delete()
    TestimonialRequest.objects.filter(submitted_by=user).update(consent_to_publish=False)


def _end_sessions_after_commit(session_keys: list[str]) -> None:
    if not session_keys:
        return
    store = import_module(settings.SESSION_ENGINE).SessionStore

    def end() -> None:
        for key in session_keys:
            store(session_key=key).delete()

    transaction.on_commit(end)


@transaction.atomic
def account_delete(*, actor, user, confirm_email: str) -> None:
    """Delete ``user``'s account for good, as described in this module's docstring.

    Only the person themselves may do it, typing their email address to confirm (400 when it
    does not match; 409 while they are the last owner of an organisation).
    """
    if not actor.is_authenticated or actor.pk != user.pk:
        raise PermissionDenied(_("Only the account holder can delete their account."))
    if (confirm_email or "").strip().lower() != user.email.lower():
        raise DomainError(
            _("Type the email address of your account exactly to confirm."),
            field="email",
            code="email_mismatch",
        )
    user = User.objects.select_for_update().get(pk=user.pk)
    blocking = organisations_blocking_deletion(user, lock=True)
    if blocking:
        raise Conflict(
            _(
                "You are the last owner of %(orgs)s. Make another member an owner (or ask the "
                "Tandem team to close the organisation) before deleting your account."
            )
            % {"orgs": ", ".join(org.name for org in blocking)},
            code="last_owner",
        )
    email = user.email
    profile = Profile.objects.filter(user=user).first()
    display_name = profile.display_name if profile else ""
    avatar = profile.avatar.name if profile and profile.avatar else ""

    cvs = _anonymise_applications(user)
    _anonymise_registrations(user)
    _keep_organisation_records(user, display_name or _("Former member"))
    session_keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Membership.objects.filter(user=user).delete()  # delete signals fire per row (audit trail)

    record_event("account.deleted", target=user, actor=None)
    send_templated_email(
        to=[email],
        template="accounts/account_deleted",
        context={"name": display_name or email.split("@")[0]},
    )
    user.delete()

    storage_cv = Application._meta.get_field("cv").storage
    delete_files_after_commit(storage_cv, cvs)
    delete_files_after_commit(Profile._meta.get_field("avatar").storage, [avatar])
    _end_sessions_after_commit(session_keys)
