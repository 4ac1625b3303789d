"""The API under the same rules as the pages: visibility, mass assignment, clear 4xx errors."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from partnerships.organisations.models import JoinRequest, Membership
from tests.factories import SkillFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_me_requires_authentication(api):
    response = api.get("/api/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_token_authentication(api, studio_owner):
    token = Token.objects.create(user=studio_owner)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/me/")
    assert response.status_code == 200
    assert response.json()["email"] == studio_owner.email
    api.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert api.get("/api/me/").status_code == 401


def test_me_updates_profile_but_not_role_or_email(api, student):
    skill = SkillFactory(name="Blender Geometry Nodes", slug="blender-test")
    api.force_authenticate(student)
    response = api.patch(
        "/api/me/",
        {
            "email": "hacker@example.org",
            "role": "admin",
            "profile": {
                "headline": "3D generalist",
                "skills": ["blender-test"],
                "discoverable": True,
            },
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    student.refresh_from_db()
    assert student.email == "sam@student.northbridge.ac.uk"
    assert student.role == "student"
    assert student.profile.headline == "3D generalist"
    assert list(student.profile.skills.all()) == [skill]
    assert student.profile.discoverable is True


def test_unknown_skill_is_a_clear_400(api, student):
    api.force_authenticate(student)
    response = api.patch("/api/me/", {"profile": {"skills": ["no-such-skill"]}}, format="json")
    assert response.status_code == 400
    assert "no-such-skill" in str(response.json())
    assert not student.profile.skills.exists()


def test_bad_timezone_is_a_400(api, student):
    api.force_authenticate(student)
    response = api.patch("/api/me/", {"profile": {"timezone": "Mars/Olympus"}}, format="json")
    assert response.status_code == 400


def test_student_profiles_are_protected(api, student, lecturer, studio_owner, other_owner):
    """Students are seen by their institution's staff; studios only when they opted in."""
    other_student = UserFactory(role="student")
    api.force_authenticate(lecturer)
    ids = {row["id"] for row in api.get("/api/profiles/?page_size=100").json()["results"]}
    assert student.profile.id in ids
    assert other_student.profile.id not in ids

    api.force_authenticate(studio_owner)
    ids = {row["id"] for row in api.get("/api/profiles/?page_size=100").json()["results"]}
    assert student.profile.id not in ids
    assert api.get(f"/api/profiles/{student.profile.id}/").status_code == 404
    assert other_owner.profile.id in ids

    student.profile.discoverable = True
    student.profile.save()
    assert api.get(f"/api/profiles/{student.profile.id}/").status_code == 200


def test_profile_list_query_count_is_constant(api, lecturer, django_assert_max_num_queries):
    for _ in range(30):
        UserFactory(role="industry").profile.skills.add(SkillFactory())
    api.force_authenticate(lecturer)
    with django_assert_max_num_queries(10):
        response = api.get("/api/profiles/")
    assert len(response.json()["results"]) == 20


def test_organisation_create_via_api_and_mass_assignment_ignored(api, industry_newcomer):
    api.force_authenticate(industry_newcomer)
    response = api.post(
        "/api/organisations/",
        {
            "kind": "industry",
            "category": "studio",
            "name": "API Studio",
            "slug": "api-studio",
            "status": "verified",
            "sectors": [],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"


def test_organisation_create_errors(api, industry_newcomer, studio):
    api.force_authenticate(industry_newcomer)
    response = api.post(
        "/api/organisations/",
        {"kind": "industry", "category": "studio", "name": "X", "slug": studio.slug},
        format="json",
    )
    assert response.status_code == 409
    assert "already taken" in response.json()["detail"]
    response = api.post(
        "/api/organisations/",
        {"kind": "industry", "category": "studio", "name": "X", "slug": "Not A Slug"},
        format="json",
    )
    assert response.status_code == 400
    assert "slug" in response.json()
    response = api.post(
        "/api/organisations/",
        {"kind": "industry", "category": "studio", "name": "X", "slug": "x", "sectors": ["nope"]},
        format="json",
    )
    assert response.status_code == 400
    assert "nope" in str(response.json())


def test_slug_and_kind_cannot_change(api, studio, studio_owner):
    api.force_authenticate(studio_owner)
    response = api.patch(f"/api/organisations/{studio.slug}/", {"slug": "new"}, format="json")
    assert response.status_code == 400


def test_memberships_api_roles_and_last_owner(
    api, studio, studio_owner, studio_member, other_owner
):
    owner_membership = Membership.objects.get(user=studio_owner)
    member_membership = Membership.objects.get(user=studio_member)

    api.force_authenticate(studio_member)
    response = api.patch(
        f"/api/memberships/{member_membership.pk}/", {"role": "owner"}, format="json"
    )
    assert response.status_code == 403

    api.force_authenticate(other_owner)
    response = api.delete(f"/api/memberships/{member_membership.pk}/")
    assert response.status_code == 404
    assert Membership.objects.filter(pk=member_membership.pk).exists()

    api.force_authenticate(studio_owner)
    response = api.patch(
        f"/api/memberships/{member_membership.pk}/", {"role": "admin"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["role"] == "admin"
    response = api.delete(f"/api/memberships/{owner_membership.pk}/")
    assert response.status_code == 409
    assert "last owner" in response.json()["detail"]


def test_join_request_api(api, studio, studio_owner, industry_newcomer, other_owner):
    api.force_authenticate(industry_newcomer)
    response = api.post(
        "/api/join-requests/", {"organisation": studio.slug, "message": "Hi"}, format="json"
    )
    assert response.status_code == 201
    request_id = response.json()["id"]
    assert (
        api.post("/api/join-requests/", {"organisation": studio.slug}, format="json").status_code
        == 409
    )

    api.force_authenticate(other_owner)
    assert api.post(f"/api/join-requests/{request_id}/approve/").status_code == 404

    api.force_authenticate(studio_owner)
    response = api.post(f"/api/join-requests/{request_id}/approve/")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert JoinRequest.objects.get(pk=request_id).status == "approved"


def test_invitation_accept_api(api, studio, studio_owner):
    from partnerships.organisations import services

    invitation = services.invitation_create(
        actor=studio_owner, organisation=studio, email="newbie@pixelforge.example"
    )
    newbie = UserFactory(email="newbie@pixelforge.example", role="industry")
    api.force_authenticate(newbie)
    assert (
        api.post("/api/invitations/accept/", {"token": "forged"}, format="json").status_code == 400
    )
    response = api.post(
        "/api/invitations/accept/", {"token": services.invitation_token(invitation)}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["organisation"] == studio.slug


def test_taxonomy_is_public(api):
    assert api.get("/api/sectors/").status_code == 200
    assert api.get("/api/skills/").status_code == 200


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/organisations/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
    assert b"cdn" not in docs.content.lower()


def test_api_throttles_anonymous_callers(api, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK}
    from rest_framework.throttling import AnonRateThrottle

    original = AnonRateThrottle.THROTTLE_RATES
    AnonRateThrottle.THROTTLE_RATES = {**original, "anon": "3/min"}
    try:
        codes = [api.get("/api/sectors/").status_code for _ in range(5)]
    finally:
        AnonRateThrottle.THROTTLE_RATES = original
    assert codes[:3] == [200, 200, 200]
    assert codes[-1] == 429


def test_openapi_schema_is_valid_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    assert "/api/organisations/{slug}/verify/" in (tmp_path / "schema.yml").read_text()


def test_memberships_list_only_your_own_organisations(api, studio_member, student, other_owner):
    api.force_authenticate(student)
    assert api.get("/api/memberships/").json()["results"] == []
    api.force_authenticate(other_owner)
    emails = {row["email"] for row in api.get("/api/memberships/").json()["results"]}
    assert emails == {other_owner.email}
    api.force_authenticate(studio_member)
    emails = {row["email"] for row in api.get("/api/memberships/").json()["results"]}
    assert studio_member.email in emails and other_owner.email not in emails


@pytest.mark.parametrize("body", [[1], "s", 5, None])
def test_non_object_json_bodies_are_400(api, platform_admin, pending_studio, body):
    api.force_authenticate(platform_admin)
    url = f"/api/organisations/{pending_studio.slug}/reject/"
    assert api.post(url, body, format="json").status_code == 400
    assert api.post("/api/invitations/accept/", body, format="json").status_code == 400
    pending_studio.refresh_from_db()
    assert pending_studio.status == "pending"


def test_hidden_organisation_slugs_cannot_be_probed(api, studio_owner, pending_studio):
    api.force_authenticate(studio_owner)
    hidden = api.post(
        "/api/invitations/",
        {"organisation": pending_studio.slug, "email": "a@b.org"},
        format="json",
    )
    unknown = api.post(
        "/api/invitations/", {"organisation": "no-such-org", "email": "a@b.org"}, format="json"
    )
    assert hidden.status_code == unknown.status_code == 400
    assert hidden.json()["organisation"][0].replace(pending_studio.slug, "X") == unknown.json()[
        "organisation"
    ][0].replace("no-such-org", "X")
