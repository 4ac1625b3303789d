"""Every persona against every organisation route and API endpoint that test_permission_matrix.py
does not already cover.

The rules: an object the caller cannot see answers 404 (pending or rejected organisations to
outsiders; memberships, invitations and join requests of organisations the caller does not belong
to); a visible object the caller may not change answers 403; anonymous HTML visitors are sent to
log in (302), anonymous API callers get 401. Owners and admins manage people, only owners grant or
remove ownership, and the last owner can neither leave nor be demoted (409). Every case re-reads the
rows: a refused action left them exactly as they were, an allowed one made its change.

Besides the shared personas, Pixel Forge has an admin (Ari), so the owner/admin split is visible.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.db import models
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from partnerships.organisations.models import (
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    MemberRole,
    Membership,
    Organisation,
    Status,
)
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "student",
    "lecturer",
    "studio_owner",
    "studio_admin",
    "studio_member",
    "other_owner",
    "pending_owner",
    "industry_newcomer",
    "platform_admin",
]
LOGIN_URL = "/accounts/login/"
NOT_OBJECTS = [b"[1]", b'"s"', b"5", b"null"]


@pytest.fixture
def studio_admin(studio, studio_owner):
    user = UserFactory(email="ari@pixelforge.example", role=Role.INDUSTRY, display_name="Ari")
    MembershipFactory(organisation=studio, user=user, role=MemberRole.ADMIN)
    return user


def backdate(invitation: Invitation, by: timedelta = timedelta(hours=2)) -> None:
    """Make an invitation look created (and last sent) long ago, so no resend or hourly limit
    applies to it, whichever timestamp the limits are computed from."""
    then = timezone.now() - by
    stamps = {
        field.name: then
        for field in Invitation._meta.concrete_fields
        if isinstance(field, models.DateTimeField)
        and field.name not in ("expires_at", "accepted_at", "revoked_at")
    }
    Invitation.objects.filter(pk=invitation.pk).update(**stamps)


def _invitation(organisation, email, invited_by) -> Invitation:
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=MemberRole.MEMBER,
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=1),
    )
    backdate(invitation)
    return invitation


@pytest.fixture
def world(
    university,
    studio,
    other_studio,
    pending_studio,
    studio_owner,
    studio_admin,
    studio_member,
    other_owner,
    pending_owner,
    industry_newcomer,
):
    """Rows are written straight to the database: no emails, no cached memberships, no counters."""
    rae = UserFactory(email="rae@freelance.example", role=Role.INDUSTRY, display_name="Rae")
    return SimpleNamespace(
        university=university,
        studio=studio,
        other=other_studio,
        pending=pending_studio,
        oscar=Membership.objects.get(organisation=studio, user=studio_owner),
        ari=Membership.objects.get(organisation=studio, user=studio_admin),
        mia=Membership.objects.get(organisation=studio, user=studio_member),
        pete=Membership.objects.get(organisation=pending_studio, user=pending_owner),
        newcomer=industry_newcomer,
        inv_studio=_invitation(studio, "guest@pixelforge.example", studio_owner),
        inv_other=_invitation(other_studio, "guest@other.example", other_owner),
        inv_pending=_invitation(pending_studio, "guest@pending.example", pending_owner),
        jr=JoinRequest.objects.create(organisation=studio, user=industry_newcomer, message="Hi"),
        jr_other=JoinRequest.objects.create(organisation=other_studio, user=rae),
    )


def persona_user(request, persona: str):
    return None if persona == "anonymous" else request.getfixturevalue(persona)


def api_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def snapshot() -> dict:
    """Everything an organisation action could change, re-read from the database."""
    return {
        "organisations": list(
            Organisation.objects.order_by("pk").values_list(
                "pk", "slug", "name", "location", "status", "status_reason"
            )
        ),
        "memberships": list(
            Membership.objects.order_by("pk").values_list(
                "pk", "organisation_id", "user_id", "role"
            )
        ),
        "invitations": list(
            Invitation.objects.order_by("pk").values_list(
                "pk", "organisation_id", "email", "role", "expires_at", "accepted_at", "revoked_at"
            )
        ),
        "join_requests": list(
            JoinRequest.objects.order_by("pk").values_list(
                "pk", "organisation_id", "user_id", "status", "decided_by_id"
            )
        ),
    }


def role_of(membership: Membership) -> str | None:
    return Membership.objects.filter(pk=membership.pk).values_list("role", flat=True).first()


def status_of(row) -> str:
    return type(row).objects.values_list("status", flat=True).get(pk=row.pk)


def slugged(persona: str, suffix: str) -> str:
    return f"{persona.replace('_', '-')}-{suffix}"


@dataclass(frozen=True)
class Case:
    """One request, and (for actions that write) the change it makes when allowed."""

    run: Callable
    done: Callable | None = None
    setup: Callable | None = None


# --- What an allowed action changed ---------------------------------------------------------


def _left(org_attr):
    def check(w, user):
        assert not Membership.objects.filter(organisation=getattr(w, org_attr), user=user).exists()

    return check


def _mia_role(role):
    def check(w, user):
        assert role_of(w.mia) == role

    return check


def _transferred(w, user):
    assert role_of(w.mia) == MemberRole.OWNER
    assert role_of(w.oscar) == MemberRole.ADMIN


def _mia_gone(w, user):
    assert role_of(w.mia) is None
    assert role_of(w.oscar) == MemberRole.OWNER


def _asked(org_attr):
    def check(w, user):
        assert JoinRequest.objects.filter(
            organisation=getattr(w, org_attr), user=user, status=JoinRequestStatus.PENDING
        ).exists()
        assert not Membership.objects.filter(organisation=getattr(w, org_attr), user=user).exists()

    return check


def _approved(w, user):
    w.jr.refresh_from_db()
    assert (w.jr.status, w.jr.decided_by_id) == (JoinRequestStatus.APPROVED, user.pk)
    assert role_of(Membership.objects.get(organisation=w.studio, user=w.newcomer)) == "member"


def _declined(w, user):
    w.jr.refresh_from_db()
    assert (w.jr.status, w.jr.decided_by_id) == (JoinRequestStatus.DECLINED, user.pk)
    assert not Membership.objects.filter(organisation=w.studio, user=w.newcomer).exists()


def _cancelled(w, user):
    assert status_of(w.jr) == JoinRequestStatus.CANCELLED
    assert not Membership.objects.filter(organisation=w.studio, user=w.newcomer).exists()


def _resent(attr):
    def check(w, user):
        invitation = Invitation.objects.get(pk=getattr(w, attr).pk)
        assert invitation.expires_at > timezone.now() + timedelta(days=13)
        assert invitation.revoked_at is None

    return check


def _revoked(attr):
    def check(w, user):
        invitation = Invitation.objects.get(pk=getattr(w, attr).pk)
        assert invitation.revoked_at is not None
        assert invitation.accepted_at is None

    return check


def _resubmitted(w, user):
    assert status_of(w.pending) == Status.PENDING


def _edited(org_attr):
    def check(w, user):
        assert Organisation.objects.get(pk=getattr(w, org_attr).pk).location == "Edited town"

    return check


def _created(suffix):
    def check(w, user):
        organisation = Organisation.objects.get(slug=slugged(user_persona(user), suffix))
        assert organisation.status == Status.PENDING
        assert list(organisation.memberships.values_list("user_id", "role")) == [
            (user.pk, MemberRole.OWNER)
        ]

    return check


def _rejected(w, user):
    organisation = Organisation.objects.get(pk=w.pending.pk)
    assert (organisation.status, organisation.status_reason) == (Status.REJECTED, "Not real")


def user_persona(user) -> str:
    return _PERSONA_BY_EMAIL[user.email]


_PERSONA_BY_EMAIL = {
    "sam@student.northbridge.ac.uk": "student",
    "lena@northbridge.ac.uk": "lecturer",
    "oscar@pixelforge.example": "studio_owner",
    "ari@pixelforge.example": "studio_admin",
    "mia@pixelforge.example": "studio_member",
    "olga@other.example": "other_owner",
    "pete@pending.example": "pending_owner",
    "ivy@freelance.example": "industry_newcomer",
    "ada@tandem.example": "platform_admin",
}


def _reject_pending(w):
    Organisation.objects.filter(pk=w.pending.pk).update(
        status=Status.REJECTED, status_reason="Typo in the name"
    )


# --- HTML -----------------------------------------------------------------------------------


def _url(name, *args):
    return reverse(f"organisations:{name}", args=args)


def _create_form(kind, category, suffix):
    def run(c, w, persona):
        return c.post(
            _url("create"),
            {
                "kind": kind,
                "category": category,
                "name": f"{persona} {suffix}",
                "slug": slugged(persona, suffix),
            },
        )

    return run


HTML_CASES = {
    "leave_studio": Case(lambda c, w, p: c.post(_url("leave", "pixel-forge")), _left("studio")),
    "leave_pending": Case(
        lambda c, w, p: c.post(_url("leave", "pending-studio")), _left("pending")
    ),
    "transfer_to_mia": Case(
        lambda c, w, p: c.post(_url("transfer", "pixel-forge"), {"membership": w.mia.pk}),
        _transferred,
    ),
    "promote_mia_admin": Case(
        lambda c, w, p: c.post(_url("membership_role", "pixel-forge", w.mia.pk), {"role": "admin"}),
        _mia_role(MemberRole.ADMIN),
    ),
    "grant_mia_owner": Case(
        lambda c, w, p: c.post(_url("membership_role", "pixel-forge", w.mia.pk), {"role": "owner"}),
        _mia_role(MemberRole.OWNER),
    ),
    "demote_last_owner": Case(
        lambda c, w, p: c.post(
            _url("membership_role", "pixel-forge", w.oscar.pk), {"role": "member"}
        )
    ),
    "demote_pending_owner": Case(
        lambda c, w, p: c.post(
            _url("membership_role", "pending-studio", w.pete.pk), {"role": "admin"}
        )
    ),
    "remove_mia": Case(
        lambda c, w, p: c.post(_url("membership_remove", "pixel-forge", w.mia.pk)), _mia_gone
    ),
    "remove_last_owner": Case(
        lambda c, w, p: c.post(_url("membership_remove", "pixel-forge", w.oscar.pk))
    ),
    "join_studio": Case(
        lambda c, w, p: c.post(_url("join", "pixel-forge"), {"message": "Hello"}),
        _asked("studio"),
    ),
    "join_pending": Case(lambda c, w, p: c.post(_url("join", "pending-studio"))),
    "join_university": Case(
        lambda c, w, p: c.post(_url("join", "northbridge")), _asked("university")
    ),
    "approve_request": Case(
        lambda c, w, p: c.post(_url("join_request_decide", "pixel-forge", w.jr.pk, "approve")),
        _approved,
    ),
    "decline_request": Case(
        lambda c, w, p: c.post(_url("join_request_decide", "pixel-forge", w.jr.pk, "decline")),
        _declined,
    ),
    "cancel_request": Case(
        lambda c, w, p: c.post(_url("join_request_cancel", w.jr.pk)), _cancelled
    ),
    "resend_invitation": Case(
        lambda c, w, p: c.post(_url("invitation_resend", "pixel-forge", w.inv_studio.pk)),
        _resent("inv_studio"),
    ),
    "resend_pending_invitation": Case(
        lambda c, w, p: c.post(_url("invitation_resend", "pending-studio", w.inv_pending.pk)),
        _resent("inv_pending"),
    ),
    "revoke_invitation": Case(
        lambda c, w, p: c.post(_url("invitation_revoke", "pixel-forge", w.inv_studio.pk)),
        _revoked("inv_studio"),
    ),
    "revoke_pending_invitation": Case(
        lambda c, w, p: c.post(_url("invitation_revoke", "pending-studio", w.inv_pending.pk)),
        _revoked("inv_pending"),
    ),
    "invite_to_pending": Case(
        lambda c, w, p: c.post(
            _url("people", "pending-studio"), {"email": "hire@pending.example", "role": "member"}
        )
    ),
    "resubmit_rejected": Case(
        lambda c, w, p: c.post(_url("resubmit", "pending-studio")),
        _resubmitted,
        setup=_reject_pending,
    ),
    "resubmit_verified": Case(lambda c, w, p: c.post(_url("resubmit", "pixel-forge"))),
    "edit_studio": Case(
        lambda c, w, p: c.post(
            _url("edit", "pixel-forge"),
            {"name": "Pixel Forge", "category": "studio", "location": "Edited town"},
        ),
        _edited("studio"),
    ),
    "edit_pending": Case(
        lambda c, w, p: c.post(
            _url("edit", "pending-studio"),
            {"name": "Pending Studio", "category": "studio", "location": "Edited town"},
        ),
        _edited("pending"),
    ),
    "create_form": Case(lambda c, w, p: c.get(_url("create"))),
    "create_industry": Case(_create_form("industry", "studio", "works"), _created("works")),
    "create_institution": Case(
        _create_form("institution", "college", "college"), _created("college")
    ),
}

# fmt: off
HTML_EXPECTED = {
    #                             anon stud lect ownr admn mmbr othr pend newc padm
    "leave_studio":              (302, 400, 400, 409, 302, 302, 400, 400, 400, 400),
    "leave_pending":             (302, 404, 404, 404, 404, 404, 404, 409, 404, 400),
    "transfer_to_mia":           (302, 403, 403, 302, 403, 403, 403, 403, 403, 403),
    "promote_mia_admin":         (302, 403, 403, 302, 302, 403, 403, 403, 403, 302),
    "grant_mia_owner":           (302, 403, 403, 302, 403, 403, 403, 403, 403, 302),
    "demote_last_owner":         (302, 403, 403, 409, 403, 403, 403, 403, 403, 409),
    "demote_pending_owner":      (302, 404, 404, 404, 404, 404, 404, 409, 404, 409),
    "remove_mia":                (302, 403, 403, 302, 302, 302, 403, 403, 403, 302),
    "remove_last_owner":         (302, 403, 403, 409, 403, 403, 403, 403, 403, 409),
    "join_studio":               (302, 403, 403, 409, 409, 409, 302, 302, 409, 302),
    "join_pending":              (302, 404, 404, 404, 404, 404, 404, 400, 404, 400),
    "join_university":           (302, 403, 409, 403, 403, 403, 403, 403, 403, 302),
    "approve_request":           (302, 403, 403, 302, 302, 403, 403, 403, 403, 302),
    "decline_request":           (302, 403, 403, 302, 302, 403, 403, 403, 403, 302),
    "cancel_request":            (302, 404, 404, 404, 404, 404, 404, 404, 302, 404),
    "resend_invitation":         (302, 403, 403, 302, 302, 403, 403, 403, 403, 302),
    "resend_pending_invitation": (302, 404, 404, 404, 404, 404, 404, 403, 404, 403),
    "revoke_invitation":         (302, 403, 403, 302, 302, 403, 403, 403, 403, 302),
    "revoke_pending_invitation": (302, 404, 404, 404, 404, 404, 404, 302, 404, 302),
    "invite_to_pending":         (302, 404, 404, 404, 404, 404, 404, 403, 404, 403),
    "resubmit_rejected":         (302, 404, 404, 404, 404, 404, 404, 302, 404, 302),
    "resubmit_verified":         (302, 403, 403, 409, 409, 403, 403, 403, 403, 409),
    "edit_studio":               (302, 403, 403, 302, 302, 403, 403, 403, 403, 302),
    "edit_pending":              (302, 404, 404, 404, 404, 404, 404, 302, 404, 302),
    "create_form":               (302, 403, 200, 200, 200, 200, 200, 200, 200, 200),
    "create_industry":           (302, 403, 400, 302, 302, 302, 302, 302, 302, 302),
    "create_institution":        (302, 403, 302, 400, 400, 400, 400, 400, 400, 302),
}
# fmt: on


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(HTML_CASES))
def test_html_matrix(client, request, world, action, persona):
    case = HTML_CASES[action]
    expected = HTML_EXPECTED[action][PERSONAS.index(persona)]
    if case.setup:
        case.setup(world)
    user = persona_user(request, persona)
    if user is not None:
        client.force_login(user)
    before = snapshot()

    response = case.run(client, world, persona)

    assert response.status_code == expected, response.content.decode()[:2000]
    if user is None:
        assert response["Location"].startswith(LOGIN_URL)
    if expected == 302 and user is not None:
        assert not response["Location"].startswith(LOGIN_URL)
        case.done(world, user)
    else:
        assert snapshot() == before


@pytest.mark.parametrize("value", ["", "²", "¹2", "-1", "1.0", "99999999999999999999"])
def test_html_transfer_to_a_malformed_membership_id_is_404(client, world, value):
    """Only ASCII digits name a membership; anything else is a 404, never a 500."""
    client.force_login(world.oscar.user)
    before = snapshot()
    response = client.post(_url("transfer", "pixel-forge"), {"membership": value})
    assert response.status_code == 404
    assert snapshot() == before


def test_html_tables_are_complete():
    assert set(HTML_EXPECTED) == set(HTML_CASES)
    assert all(len(row) == len(PERSONAS) for row in HTML_EXPECTED.values())


# --- API ------------------------------------------------------------------------------------


def _api_create(kind, category, suffix):
    def run(api, w, persona):
        return api.post(
            "/api/organisations/",
            {
                "kind": kind,
                "category": category,
                "name": f"{persona} {suffix}",
                "slug": slugged(persona, suffix),
            },
            format="json",
        )

    return run


API_CASES = {
    "get_mia_membership": Case(lambda a, w, p: a.get(f"/api/memberships/{w.mia.pk}/")),
    "get_pete_membership": Case(lambda a, w, p: a.get(f"/api/memberships/{w.pete.pk}/")),
    "promote_mia_admin": Case(
        lambda a, w, p: a.patch(f"/api/memberships/{w.mia.pk}/", {"role": "admin"}, format="json"),
        _mia_role(MemberRole.ADMIN),
    ),
    "grant_mia_owner": Case(
        lambda a, w, p: a.patch(f"/api/memberships/{w.mia.pk}/", {"role": "owner"}, format="json"),
        _mia_role(MemberRole.OWNER),
    ),
    "demote_last_owner": Case(
        lambda a, w, p: a.patch(
            f"/api/memberships/{w.oscar.pk}/", {"role": "member"}, format="json"
        )
    ),
    "remove_mia": Case(lambda a, w, p: a.delete(f"/api/memberships/{w.mia.pk}/"), _mia_gone),
    "remove_last_owner": Case(lambda a, w, p: a.delete(f"/api/memberships/{w.oscar.pk}/")),
    "leave_studio": Case(
        lambda a, w, p: a.post("/api/organisations/pixel-forge/leave/"), _left("studio")
    ),
    "leave_pending": Case(lambda a, w, p: a.post("/api/organisations/pending-studio/leave/")),
    "get_request": Case(lambda a, w, p: a.get(f"/api/join-requests/{w.jr.pk}/")),
    "ask_to_join_studio": Case(
        lambda a, w, p: a.post(
            "/api/join-requests/", {"organisation": "pixel-forge", "message": "Hi"}, format="json"
        ),
        _asked("studio"),
    ),
    "ask_to_join_pending": Case(
        lambda a, w, p: a.post(
            "/api/join-requests/", {"organisation": "pending-studio"}, format="json"
        )
    ),
    "approve_request": Case(
        lambda a, w, p: a.post(f"/api/join-requests/{w.jr.pk}/approve/"), _approved
    ),
    "decline_request": Case(
        lambda a, w, p: a.post(f"/api/join-requests/{w.jr.pk}/decline/"), _declined
    ),
    "cancel_request": Case(
        lambda a, w, p: a.post(f"/api/join-requests/{w.jr.pk}/cancel/"), _cancelled
    ),
    "get_invitation": Case(lambda a, w, p: a.get(f"/api/invitations/{w.inv_studio.pk}/")),
    "get_pending_invitation": Case(lambda a, w, p: a.get(f"/api/invitations/{w.inv_pending.pk}/")),
    "revoke_invitation": Case(
        lambda a, w, p: a.delete(f"/api/invitations/{w.inv_studio.pk}/"), _revoked("inv_studio")
    ),
    "revoke_pending_invitation": Case(
        lambda a, w, p: a.delete(f"/api/invitations/{w.inv_pending.pk}/"),
        _revoked("inv_pending"),
    ),
    "invite_to_pending": Case(
        lambda a, w, p: a.post(
            "/api/invitations/",
            {"organisation": "pending-studio", "email": "hire@pending.example"},
            format="json",
        )
    ),
    "reject_pending": Case(
        lambda a, w, p: a.post(
            "/api/organisations/pending-studio/reject/", {"reason": "Not real"}, format="json"
        ),
        _rejected,
    ),
    "create_industry": Case(_api_create("industry", "studio", "works"), _created("works")),
    "create_institution": Case(
        _api_create("institution", "college", "college"), _created("college")
    ),
}

# fmt: off
API_EXPECTED = {
    #                             anon stud lect ownr admn mmbr othr pend newc padm
    "get_mia_membership":        (401, 404, 404, 200, 200, 200, 404, 404, 404, 200),
    "get_pete_membership":       (401, 404, 404, 404, 404, 404, 404, 200, 404, 200),
    "promote_mia_admin":         (401, 404, 404, 200, 200, 403, 404, 404, 404, 200),
    "grant_mia_owner":           (401, 404, 404, 200, 403, 403, 404, 404, 404, 200),
    "demote_last_owner":         (401, 404, 404, 409, 403, 403, 404, 404, 404, 409),
    "remove_mia":                (401, 404, 404, 204, 204, 204, 404, 404, 404, 204),
    "remove_last_owner":         (401, 404, 404, 409, 403, 403, 404, 404, 404, 409),
    "leave_studio":              (401, 400, 400, 409, 204, 204, 400, 400, 400, 400),
    "leave_pending":             (401, 404, 404, 404, 404, 404, 404, 409, 404, 400),
    "get_request":               (401, 404, 404, 200, 200, 404, 404, 404, 200, 200),
    "ask_to_join_studio":        (401, 403, 403, 409, 409, 409, 201, 201, 409, 201),
    "ask_to_join_pending":       (401, 400, 400, 400, 400, 400, 400, 400, 400, 400),
    "approve_request":           (401, 404, 404, 200, 200, 404, 404, 404, 403, 200),
    "decline_request":           (401, 404, 404, 200, 200, 404, 404, 404, 403, 200),
    "cancel_request":            (401, 404, 404, 403, 403, 404, 404, 404, 200, 403),
    "get_invitation":            (401, 404, 404, 200, 200, 404, 404, 404, 404, 200),
    "get_pending_invitation":    (401, 404, 404, 404, 404, 404, 404, 200, 404, 200),
    "revoke_invitation":         (401, 404, 404, 204, 204, 404, 404, 404, 404, 204),
    "revoke_pending_invitation": (401, 404, 404, 404, 404, 404, 404, 204, 404, 204),
    "invite_to_pending":         (401, 400, 400, 400, 400, 400, 400, 403, 400, 403),
    "reject_pending":            (401, 404, 404, 404, 404, 404, 404, 403, 404, 200),
    "create_industry":           (401, 403, 403, 201, 201, 201, 201, 201, 201, 201),
    "create_institution":        (401, 403, 201, 403, 403, 403, 403, 403, 403, 201),
}
# fmt: on


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(API_CASES))
def test_api_matrix(request, world, action, persona):
    case = API_CASES[action]
    expected = API_EXPECTED[action][PERSONAS.index(persona)]
    if case.setup:
        case.setup(world)
    user = persona_user(request, persona)
    api = api_as(user)
    before = snapshot()

    response = case.run(api, world, persona)

    assert response.status_code == expected, response.content.decode()[:2000]
    if case.done is not None and expected in (200, 201, 204):
        case.done(world, user)
    else:
        assert snapshot() == before


def test_api_tables_are_complete():
    assert set(API_EXPECTED) == set(API_CASES)
    assert all(len(row) == len(PERSONAS) for row in API_EXPECTED.values())


# --- API lists: exactly what each persona may see -------------------------------------------

# Memberships of organisations the caller belongs to (any role); everything for platform admins.
MEMBERSHIP_LIST = {
    "student": set(),
    "lecturer": {"northbridge"},
    "studio_owner": {"pixel-forge"},
    "studio_admin": {"pixel-forge"},
    "studio_member": {"pixel-forge"},
    "other_owner": {"other-studio"},
    "pending_owner": {"pending-studio"},
    "industry_newcomer": set(),
    "platform_admin": None,
}
# Your own requests plus those waiting on organisations you manage.
JOIN_REQUEST_LIST = {
    "student": set(),
    "lecturer": set(),
    "studio_owner": {"jr"},
    "studio_admin": {"jr"},
    "studio_member": set(),
    "other_owner": {"jr_other"},
    "pending_owner": set(),
    "industry_newcomer": {"jr"},
    "platform_admin": {"jr", "jr_other"},
}
# Invitations of the organisations you manage.
INVITATION_LIST = {
    "student": set(),
    "lecturer": set(),
    "studio_owner": {"inv_studio"},
    "studio_admin": {"inv_studio"},
    "studio_member": set(),
    "other_owner": {"inv_other"},
    "pending_owner": {"inv_pending"},
    "industry_newcomer": set(),
    "platform_admin": {"inv_studio", "inv_other", "inv_pending"},
}


def _listed_ids(api, url, **filters) -> set[int]:
    response = api.get(url, {"page_size": 100, **filters})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return {row["id"] for row in body["results"]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_membership_list_and_retrieve_are_scoped_to_own_organisations(request, world, persona):
    user = persona_user(request, persona)
    api = api_as(user)
    if user is None:
        assert api.get("/api/memberships/").status_code == 401
        return
    slugs = MEMBERSHIP_LIST[persona]
    visible = Membership.objects.all()
    if slugs is not None:
        visible = visible.filter(organisation__slug__in=slugs)
    expected = set(visible.values_list("pk", flat=True))
    assert _listed_ids(api, "/api/memberships/") == expected
    assert _listed_ids(api, "/api/memberships/", organisation__slug="pixel-forge") == {
        pk for pk in expected if pk in {world.oscar.pk, world.ari.pk, world.mia.pk}
    }
    for membership in Membership.objects.all():
        response = api.get(f"/api/memberships/{membership.pk}/")
        assert response.status_code == (200 if membership.pk in expected else 404), membership


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_join_request_list_is_own_and_managed(request, world, persona):
    user = persona_user(request, persona)
    api = api_as(user)
    if user is None:
        assert api.get("/api/join-requests/").status_code == 401
        return
    expected = {getattr(world, name).pk for name in JOIN_REQUEST_LIST[persona]}
    assert _listed_ids(api, "/api/join-requests/") == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_invitation_list_is_managed_only(request, world, persona):
    user = persona_user(request, persona)
    api = api_as(user)
    if user is None:
        assert api.get("/api/invitations/").status_code == 401
        return
    expected = {getattr(world, name).pk for name in INVITATION_LIST[persona]}
    assert _listed_ids(api, "/api/invitations/") == expected
    for name in ("inv_studio", "inv_other", "inv_pending"):
        pk = getattr(world, name).pk
        assert api.get(f"/api/invitations/{pk}/").status_code == (200 if pk in expected else 404)


# --- Inviting needs a verified organisation; invisible slugs cannot be probed ----------------


@pytest.mark.parametrize("persona", ["pending_owner", "platform_admin"])
def test_inviting_to_an_unverified_organisation_is_refused_with_a_reason(
    client, request, world, persona
):
    user = request.getfixturevalue(persona)
    before = snapshot()

    client.force_login(user)
    page = client.post(
        _url("people", "pending-studio"), {"email": "hire@pending.example", "role": "member"}
    )
    assert page.status_code == 403
    assert "verified" in page.content.decode().lower()

    response = api_as(user).post(
        "/api/invitations/",
        {"organisation": "pending-studio", "email": "hire@pending.example"},
        format="json",
    )
    assert response.status_code == 403, response.content
    assert "verified" in response.json()["detail"].lower()

    resend = client.post(_url("invitation_resend", "pending-studio", world.inv_pending.pk))
    assert resend.status_code == 403
    assert "verified" in resend.content.decode().lower()
    assert snapshot() == before


@pytest.mark.parametrize("status", [Status.PENDING, Status.REJECTED])
@pytest.mark.parametrize(
    "persona",
    [
        "student",
        "lecturer",
        "studio_owner",
        "studio_admin",
        "studio_member",
        "other_owner",
        "industry_newcomer",
    ],
)
def test_inviting_to_an_invisible_organisation_looks_like_an_unknown_slug(
    request, world, persona, status
):
    Organisation.objects.filter(pk=world.pending.pk).update(status=status)
    api = api_as(request.getfixturevalue(persona))
    before = snapshot()

    hidden = api.post(
        "/api/invitations/",
        {"organisation": "pending-studio", "email": "hire@pending.example"},
        format="json",
    )
    unknown = api.post(
        "/api/invitations/",
        {"organisation": "no-such-studio", "email": "hire@pending.example"},
        format="json",
    )

    assert unknown.status_code == 400
    assert hidden.status_code == 400, hidden.content
    normalised = hidden.content.decode().replace("pending-studio", "no-such-studio")
    assert normalised == unknown.content.decode()
    assert snapshot() == before


# --- Resending and invitation volume are limited ---------------------------------------------


def test_resending_the_same_invitation_within_ten_minutes_is_409(
    client, world, django_capture_on_commit_callbacks
):
    url = _url("invitation_resend", "pixel-forge", world.inv_studio.pk)
    client.force_login(world.oscar.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert [m.to for m in mail.outbox] == [["guest@pixelforge.example"]]
    after_first = Invitation.objects.get(pk=world.inv_studio.pk).expires_at

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url)
    assert again.status_code == 409
    assert len(mail.outbox) == 1

    # Another manager cannot get round it either; it is the invitation that is limited.
    client.force_login(world.ari.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 409
    assert len(mail.outbox) == 1
    assert Invitation.objects.get(pk=world.inv_studio.pk).expires_at == after_first

    # A different invitation of the same organisation is not affected, and revoking still works.
    second = _invitation(world.studio, "second@pixelforge.example", world.oscar.user)
    assert client.post(_url("invitation_resend", "pixel-forge", second.pk)).status_code == 302
    assert client.post(_url("invitation_revoke", "pixel-forge", second.pk)).status_code == 302
    assert Invitation.objects.get(pk=second.pk).revoked_at is not None


def test_more_than_thirty_invitations_an_hour_for_one_organisation_is_429(client, world):
    owner = api_as(world.oscar.user)
    for n in range(30):
        response = owner.post(
            "/api/invitations/",
            {"organisation": "pixel-forge", "email": f"guest{n}@example.org"},
            format="json",
        )
        assert response.status_code == 201, (n, response.content)

    response = owner.post(
        "/api/invitations/",
        {"organisation": "pixel-forge", "email": "one-too-many@example.org"},
        format="json",
    )
    assert response.status_code == 429, response.content
    assert not Invitation.objects.filter(email="one-too-many@example.org").exists()

    # Through the page as well, and for another manager of the same organisation.
    client.force_login(world.ari.user)
    page = client.post(
        _url("people", "pixel-forge"), {"email": "by-page@example.org", "role": "member"}
    )
    assert page.status_code == 429
    assert not Invitation.objects.filter(email="by-page@example.org").exists()

    # The limit is per organisation.
    other = api_as(world.other.memberships.get().user).post(
        "/api/invitations/",
        {"organisation": "other-studio", "email": "x@example.org"},
        format="json",
    )
    assert other.status_code == 201, other.content


# --- Bodies that are not JSON objects are a 400, never a 500 ---------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_reject_with_a_body_that_is_not_an_object(request, world, persona):
    """Those who cannot see the pending organisation get its 404 before the body is read."""
    expected = {"anonymous": 401, "pending_owner": 400, "platform_admin": 400}.get(persona, 404)
    api = api_as(persona_user(request, persona))
    before = snapshot()
    for body in NOT_OBJECTS:
        response = api.post(
            "/api/organisations/pending-studio/reject/", body, content_type="application/json"
        )
        assert response.status_code == expected, (body, response.content)
    assert snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_accept_invitation_with_a_body_that_is_not_an_object(request, world, persona):
    api = api_as(persona_user(request, persona))
    before = snapshot()
    for body in NOT_OBJECTS:
        response = api.post("/api/invitations/accept/", body, content_type="application/json")
        assert response.status_code == (401 if persona == "anonymous" else 400), (
            body,
            response.content,
        )
    assert snapshot() == before


@pytest.mark.parametrize("reason", [None, ["Typo"], {"why": "Typo"}])
def test_reject_reason_must_be_text(world, platform_admin, reason):
    response = api_as(platform_admin).post(
        "/api/organisations/pending-studio/reject/", {"reason": reason}, format="json"
    )
    assert response.status_code == 400, response.content
    organisation = Organisation.objects.get(pk=world.pending.pk)
    assert (organisation.status, organisation.status_reason) == (Status.PENDING, "")
