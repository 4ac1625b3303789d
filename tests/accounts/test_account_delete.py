"""Deleting your own account: the page, its confirmations and refusals, and what goes.

Sam (a student) deletes his account; Mia is a member of Pixel Forge; Oscar is its only owner,
so he must hand ownership over first. What organisations keep is tested with each app
(tests/placements, tests/events, tests/stories, tests/curriculum).
"""

import io

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from PIL import Image
from rest_framework.authtoken.models import Token

from accounts import erasure
from accounts.models import Profile, User
from events.models import CalendarFeed
from partnerships.activity.models import DomainEvent
from partnerships.activity.services import record_event
from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.matching.models import PlacementRecommendation
from partnerships.notifications.models import Notification, NotificationPreference, SavedSearch
from partnerships.organisations.models import JoinRequest, MemberRole, Membership
from partnerships.projects.models import SavedProposal
from tests.conftest import with_two_factor
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory
from tests.placements.conftest import PlacementFactory

pytestmark = pytest.mark.django_db

DELETE = reverse("accounts:account_delete")


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 20, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def sign_in(client, user) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content


def reauthenticate(client) -> None:
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302


def test_the_page_explains_what_goes_and_what_organisations_keep(client, student):
    client.force_login(student)
    page = client.get(DELETE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "What is deleted" in html and "What organisations keep" in html
    assert 'name="email"' in html and "Type your email address to confirm" in html
    assert f'href="{reverse("accounts:privacy_data")}" aria-current="page"' in html


def test_signed_out_visitors_are_sent_to_log_in(client):
    assert client.get(DELETE).status_code == 302
    assert client.post(DELETE, {"email": "x@example.org"}).status_code == 302


def test_deleting_asks_for_the_password_then_deletes_and_signs_out(
    client, student, mailoutbox, django_capture_on_commit_callbacks
):
    sign_in(client, student)
    ask = client.post(DELETE, {"email": student.email})
    assert ask.status_code == 302 and ask["Location"].startswith(reverse("account_reauthenticate"))
    assert User.objects.filter(pk=student.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(ask["Location"], {"password": PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("home")
    assert not User.objects.filter(pk=student.pk).exists()
    assert "Your account has been deleted" in client.get(reverse("home")).content.decode()
    assert client.get(reverse("dashboard")).status_code == 302  # signed out

    [goodbye] = mailoutbox
    assert goodbye.to == ["sam@student.northbridge.ac.uk"]
    assert "deleted" in goodbye.subject
    assert "Hello Sam" in goodbye.body
    assert "deleted, as you asked" in goodbye.body and "If you did not ask" in goodbye.body
    assert "The team that runs Tandem has deleted" not in goodbye.body

    # The address and password no longer open anything.
    again = Client().post(reverse("account_login"), {"login": student.email, "password": PASSWORD})
    assert again.status_code != 302
    assert not Client().login(email=student.email, password=PASSWORD)


def test_a_wrong_email_address_is_refused(client, student, mailoutbox):
    client.force_login(student)
    reauthenticate(client)
    response = client.post(DELETE, {"email": "someone-else@example.org"})
    assert response.status_code == 400
    assert "Type the email address of your account exactly" in response.content.decode()
    assert User.objects.filter(pk=student.pk).exists() and not mailoutbox


def test_the_address_is_matched_without_case_or_spaces(client, student):
    client.force_login(student)
    reauthenticate(client)
    response = client.post(DELETE, {"email": f"  {student.email.upper()} "})
    assert response.status_code == 302
    assert not User.objects.filter(pk=student.pk).exists()


def test_the_last_owner_of_an_organisation_is_refused_with_409(client, studio, studio_owner):
    client.force_login(studio_owner)
    page = client.get(DELETE).content.decode()
    assert "You are the last owner of" in page and "Pixel Forge" in page
    reauthenticate(client)
    refused = client.post(DELETE, {"email": studio_owner.email})
    assert refused.status_code == 409
    assert "last owner of Pixel Forge" in refused.content.decode()
    assert User.objects.filter(pk=studio_owner.pk).exists()
    assert Membership.objects.filter(user=studio_owner, role=MemberRole.OWNER).exists()


def test_an_owner_who_shares_ownership_may_go(client, studio, studio_owner, industry_newcomer):
    MembershipFactory(organisation=studio, user=industry_newcomer, role=MemberRole.OWNER)
    client.force_login(studio_owner)
    reauthenticate(client)
    assert client.post(DELETE, {"email": studio_owner.email}).status_code == 302
    assert not User.objects.filter(pk=studio_owner.pk).exists()
    assert list(studio.memberships.values_list("user", flat=True)) == [industry_newcomer.pk]


def test_only_the_account_holder_may_delete(student, platform_admin):
    with pytest.raises(PermissionDenied):
        erasure.account_delete(actor=platform_admin, user=student, confirm_email=student.email)
    with pytest.raises(DomainError):
        erasure.account_delete(actor=student, user=student, confirm_email="nope@example.org")
    assert User.objects.filter(pk=student.pk).exists()


def test_personal_records_go_with_the_account(
    student, studio, studio_member, django_capture_on_commit_callbacks
):
    """Mia (a member of Pixel Forge) deletes her account: everything that is hers goes."""
    mia = studio_member
    other_org = OrganisationFactory(name="Lumen VFX")
    JoinRequest.objects.create(organisation=other_org, user=mia, message="Let me in")
    Token.objects.create(user=mia)
    with_two_factor(mia)
    CalendarFeed.objects.create(user=mia)
    SavedProposal.objects.create(
        owner=mia, name="Standard", team="Us", approach="A", experience="E", availability="Now"
    )
    Notification.objects.create(
        recipient=mia, type="proposal", target_type="x", target_id=1, title="Hi", url="/",
        frequency="instant",
    )  # fmt: skip
    NotificationPreference.objects.create(user=mia, type="proposal", frequency="daily")
    SavedSearch.objects.create(user=mia, scope="events", label="Talks", q="talk", frequency="daily")
    PlacementRecommendation.objects.create(
        student=mia, placement=PlacementFactory(organisation=studio), score=80
    )
    event = record_event("organisation.updated", target=studio, actor=mia, organisation=studio)
    mia.profile.avatar.save("mia.png", ContentFile(png_bytes()))
    avatar = mia.profile.avatar
    assert avatar.storage.exists(avatar.name)

    with django_capture_on_commit_callbacks(execute=True):
        erasure.account_delete(actor=mia, user=mia, confirm_email=mia.email)

    assert not User.objects.filter(pk=mia.pk).exists()
    assert not Profile.objects.filter(user_id=mia.pk).exists()
    for model, field in [
        (Membership, "user_id"),
        (JoinRequest, "user_id"),
        (Token, "user_id"),
        (Authenticator, "user_id"),
        (EmailAddress, "user_id"),
        (UserSession, "user_id"),
        (CalendarFeed, "user_id"),
        (SavedProposal, "owner_id"),
        (Notification, "recipient_id"),
        (NotificationPreference, "user_id"),
        (SavedSearch, "user_id"),
        (PlacementRecommendation, "student_id"),
    ]:
        assert not model.objects.filter(**{field: mia.pk}).exists(), model.__name__
    assert not avatar.storage.exists(avatar.name)
    # What she did stays in the history, without her.
    event.refresh_from_db()
    assert event.actor_id is None
    # The organisation and its other people are untouched.
    assert studio.memberships.count() == 1
    assert DomainEvent.objects.filter(name="account.deleted", actor=None).exists()


def test_every_device_is_signed_out(student, django_capture_on_commit_callbacks):
    laptop, phone = Client(), Client()
    sign_in(laptop, student)
    sign_in(phone, student)
    assert UserSession.objects.filter(user=student).count() == 2
    keys = list(UserSession.objects.filter(user=student).values_list("session_key", flat=True))
    reauthenticate(laptop)
    with django_capture_on_commit_callbacks(execute=True):
        assert laptop.post(DELETE, {"email": student.email}).status_code == 302
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert phone.get(reverse("dashboard")).status_code == 302


def test_nothing_happens_when_the_transaction_rolls_back(
    student, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    """Files and sessions go after the commit only: a failure late in the deletion leaves the
    avatar on disk, the account in place and no email sent."""
    student.profile.avatar.save("sam.png", ContentFile(png_bytes()))
    avatar = student.profile.avatar

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(erasure, "_end_sessions_after_commit", fail)  # the very last step
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        erasure.account_delete(actor=student, user=student, confirm_email=student.email)
    assert callbacks == []
    assert avatar.storage.exists(avatar.name)
    assert User.objects.filter(pk=student.pk).exists() and not mailoutbox


def test_last_owner_check_names_every_blocking_organisation(studio, studio_owner):
    second = OrganisationFactory(name="Another Studio")
    MembershipFactory(organisation=second, user=studio_owner, role=MemberRole.OWNER)
    with pytest.raises(Conflict) as refused:
        erasure.account_delete(
            actor=studio_owner, user=studio_owner, confirm_email=studio_owner.email
        )
    assert refused.value.code == "last_owner"
    assert "Another Studio" in refused.value.message and "Pixel Forge" in refused.value.message
