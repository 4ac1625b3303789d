"""Writes: every change to organisations and memberships goes through one function here.

Each function takes the acting user, checks permission, runs in a transaction and sends its emails
after commit. Rule violations raise ``DomainError`` with a message meant for people.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from partnerships.audit.services import record_update
from partnerships.core.errors import Conflict, DomainError, PermissionDenied, RateLimited
from partnerships.core.mail import send_templated_email

from .models import (
    CATEGORIES_BY_KIND,
    MANAGER_ROLES,
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    MemberRole,
    Membership,
    Organisation,
    Status,
)
from .permissions import (
    can_create_organisation,
    can_manage_organisation,
    can_verify_organisations,
    forget_memberships,
    membership_of,
    role_fits_kind,
)

INVITATION_SALT = "tandem.organisations.invitation"
INVITATION_TTL = timedelta(days=14)
INVITATION_RESEND_COOLDOWN = timedelta(minutes=10)
INVITATIONS_PER_HOUR = 30

EDITABLE_FIELDS = ("name", "category", "description", "website", "location", "size_band", "logo")


def _manager_emails(organisation: Organisation) -> list[str]:
    return list(
        organisation.memberships.filter(role__in=MANAGER_ROLES).values_list(
            "user__email", flat=True
        )
    )


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# --- Organisations --------------------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *, actor, kind: str, category: str, name: str, slug: str, sectors=(), **fields: Any
) -> Organisation:
    """Create an organisation as pending, with its creator as owner, and tell platform admins."""
    if not can_create_organisation(actor, kind):
        raise PermissionDenied(
            _("Your account type cannot create this kind of organisation."), code="wrong_role"
        )
    if category not in CATEGORIES_BY_KIND[kind]:
        raise DomainError(_("Choose a type that fits this kind of organisation."), field="category")
    if Organisation.objects.filter(slug=slug).exists():
        raise Conflict(_("That web address is already taken."), field="slug")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                kind=kind, category=category, name=name, slug=slug, created_by=actor, **fields
            )
    except IntegrityError:
        raise Conflict(_("That web address is already taken."), field="slug") from None
    organisation.sectors.set(sectors)
    Membership.objects.create(organisation=organisation, user=actor, role=MemberRole.OWNER)
    forget_memberships(actor)
    _ask_admins_to_verify(organisation)
    return organisation


def _ask_admins_to_verify(organisation: Organisation) -> None:
    admins = set(settings.PLATFORM_ADMIN_EMAILS) | set(
        get_user_model()
        .objects.filter(role=Role.ADMIN, is_active=True)
        .values_list("email", flat=True)
    )
    send_templated_email(
        to=sorted(admins),
        template="organisations/verification_requested",
        context={
            "organisation": organisation,
            "queue_url": _absolute(reverse("organisations:verification_queue")),
        },
    )


@transaction.atomic
def organisation_resubmit(*, actor, organisation: Organisation) -> Organisation:
    """After a rejection, owners and admins fix the details and ask for verification again."""
    if not can_manage_organisation(actor, organisation):
        raise PermissionDenied()
    updated = Organisation.objects.filter(pk=organisation.pk, status=Status.REJECTED).update(
        status=Status.PENDING, status_changed_at=timezone.now(), status_changed_by=actor
    )
    if not updated:
        raise Conflict(_("Only a rejected organisation can be sent for verification again."))
    record_update(
        [organisation], before={"status": Status.REJECTED}, actor=actor, status=Status.PENDING
    )
    organisation.refresh_from_db()
    _ask_admins_to_verify(organisation)
    return organisation


@transaction.atomic
def organisation_update(*, actor, organisation: Organisation, sectors=None, **fields: Any):
    if not can_manage_organisation(actor, organisation):
        raise PermissionDenied()
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    if "category" in fields and fields["category"] not in CATEGORIES_BY_KIND[organisation.kind]:
        raise DomainError(_("Choose a type that fits this kind of organisation."), field="category")
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.save()
    if sectors is not None:
        organisation.sectors.set(sectors)
    return organisation


def _decide(*, actor, organisation: Organisation, status: str, reason: str) -> Organisation:
    if not can_verify_organisations(actor):
        raise PermissionDenied(_("Only platform admins verify organisations."))
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if locked.status == status:
        raise Conflict(
            _("%(name)s is already %(status)s.")
            % {"name": locked.name, "status": locked.get_status_display().lower()}
        )
    locked.status = status
    locked.status_reason = reason
    locked.status_changed_at = timezone.now()
    locked.status_changed_by = actor
    locked.save(update_fields=["status", "status_reason", "status_changed_at", "status_changed_by"])
    send_templated_email(
        to=_manager_emails(locked),
        template=f"organisations/{status}",
        context={
            "organisation": locked,
            "reason": reason,
            "url": _absolute(locked.get_absolute_url()),
        },
    )
    return locked


@transaction.atomic
def organisation_verify(*, actor, organisation: Organisation) -> Organisation:
    """Verify an organisation; its members may then act on its behalf. Owners are emailed."""
    return _decide(actor=actor, organisation=organisation, status=Status.VERIFIED, reason="")


@transaction.atomic
def organisation_reject(*, actor, organisation: Organisation, reason: str) -> Organisation:
    """Reject with a reason the owners read in their email and on the organisation page."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the owners a reason for the rejection."), field="reason")
    return _decide(actor=actor, organisation=organisation, status=Status.REJECTED, reason=reason)


# --- Invitations ----------------------------------------------------------------------------


def _check_can_invite(actor, organisation: Organisation) -> None:
    if not can_manage_organisation(actor, organisation):
        raise PermissionDenied()
    if not organisation.is_verified:
        raise PermissionDenied(
            _("%(org)s must be verified before it can invite people.") % {"org": organisation.name},
            code="not_verified",
        )


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "e": invitation.email}, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    return _absolute(
        reverse("organisations:invitation", kwargs={"token": invitation_token(invitation)})
    )


def _send_invitation(invitation: Invitation) -> None:
    send_templated_email(
        to=[invitation.email],
        template="organisations/invitation",
        context={
            "invitation": invitation,
            "organisation": invitation.organisation,
            "inviter": invitation.invited_by,
            "url": invitation_url(invitation),
            "expires_at": invitation.expires_at,
        },
    )


@transaction.atomic
def invitation_create(
    *, actor, organisation: Organisation, email: str, role: str = MemberRole.MEMBER
) -> Invitation:
    """Invite someone by email. The link is signed, expires after 14 days and works once."""
    _check_can_invite(actor, organisation)
    if role not in (MemberRole.ADMIN, MemberRole.MEMBER):
        raise DomainError(_("Invite people as admin or member."), field="role")
    email = email.strip().lower()
    recent = organisation.invitations.filter(created_at__gte=timezone.now() - timedelta(hours=1))
    if recent.count() >= INVITATIONS_PER_HOUR:
        raise RateLimited(
            _("%(org)s has sent %(n)d invitations in the last hour. Try again later.")
            % {"org": organisation.name, "n": INVITATIONS_PER_HOUR}
        )
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise Conflict(_("%(email)s is already a member.") % {"email": email}, field="email")
    now = timezone.now()
    # An expired invitation that was never used no longer blocks a fresh one.
    organisation.invitations.filter(
        email=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now
    ).update(revoked_at=now)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                organisation=organisation,
                email=email,
                role=role,
                invited_by=actor,
                expires_at=now + INVITATION_TTL,
            )
    except IntegrityError:
        raise Conflict(
            _("%(email)s already has an open invitation. You can resend it from the list.")
            % {"email": email},
            field="email",
        ) from None
    _send_invitation(invitation)
    return invitation


@transaction.atomic
def invitation_resend(*, actor, invitation: Invitation) -> Invitation:
    """Send the invitation again with a fresh expiry; at most once every ten minutes."""
    _check_can_invite(actor, invitation.organisation)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise Conflict(_("This invitation has already been used or revoked."))
    now = timezone.now()
    last_sent = invitation.last_sent_at or invitation.created_at
    if now - last_sent < INVITATION_RESEND_COOLDOWN:
        raise Conflict(
            _("This invitation was sent a few minutes ago. You can send it again after %(m)d "
              "minutes.") % {"m": INVITATION_RESEND_COOLDOWN.seconds // 60},
            code="cooldown",
        )  # fmt: skip
    invitation.expires_at = now + INVITATION_TTL
    invitation.last_sent_at = now
    invitation.save(update_fields=["expires_at", "last_sent_at"])
    _send_invitation(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor, invitation: Invitation) -> Invitation:
    if not can_manage_organisation(actor, invitation.organisation):
        raise PermissionDenied()
    if invitation.accepted_at:
        raise Conflict(_("This invitation has already been accepted."))
    invitation.revoked_at = invitation.revoked_at or timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_from_token(token: str) -> Invitation:
    """Resolve a token to its invitation or raise a DomainError that says what is wrong."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_TTL * 4)
    except signing.SignatureExpired:
        raise DomainError(_("This invitation link has expired."), code="expired") from None
    except signing.BadSignature:
        raise DomainError(
            _("This invitation link is not valid. Check you copied all of it."), code="invalid"
        ) from None
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=data.get("i"), email=data.get("e"))
        .first()
    )
    if invitation is None:
        raise DomainError(_("This invitation no longer exists."), code="invalid")
    return invitation


def invitation_check_usable(invitation: Invitation) -> None:
    """Raise a DomainError saying why an invitation can no longer be used."""
    if invitation.accepted_at:
        raise DomainError(_("This invitation has already been used."), code="used")
    if invitation.revoked_at:
        raise DomainError(_("This invitation was withdrawn."), code="revoked")
    if invitation.expires_at <= timezone.now():
        raise DomainError(
            _("This invitation has expired. Ask %(org)s for a new one.")
            % {"org": invitation.organisation.name},
            code="expired",
        )


@transaction.atomic
def invitation_accept(*, user, token: str) -> Membership:
    """Accept an invitation: the signed-in person must own the invited address; works once."""
    found = invitation_from_token(token)
    invitation = (
        Invitation.objects.select_for_update().select_related("organisation").get(pk=found.pk)
    )
    invitation_check_usable(invitation)
    if user.email.lower() != invitation.email.lower():
        raise PermissionDenied(
            _("This invitation was sent to %(email)s. Log in with that address to accept it.")
            % {"email": invitation.email},
            code="wrong_account",
        )
    organisation = invitation.organisation
    if not role_fits_kind(user, organisation.kind):
        raise PermissionDenied(
            _("Your account type (%(role)s) cannot join %(org)s.")
            % {"role": user.get_role_display(), "org": organisation.name},
            code="wrong_role",
        )
    membership, created = Membership.objects.get_or_create(
        organisation=organisation, user=user, defaults={"role": invitation.role}
    )
    if not created:
        raise Conflict(_("You are already a member of %(org)s.") % {"org": organisation.name})
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    JoinRequest.objects.filter(
        organisation=organisation, user=user, status=JoinRequestStatus.PENDING
    ).update(status=JoinRequestStatus.CANCELLED, decided_at=timezone.now())
    forget_memberships(user)
    return membership


# --- Join requests --------------------------------------------------------------------------


@transaction.atomic
def join_request_create(*, user, organisation: Organisation, message: str = "") -> JoinRequest:
    if not user.is_authenticated or not role_fits_kind(user, organisation.kind):
        raise PermissionDenied(
            _("Your account type cannot join this kind of organisation."), code="wrong_role"
        )
    if not organisation.is_verified:
        raise DomainError(_("This organisation is not accepting requests yet."))
    if membership_of(user, organisation):
        raise Conflict(_("You are already a member of %(org)s.") % {"org": organisation.name})
    try:
        with transaction.atomic():
            request = JoinRequest.objects.create(
                organisation=organisation, user=user, message=message.strip()
            )
    except IntegrityError:
        raise Conflict(_("Your request to join is already waiting for an answer.")) from None
    send_templated_email(
        to=_manager_emails(organisation),
        template="organisations/join_requested",
        context={
            "organisation": organisation,
            "requester": user,
            "message": request.message,
            "url": _absolute(reverse("organisations:people", kwargs={"slug": organisation.slug})),
        },
    )
    return request


def _decide_join_request(*, actor, join_request: JoinRequest, approve: bool) -> JoinRequest:
    locked = (
        JoinRequest.objects.select_for_update()
        .select_related("organisation", "user")
        .get(pk=join_request.pk)
    )
    if not can_manage_organisation(actor, locked.organisation):
        raise PermissionDenied()
    if locked.status != JoinRequestStatus.PENDING:
        raise Conflict(_("This request has already been answered."))
    locked.status = JoinRequestStatus.APPROVED if approve else JoinRequestStatus.DECLINED
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    if approve:
        Membership.objects.get_or_create(
            organisation=locked.organisation, user=locked.user, defaults={"role": MemberRole.MEMBER}
        )
    send_templated_email(
        to=[locked.user.email],
        template=f"organisations/join_{locked.status}",
        context={
            "organisation": locked.organisation,
            "url": _absolute(locked.organisation.get_absolute_url()),
        },
    )
    return locked


@transaction.atomic
def join_request_approve(*, actor, join_request: JoinRequest) -> JoinRequest:
    return _decide_join_request(actor=actor, join_request=join_request, approve=True)


@transaction.atomic
def join_request_decline(*, actor, join_request: JoinRequest) -> JoinRequest:
    return _decide_join_request(actor=actor, join_request=join_request, approve=False)


@transaction.atomic
def join_request_cancel(*, user, join_request: JoinRequest) -> JoinRequest:
    if join_request.user_id != user.pk:
        raise PermissionDenied()
    updated = JoinRequest.objects.filter(
        pk=join_request.pk, status=JoinRequestStatus.PENDING
    ).update(status=JoinRequestStatus.CANCELLED, decided_at=timezone.now())
    if not updated:
        raise Conflict(_("This request has already been answered."))
    join_request.refresh_from_db()
    return join_request


# --- Memberships ----------------------------------------------------------------------------


def _lock_memberships(organisation: Organisation) -> list[Membership]:
    """Lock every membership row of the organisation so owner counts cannot race."""
    return list(
        Membership.objects.select_for_update().filter(organisation=organisation).order_by("pk")
    )


def _owner_count(memberships: list[Membership]) -> int:
    return sum(1 for m in memberships if m.role == MemberRole.OWNER)


@transaction.atomic
def membership_leave(*, user, organisation: Organisation) -> None:
    """Leave an organisation. The last owner must hand over ownership first."""
    memberships = _lock_memberships(organisation)
    mine = next((m for m in memberships if m.user_id == user.pk), None)
    if mine is None:
        raise DomainError(_("You are not a member of %(org)s.") % {"org": organisation.name})
    if mine.role == MemberRole.OWNER and _owner_count(memberships) == 1:
        raise Conflict(
            _("You are the last owner of %(org)s. Transfer ownership before leaving.")
            % {"org": organisation.name},
            code="last_owner",
        )
    mine.delete()
    forget_memberships(user)


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    organisation = membership.organisation
    memberships = _lock_memberships(organisation)
    target = next((m for m in memberships if m.pk == membership.pk), None)
    if target is None:
        raise DomainError(_("This person is no longer a member."))
    if target.user_id == actor.pk:
        return membership_leave(user=actor, organisation=organisation)
    actor_membership = next((m for m in memberships if m.user_id == actor.pk), None)
    actor_is_owner = (actor_membership and actor_membership.role == MemberRole.OWNER) or (
        actor.is_authenticated and actor.is_platform_admin
    )
    if not can_manage_organisation(actor, organisation):
        raise PermissionDenied()
    if target.role == MemberRole.OWNER:
        if not actor_is_owner:
            raise PermissionDenied(_("Only an owner can remove another owner."))
        if _owner_count(memberships) == 1:
            raise Conflict(_("An organisation must keep at least one owner."), code="last_owner")
    target.delete()


@transaction.atomic
def membership_change_role(*, actor, membership: Membership, role: str) -> Membership:
    if role not in MemberRole.values:
        raise DomainError(_("Choose owner, admin or member."), field="role")
    organisation = membership.organisation
    memberships = _lock_memberships(organisation)
    target = next((m for m in memberships if m.pk == membership.pk), None)
    if target is None:
        raise DomainError(_("This person is no longer a member."))
    if not can_manage_organisation(actor, organisation):
        raise PermissionDenied()
    actor_membership = next((m for m in memberships if m.user_id == actor.pk), None)
    actor_is_owner = (actor_membership and actor_membership.role == MemberRole.OWNER) or (
        actor.is_platform_admin
    )
    if MemberRole.OWNER in (role, target.role) and not actor_is_owner:
        raise PermissionDenied(_("Only an owner can grant or remove ownership."))
    if (
        target.role == MemberRole.OWNER
        and role != MemberRole.OWNER
        and _owner_count(memberships) == 1
    ):
        raise Conflict(
            _("An organisation must keep at least one owner. Make someone else owner first."),
            code="last_owner",
        )
    target.role = role
    target.save(update_fields=["role"])
    if target.user_id == actor.pk:
        forget_memberships(actor)  # their own role: the rest of the request sees the new one
    return target


@transaction.atomic
def ownership_transfer(*, actor, organisation: Organisation, new_owner) -> Membership:
    """Hand ownership to another member; the previous owner stays on as admin."""
    memberships = _lock_memberships(organisation)
    mine = next((m for m in memberships if m.user_id == actor.pk), None)
    if mine is None or mine.role != MemberRole.OWNER:
        raise PermissionDenied(_("Only an owner can transfer ownership."))
    target = next((m for m in memberships if m.user_id == new_owner.pk), None)
    if target is None:
        raise DomainError(_("Ownership can only go to a member of the organisation."))
    if target.pk == mine.pk:
        raise DomainError(_("You already own this organisation."))
    target.role = MemberRole.OWNER
    target.save(update_fields=["role"])
    mine.role = MemberRole.ADMIN
    mine.save(update_fields=["role"])
    forget_memberships(actor)
    return target
