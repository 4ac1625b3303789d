"""Organisation life cycle, invitations, join requests and ownership rules, via the services."""

from datetime import timedelta

import pytest
from django.core import mail, signing
from django.utils import timezone

from accounts.models import Role
from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.organisations import services
from partnerships.organisations.models import (
    Invitation,
    JoinRequestStatus,
    Kind,
    MemberRole,
    Membership,
    Organisation,
    Status,
)
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def create_studio(actor, **overrides):
    data = {
        "kind": Kind.INDUSTRY,
        "category": "studio",
        "name": "Lumen Works",
        "slug": "lumen-works",
    }
    data.update(overrides)
    return services.organisation_create(actor=actor, **data)


def test_new_organisation_is_pending_with_creator_as_owner_and_admins_are_told(
    industry_newcomer, platform_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        organisation = create_studio(industry_newcomer)
    assert organisation.status == Status.PENDING
    membership = Membership.objects.get(organisation=organisation, user=industry_newcomer)
    assert membership.role == MemberRole.OWNER
    assert [m.to for m in mail.outbox] == [[platform_admin.email]]
    assert "Lumen Works" in mail.outbox[0].subject


def test_admin_verifies_and_owner_is_emailed(
    industry_newcomer, platform_admin, django_capture_on_commit_callbacks
):
    organisation = create_studio(industry_newcomer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_verify(actor=platform_admin, organisation=organisation)
    organisation.refresh_from_db()
    assert organisation.status == Status.VERIFIED
    assert organisation.status_changed_by == platform_admin
    assert mail.outbox[0].to == [industry_newcomer.email]
    assert "verified" in mail.outbox[0].subject.lower()


def test_rejection_needs_a_reason_that_reaches_the_owner(
    industry_newcomer, platform_admin, django_capture_on_commit_callbacks
):
    organisation = create_studio(industry_newcomer)
    with pytest.raises(DomainError, match="reason"):
        services.organisation_reject(actor=platform_admin, organisation=organisation, reason=" ")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_reject(
            actor=platform_admin, organisation=organisation, reason="No evidence of trading."
        )
    organisation.refresh_from_db()
    assert organisation.status == Status.REJECTED
    assert "No evidence of trading." in mail.outbox[0].body


def test_only_platform_admins_verify(studio_owner, pending_studio):
    with pytest.raises(PermissionDenied):
        services.organisation_verify(actor=studio_owner, organisation=pending_studio)
    pending_studio.refresh_from_db()
    assert pending_studio.status == Status.PENDING


def test_verifying_twice_is_a_conflict_not_a_second_email(platform_admin, studio):
    with pytest.raises(Conflict):
        services.organisation_verify(actor=platform_admin, organisation=studio)


@pytest.mark.parametrize(
    ("role", "kind", "allowed"),
    [
        (Role.UNIVERSITY, Kind.INSTITUTION, True),
        (Role.UNIVERSITY, Kind.INDUSTRY, False),
        (Role.INDUSTRY, Kind.INDUSTRY, True),
        (Role.INDUSTRY, Kind.INSTITUTION, False),
        (Role.STUDENT, Kind.INDUSTRY, False),
        (Role.STUDENT, Kind.INSTITUTION, False),
        (Role.ADMIN, Kind.INSTITUTION, True),
    ],
)
def test_who_creates_which_kind(role, kind, allowed):
    user = UserFactory(role=role)
    category = "university" if kind == Kind.INSTITUTION else "studio"
    if allowed:
        create_studio(user, kind=kind, category=category)
        assert Organisation.objects.filter(slug="lumen-works").exists()
    else:
        with pytest.raises(PermissionDenied):
            create_studio(user, kind=kind, category=category)
        assert not Organisation.objects.filter(slug="lumen-works").exists()


def test_duplicate_slug_is_a_clear_conflict(industry_newcomer, studio):
    with pytest.raises(Conflict, match="already taken") as excinfo:
        create_studio(industry_newcomer, slug=studio.slug)
    assert excinfo.value.field == "slug"


def test_category_must_fit_kind(industry_newcomer):
    with pytest.raises(DomainError, match="type"):
        create_studio(industry_newcomer, category="university")


# --- Invitations ----------------------------------------------------------------------------


def invite(actor, organisation, email="newbie@pixelforge.example", role=MemberRole.MEMBER):
    invitation = services.invitation_create(
        actor=actor, organisation=organisation, email=email, role=role
    )
    return invitation, services.invitation_token(invitation)


def test_invitation_is_emailed_and_accepted_once(
    studio, studio_owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invite(studio_owner, studio, role=MemberRole.ADMIN)
    assert mail.outbox[-1].to == ["newbie@pixelforge.example"]
    assert token in mail.outbox[-1].body
    newbie = UserFactory(email="newbie@pixelforge.example", role=Role.INDUSTRY)
    membership = services.invitation_accept(user=newbie, token=token)
    assert membership.role == MemberRole.ADMIN
    invitation.refresh_from_db()
    assert invitation.accepted_by == newbie

    with pytest.raises(DomainError, match="already been used"):
        services.invitation_accept(user=newbie, token=token)


def test_expired_invitation_is_refused_with_a_clear_message(studio, studio_owner):
    invitation, token = invite(studio_owner, studio)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    newbie = UserFactory(email="newbie@pixelforge.example", role=Role.INDUSTRY)
    with pytest.raises(DomainError, match="expired"):
        services.invitation_accept(user=newbie, token=token)
    assert not Membership.objects.filter(user=newbie).exists()


def test_forged_invitation_token_is_refused(studio, studio_owner):
    invitation, token = invite(studio_owner, studio)
    forged = signing.dumps({"i": invitation.pk, "e": invitation.email}, salt="another-salt")
    newbie = UserFactory(email="newbie@pixelforge.example", role=Role.INDUSTRY)
    for bad in (forged, token[:-3] + "abc", "not-a-token"):
        with pytest.raises(DomainError, match="not valid"):
            services.invitation_accept(user=newbie, token=bad)
    assert not Membership.objects.filter(user=newbie).exists()


def test_revoked_invitation_is_refused(studio, studio_owner):
    invitation, token = invite(studio_owner, studio)
    services.invitation_revoke(actor=studio_owner, invitation=invitation)
    newbie = UserFactory(email="newbie@pixelforge.example", role=Role.INDUSTRY)
    with pytest.raises(DomainError, match="withdrawn"):
        services.invitation_accept(user=newbie, token=token)


def test_invitation_belongs_to_the_invited_address(studio, studio_owner, industry_newcomer):
    _, token = invite(studio_owner, studio)
    with pytest.raises(PermissionDenied, match=r"newbie@pixelforge\.example"):
        services.invitation_accept(user=industry_newcomer, token=token)


def test_student_cannot_accept_a_studio_invitation(studio, studio_owner):
    _, token = invite(studio_owner, studio, email="kid@student.example")
    kid = UserFactory(email="kid@student.example", role=Role.STUDENT)
    with pytest.raises(PermissionDenied, match="cannot join"):
        services.invitation_accept(user=kid, token=token)


def test_members_cannot_invite_and_double_invites_conflict(studio, studio_owner, studio_member):
    with pytest.raises(PermissionDenied):
        invite(studio_member, studio)
    invite(studio_owner, studio)
    with pytest.raises(Conflict, match="open invitation"):
        invite(studio_owner, studio)
    with pytest.raises(Conflict, match="already a member"):
        invite(studio_owner, studio, email=studio_member.email)


def test_an_expired_invitation_can_be_replaced(studio, studio_owner):
    invitation, _ = invite(studio_owner, studio)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    fresh, _ = invite(studio_owner, studio)
    assert fresh.pk != invitation.pk


def test_owner_role_cannot_be_given_by_invitation(studio, studio_owner):
    with pytest.raises(DomainError):
        invite(studio_owner, studio, role=MemberRole.OWNER)


# --- Join requests --------------------------------------------------------------------------


def test_join_request_approved_by_an_admin(
    studio, studio_owner, industry_newcomer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = services.join_request_create(
            user=industry_newcomer, organisation=studio, message="I animate."
        )
    assert mail.outbox[-1].to == [studio_owner.email]
    with django_capture_on_commit_callbacks(execute=True):
        services.join_request_approve(actor=studio_owner, join_request=request)
    request.refresh_from_db()
    assert request.status == JoinRequestStatus.APPROVED
    assert Membership.objects.get(user=industry_newcomer, organisation=studio).role == "member"
    assert mail.outbox[-1].to == [industry_newcomer.email]
    with pytest.raises(Conflict):
        services.join_request_decline(actor=studio_owner, join_request=request)


def test_join_request_rules(studio, studio_member, industry_newcomer, pending_studio, student):
    services.join_request_create(user=industry_newcomer, organisation=studio)
    with pytest.raises(Conflict, match="already waiting"):
        services.join_request_create(user=industry_newcomer, organisation=studio)
    with pytest.raises(Conflict, match="already a member"):
        services.join_request_create(user=studio_member, organisation=studio)
    with pytest.raises(DomainError, match="not accepting"):
        services.join_request_create(user=industry_newcomer, organisation=pending_studio)
    with pytest.raises(PermissionDenied):
        services.join_request_create(user=student, organisation=studio)


def test_plain_members_cannot_approve(studio, studio_member, industry_newcomer):
    request = services.join_request_create(user=industry_newcomer, organisation=studio)
    with pytest.raises(PermissionDenied):
        services.join_request_approve(actor=studio_member, join_request=request)
    assert not Membership.objects.filter(user=industry_newcomer).exists()


# --- Memberships ----------------------------------------------------------------------------


def test_last_owner_cannot_leave_but_can_after_transfer(studio, studio_owner, studio_member):
    with pytest.raises(Conflict, match="last owner"):
        services.membership_leave(user=studio_owner, organisation=studio)
    services.ownership_transfer(actor=studio_owner, organisation=studio, new_owner=studio_member)
    assert Membership.objects.get(user=studio_member, organisation=studio).role == "owner"
    assert Membership.objects.get(user=studio_owner, organisation=studio).role == "admin"
    services.membership_leave(user=studio_owner, organisation=studio)
    assert not Membership.objects.filter(user=studio_owner, organisation=studio).exists()


def test_member_can_leave(studio, studio_member):
    services.membership_leave(user=studio_member, organisation=studio)
    assert not Membership.objects.filter(user=studio_member).exists()


def test_admins_cannot_touch_owners_and_last_owner_keeps_ownership(studio, studio_owner):
    admin = MembershipFactory(organisation=studio, role=MemberRole.ADMIN).user
    owner_membership = Membership.objects.get(user=studio_owner, organisation=studio)
    with pytest.raises(PermissionDenied):
        services.membership_change_role(actor=admin, membership=owner_membership, role="member")
    with pytest.raises(PermissionDenied):
        services.membership_remove(actor=admin, membership=owner_membership)
    with pytest.raises(Conflict, match="at least one owner"):
        services.membership_change_role(
            actor=studio_owner, membership=owner_membership, role="admin"
        )
    owner_membership.refresh_from_db()
    assert owner_membership.role == "owner"


def test_admin_promotes_and_removes_members(studio, studio_owner, studio_member):
    admin = MembershipFactory(organisation=studio, role=MemberRole.ADMIN).user
    member_membership = Membership.objects.get(user=studio_member, organisation=studio)
    services.membership_change_role(actor=admin, membership=member_membership, role="admin")
    member_membership.refresh_from_db()
    assert member_membership.role == "admin"
    with pytest.raises(PermissionDenied):
        services.membership_change_role(actor=admin, membership=member_membership, role="owner")
    services.membership_remove(actor=admin, membership=member_membership)
    assert not Membership.objects.filter(pk=member_membership.pk).exists()


def test_transfer_only_by_an_owner_to_a_member(studio, studio_owner, studio_member, other_owner):
    with pytest.raises(PermissionDenied):
        services.ownership_transfer(
            actor=studio_member, organisation=studio, new_owner=studio_member
        )
    with pytest.raises(DomainError, match="member of the organisation"):
        services.ownership_transfer(actor=studio_owner, organisation=studio, new_owner=other_owner)


def test_rejected_organisation_can_ask_again(
    industry_newcomer, platform_admin, django_capture_on_commit_callbacks
):
    organisation = create_studio(industry_newcomer)
    services.organisation_reject(actor=platform_admin, organisation=organisation, reason="Typo")
    with pytest.raises(PermissionDenied):
        services.organisation_resubmit(
            actor=UserFactory(role=Role.INDUSTRY), organisation=organisation
        )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_resubmit(actor=industry_newcomer, organisation=organisation)
    organisation.refresh_from_db()
    assert organisation.status == Status.PENDING
    assert mail.outbox[0].to == [platform_admin.email]
    with pytest.raises(Conflict):
        services.organisation_resubmit(actor=industry_newcomer, organisation=organisation)
