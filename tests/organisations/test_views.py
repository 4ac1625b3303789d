"""The organisation pages as a person uses them: messages, 4xx on bad input, nothing half-saved."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from partnerships.organisations import services
from partnerships.organisations.models import Invitation, JoinRequest, Membership, Organisation

pytestmark = pytest.mark.django_db


def png_bytes(size=(40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "purple").save(buffer, "PNG")
    return buffer.getvalue()


def test_directory_lists_verified_only_and_searches(client, studio, other_studio, pending_studio):
    response = client.get(reverse("organisations:directory"))
    assert response.status_code == 200
    names = [o.name for o in response.context["page"].object_list]
    assert names == ["Other Studio", "Pixel Forge"]
    response = client.get(reverse("organisations:directory"), {"q": "pixel"})
    assert [o.name for o in response.context["page"].object_list] == ["Pixel Forge"]
    response = client.get(reverse("organisations:directory"), {"q": "zzz-nothing"})
    assert response.context["page"].object_list == [] or not response.context["page"].object_list
    assert b"clear" in response.content.lower()


def test_directory_query_count_is_constant(client, django_assert_max_num_queries):
    from tests.factories import OrganisationFactory, SectorFactory

    sector = SectorFactory()
    for _ in range(25):
        OrganisationFactory().sectors.add(sector)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("organisations:directory"))
    assert len(response.context["page"].object_list) == 20


def test_directory_rejects_unknown_filter_values_without_error(client, studio):
    response = client.get(reverse("organisations:directory"), {"kind": "spaceship", "page": "x"})
    assert response.status_code == 200


def test_create_organisation_page(client, industry_newcomer):
    client.force_login(industry_newcomer)
    response = client.post(
        reverse("organisations:create"),
        {
            "kind": "industry",
            "category": "agency",
            "name": "Brave Ideas Agency",
            "location": "Leeds",
            "logo": io.BytesIO(png_bytes()),
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(slug="brave-ideas-agency")
    assert organisation.status == "pending"
    follow = client.get(response["Location"])
    assert b"verify" in follow.content.lower()


@pytest.mark.parametrize(
    ("slug", "message"),
    [("Bad Slug!", "Use lowercase letters"), ("pixel-forge", "already taken")],
)
def test_create_refuses_bad_slugs_and_keeps_input(client, industry_newcomer, studio, slug, message):
    client.force_login(industry_newcomer)
    response = client.post(
        reverse("organisations:create"),
        {"kind": "industry", "category": "studio", "name": "Typed Name Kept", "slug": slug},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Typed Name Kept" in response.content.decode()
    assert not Organisation.objects.filter(name="Typed Name Kept").exists()


def test_students_cannot_create_organisations(client, student):
    client.force_login(student)
    assert client.get(reverse("organisations:create")).status_code == 403


def test_logo_must_be_a_real_image(client, industry_newcomer):
    client.force_login(industry_newcomer)
    fake = io.BytesIO(b"%PDF-1.4 not an image at all")
    fake.name = "logo.png"
    response = client.post(
        reverse("organisations:create"),
        {"kind": "industry", "category": "studio", "name": "Fake Logo Ltd", "logo": fake},
    )
    assert response.status_code == 400
    assert "not an image" in response.content.decode()
    assert not Organisation.objects.filter(name="Fake Logo Ltd").exists()


def test_invitation_page_flow(client, studio, studio_owner, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    invitation = services.invitation_create(
        actor=studio_owner, organisation=studio, email="newbie@pixelforge.example"
    )
    url = reverse("organisations:invitation", args=[services.invitation_token(invitation)])
    anonymous = client.get(url)
    assert anonymous.status_code == 200
    assert "Pixel Forge" in anonymous.content.decode()

    newbie = UserFactory(email="newbie@pixelforge.example", role="industry")
    client.force_login(newbie)
    assert client.post(url).status_code == 302
    assert Membership.objects.filter(user=newbie, organisation=studio).exists()

    reused = client.post(url)
    assert reused.status_code == 400
    assert "already been used" in reused.content.decode()


def test_tampered_invitation_link_is_a_clear_400(client):
    response = client.get(reverse("organisations:invitation", args=["forged-token"]))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_join_request_and_approval_pages(
    client, studio, studio_owner, industry_newcomer, django_capture_on_commit_callbacks
):
    client.force_login(industry_newcomer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("organisations:join", args=[studio.slug]), {"message": "Hi"})
    assert response.status_code == 302
    assert mail.outbox[-1].to == [studio_owner.email]
    again = client.post(reverse("organisations:join", args=[studio.slug]))
    assert again.status_code == 409
    assert "already waiting" in again.content.decode()

    join_request = JoinRequest.objects.get(user=industry_newcomer)
    client.force_login(studio_owner)
    url = reverse(
        "organisations:join_request_decide", args=[studio.slug, join_request.pk, "approve"]
    )
    assert client.post(url).status_code == 302
    assert Membership.objects.filter(user=industry_newcomer, organisation=studio).exists()
    assert client.post(url).status_code == 409


def test_last_owner_leaving_gets_a_clear_409(client, studio, studio_owner):
    client.force_login(studio_owner)
    response = client.post(reverse("organisations:leave", args=[studio.slug]))
    assert response.status_code == 409
    assert "Transfer ownership" in response.content.decode()
    assert Membership.objects.filter(user=studio_owner, organisation=studio).exists()


def test_tampered_member_ids_are_404(client, studio, other_studio, studio_owner, other_owner):
    other_membership = Membership.objects.get(user=other_owner)
    client.force_login(studio_owner)
    url = reverse("organisations:membership_remove", args=[studio.slug, other_membership.pk])
    assert client.post(url).status_code == 404
    url = reverse("organisations:membership_role", args=[studio.slug, 999999])
    assert client.post(url, {"role": "admin"}).status_code == 404
    assert Membership.objects.filter(pk=other_membership.pk).exists()


def test_unknown_decisions_and_ids_are_404(client, platform_admin, pending_studio):
    client.force_login(platform_admin)
    url = reverse("organisations:verification_decide", args=[pending_studio.slug, "destroy"])
    assert client.post(url).status_code == 404
    assert client.get("/organisations/no-such-org/").status_code == 404


def test_reject_without_reason_is_400_and_changes_nothing(client, platform_admin, pending_studio):
    client.force_login(platform_admin)
    url = reverse("organisations:verification_decide", args=[pending_studio.slug, "reject"])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    pending_studio.refresh_from_db()
    assert pending_studio.status == "pending"


def test_invite_form_errors_keep_input(client, studio, studio_owner):
    client.force_login(studio_owner)
    response = client.post(
        reverse("organisations:people", args=[studio.slug]),
        {"email": "not-an-email", "role": "member"},
    )
    assert response.status_code == 400
    assert "not-an-email" in response.content.decode()
    assert not Invitation.objects.exists()


def test_resend_and_revoke_invitation_pages(
    client, studio, studio_owner, studio_member, django_capture_on_commit_callbacks
):
    invitation = services.invitation_create(
        actor=studio_owner, organisation=studio, email="newbie@pixelforge.example"
    )
    resend = reverse("organisations:invitation_resend", args=[studio.slug, invitation.pk])
    revoke = reverse("organisations:invitation_revoke", args=[studio.slug, invitation.pk])
    client.force_login(studio_member)
    assert client.post(resend).status_code == 403
    assert client.post(revoke).status_code == 403
    client.force_login(studio_owner)
    too_soon = client.post(resend)
    assert too_soon.status_code == 409
    assert "a few minutes ago" in too_soon.content.decode()
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(minutes=11)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(resend).status_code == 302
    assert mail.outbox[-1].to == ["newbie@pixelforge.example"]
    assert client.post(revoke).status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert client.post(resend).status_code == 409


def test_transfer_ownership_page(client, studio, studio_owner, studio_member):
    target = Membership.objects.get(user=studio_member)
    url = reverse("organisations:transfer", args=[studio.slug])
    client.force_login(studio_member)
    assert client.post(url, {"membership": target.pk}).status_code == 403
    client.force_login(studio_owner)
    assert client.post(url, {"membership": "abc"}).status_code == 404
    assert client.post(url, {"membership": target.pk}).status_code == 302
    target.refresh_from_db()
    assert target.role == "owner"


def test_join_request_cancel_page(client, studio, industry_newcomer, other_owner):
    join_request = services.join_request_create(user=industry_newcomer, organisation=studio)
    url = reverse("organisations:join_request_cancel", args=[join_request.pk])
    client.force_login(other_owner)
    assert client.post(url).status_code == 404
    client.force_login(industry_newcomer)
    assert client.post(url).status_code == 302
    join_request.refresh_from_db()
    assert join_request.status == "cancelled"
    assert client.post(url).status_code == 409


def test_logo_is_public_media(client, studio, settings):
    from django.core.files.base import ContentFile

    studio.logo.save("logo.png", ContentFile(png_bytes()), save=True)
    response = client.get(studio.logo.url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    name = studio.logo.name.split("/", 1)[1]
    assert client.get(reverse("media", args=[f"logos/{name}"])).status_code == 200
    assert client.get(reverse("media", args=["logos/../../settings.py"])).status_code == 404
    assert client.get(reverse("media", args=["secret/file.txt"])).status_code == 404


def test_resubmit_page(client, pending_studio, pending_owner, platform_admin):
    services.organisation_reject(actor=platform_admin, organisation=pending_studio, reason="Typo")
    url = reverse("organisations:resubmit", args=[pending_studio.slug])
    client.force_login(pending_owner)
    page = client.get(pending_studio.get_absolute_url())
    assert "Typo" in page.content.decode()
    assert url in page.content.decode()
    assert client.post(url).status_code == 302
    pending_studio.refresh_from_db()
    assert pending_studio.status == "pending"
    assert client.post(url).status_code == 409


def test_pending_organisations_cannot_invite_yet(client, pending_studio, pending_owner):
    client.force_login(pending_owner)
    response = client.post(
        reverse("organisations:people", args=[pending_studio.slug]),
        {"email": "friend@example.org", "role": "member"},
    )
    assert response.status_code == 403
    assert "once a platform admin has verified" in response.content.decode()
    assert not Invitation.objects.exists()


def test_invitations_are_rate_limited_per_organisation(client, studio, studio_owner):
    for n in range(services.INVITATIONS_PER_HOUR):
        services.invitation_create(
            actor=studio_owner, organisation=studio, email=f"guest{n}@example.org"
        )
    client.force_login(studio_owner)
    response = client.post(
        reverse("organisations:people", args=[studio.slug]),
        {"email": "one-too-many@example.org", "role": "member"},
    )
    assert response.status_code == 429
    assert "Try again later" in response.content.decode()
    assert not Invitation.objects.filter(email="one-too-many@example.org").exists()


def test_too_long_join_message_and_reject_reason_are_400(
    client, studio, industry_newcomer, platform_admin, pending_studio
):
    client.force_login(industry_newcomer)
    response = client.post(
        reverse("organisations:join", args=[studio.slug]), {"message": "x" * 2001}
    )
    assert response.status_code == 400
    assert not JoinRequest.objects.exists()
    client.force_login(platform_admin)
    url = reverse("organisations:verification_decide", args=[pending_studio.slug, "reject"])
    response = client.post(url, {"reason": "y" * 2001})
    assert response.status_code == 400
    assert "2000" in response.content.decode() or "2,000" in response.content.decode()
    pending_studio.refresh_from_db()
    assert pending_studio.status == "pending"


def test_null_bytes_in_media_paths_are_404(client):
    assert client.get("/media/logos/a%00b.png").status_code == 404
