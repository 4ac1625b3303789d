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

A platform admin deleting someone in the Django admin goes through the same erasure
(``accounts_delete_by_admin``): no email to type, but never their own account (that stays with the
person's own confirmation) nor the last platform admin, and a ``user.deleted`` audit entry names
the admin who did it.
"""

import logging
from collections.abc import Iterable
from importlib import import_module

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import ACTIVE_REGISTRATION_STATUSES, EventStatus, Registration, Speaker
from partnerships.activity.services import record_event
from partnerships.audit.context import acting_as
from partnerships.audit.services import record as audit_record
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

from .models import Profile, Role, User

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


def _withdraw_live_applications(user, *, message: str) -> None:
    """Through the placements service, so seats are freed and the studio is told as usual."""
    from partnerships.placements.services import application_withdraw

    live = Application.objects.filter(student=user, status__in=LIVE_APPLICATION_STATUSES)
    for application in live.order_by("pk"):
        application_withdraw(
            actor=user,
            application=application,
            message=message,
        )


def _anonymise_applications(user, *, withdrawal_message: str) -> list[str]:
    """Returns the stored CV names, to delete once the transaction commits."""
    _withdraw_live_applications(user, message=withdrawal_message)
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


def _erase(user, *, withdrawal_message: str, **event_payload) -> None:
    """The deletion itself, for a locked ``user`` whose refusals were already checked;
    ``event_payload`` goes with the ``account.deleted`` domain event."""
    email = user.email
    profile = Profile.objects.filter(user=user).first()
    display_name = profile.display_name if profile else ""
    avatar = profile.avatar.name if profile and profile.avatar else ""

    cvs = _anonymise_applications(user, withdrawal_message=withdrawal_message)
    _anonymise_registrations(user)
    _keep_organisation_records(user, display_name or _("Former member"))
    session_keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Membership.objects.filter(user=user).delete()  # delete signals fire per row (audit trail)

    record_event("account.deleted", target=user, actor=None, **event_payload)
    send_templated_email(
        to=[email],
        template="accounts/account_deleted",
        context={
            "name": display_name or email.split("@")[0],
            # Deleted by the platform's admins, not on the person's own request: say so.
            "by_admin": bool(event_payload.get("by_admin")),
        },
    )
    user.delete()

    storage_cv = Application._meta.get_field("cv").storage
    delete_files_after_commit(storage_cv, cvs)
    delete_files_after_commit(Profile._meta.get_field("avatar").storage, [avatar])
    _end_sessions_after_commit(session_keys)


@transaction.atomic
def account_delete(*, actor, user, confirm_email: str) -> None:
    """Delete ``user``'s account for good, as described in this module's docstring.

    Only the person themselves may do it, typing their email address to confirm (400 when it
    does not match; 409 while they are the last owner of an organisation or the last platform
    admin). Platform admins deleting someone else use
    ``account_delete_by_admin`` instead.
    """
    if not actor.is_authenticated or actor.pk != user.pk:
        raise PermissionDenied(_("Only the account holder can delete their account."))
    if (confirm_email or "").strip().lower() != user.email.lower():
        raise DomainError(
            _("Type the email address of your account exactly to confirm."),
            field="email",
            code="email_mismatch",
        )
    _refuse_removing_every_admin({user.pk})
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
    _erase(user, withdrawal_message=_("The applicant deleted their Tandem account."))


# --- Deletion by a platform admin (the Django admin) --------------------------------------------


def _platform_admins() -> Q:
    """The users ``User.is_platform_admin`` is true for, as a filter."""
    return Q(is_active=True) & (Q(role=Role.ADMIN) | Q(is_superuser=True))


def _refuse_removing_every_admin(pks: set[int]) -> None:
    """409 when deleting ``pks`` would leave no active platform admin. Their rows are locked
    first (always in the same order), so two deletions at the same time cannot both pass."""
    admins = set(
        User.objects.select_for_update()
        .filter(_platform_admins())
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if admins and admins <= pks:
        raise Conflict(
            _(
                "Tandem needs at least one platform admin: make someone else a platform admin "
                "before deleting the last one."
            ),
            code="last_platform_admin",
        )


def may_delete_accounts(actor) -> bool:
    """Active staff allowed to delete users in the Django admin (platform admins hold every
    permission there, see ``accounts.backends``)."""
    return bool(
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and actor.is_staff
        and actor.has_perm("accounts.delete_user")
    )


@transaction.atomic
def accounts_delete_by_admin(*, actor, users: Iterable[User]) -> int:
    """Delete the accounts of ``users`` on a platform admin's behalf (the Django admin's delete
    page and its "Delete selected users" action), through the same erasure as ``account_delete``:
    applications and registrations anonymised, files and sessions removed after the commit, the
    goodbye email queued (saying the platform's team deleted the account, not that the person
    asked for it), memberships removed with their audit entries.

    All or nothing: one refusal leaves every account as it was. Refused with:

    - 403 unless ``actor`` is active staff allowed to delete users;
    - 403 when ``actor`` is among ``users``: their own account is deleted from Account settings
      → Your data, where they confirm it themselves (``account_delete``);
    - 409 when the accounts deleted include every remaining platform admin, so the platform is
      never left without anyone to run it (as an organisation is never left without an owner);
    - 409 while a person is the last owner of an organisation, exactly as ``account_delete``.

    Each deletion writes a ``user.deleted`` audit entry naming the admin (the self-service path
    has no admin to name; its ``account.deleted`` domain event has no actor). Returns how many
    accounts were deleted.
    """
    if not may_delete_accounts(actor):
        raise PermissionDenied(_("You are not allowed to delete accounts."))
    pks = sorted({user.pk for user in users})
    if actor.pk in pks:
        raise PermissionDenied(
            _(
                "You cannot delete your own account here. Use Account settings → Your data → "
                "Delete my account, where you confirm it yourself."
            ),
            code="own_account",
        )
    _refuse_removing_every_admin(set(pks))
    locked = list(User.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
    for user in locked:
        blocking = organisations_blocking_deletion(user, lock=True)
        if blocking:
            raise Conflict(
                _(
                    "%(email)s is the last owner of %(orgs)s. Make another member an owner (or "
                    "close the organisation) before deleting this account."
                )
                % {"email": user.email, "orgs": ", ".join(org.name for org in blocking)},
                code="last_owner",
            )
        audit_record(
            "user.deleted",
            target=user,
            label=user.email,
            before={
                "role": user.role,
                "is_active": user.is_active,
                "is_staff": user.is_staff,
                "is_superuser": user.is_superuser,
            },
            actor=actor,
        )
        with acting_as(actor):  # also outside a request (a shell): entries name the admin
            _erase(
                user,
                withdrawal_message=_("The applicant's Tandem account was deleted."),
                by_admin=True,
            )
    return len(locked)


def account_delete_by_admin(*, actor, user) -> None:
    """Delete one person's account on a platform admin's behalf: see
    ``accounts_delete_by_admin`` for what happens and what is refused."""
    accounts_delete_by_admin(actor=actor, users=[user])
