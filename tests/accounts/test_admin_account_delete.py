"""Deleting people from the Django admin goes through the same erasure as deleting your own account.

Ada (a platform admin, with two-factor on) deletes Sam (a student who applied to Pixel Forge, with
a CV and a picture, and has a place at an event still to come) and Mia (a member of Pixel Forge).
She may not delete herself here, nor the last platform admin, nor Oscar while he is the only owner
of Pixel Forge.
"""

import io

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from accounts import erasure
from accounts.models import Role, User
from events.models import Registration
from partnerships.activity.models import DomainEvent
from partnerships.audit.models import AuditEntry
from partnerships.core.errors import Conflict, PermissionDenied
from partnerships.organisations.models import Membership
from partnerships.placements.models import Application, ApplicationStatus
from tests.events.conftest import EventFactory, RegistrationFactory
from tests.factories import UserFactory
from tests.placements.conftest import ApplicationFactory, PlacementFactory, cv_file

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_user_changelist")


def delete_url(user) -> str:
    return reverse("admin:accounts_user_delete", args=[user.pk])


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buffer, "PNG")
    return buffer.getvalue()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def admin_client(client, platform_admin):
    client.force_login(platform_admin)
    return client


@pytest.fixture
def sams_things(student, studio, university):
    application = ApplicationFactory(
        placement=PlacementFactory(organisation=studio, title="Junior 3D artist"),
        student=student,
        institution=university,
        cover_letter="Sam's cover letter",
        portfolio_url="https://sam.example",
        cv=cv_file(),
    )
    student.profile.avatar.save("sam.png", ContentFile(png_bytes()))
    registration = RegistrationFactory(event=EventFactory(title="Portfolio night"), user=student)
    return {
        "application": application,
        "cv": application.cv.name,
        "avatar": student.profile.avatar.name,
        "registration": registration,
    }


def test_the_delete_page_erases_the_account_as_account_delete_does(
    admin_client, platform_admin, student, sams_things, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    storage = Application._meta.get_field("cv").storage
    assert storage.exists(sams_things["cv"]) and storage.exists(sams_things["avatar"])

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(delete_url(student), {"post": "yes"})
    assert response.status_code == 302 and response["Location"] == CHANGELIST

    assert not User.objects.filter(pk=student.pk).exists()
    # The studio keeps an anonymous, withdrawn application, without Sam's words or CV.
    application = Application.objects.get(pk=sams_things["application"].pk)
    assert application.student_id is None and application.status == ApplicationStatus.WITHDRAWN
    assert (application.cover_letter, application.portfolio_url, application.cv.name) == (
        "",
        "",
        "",
    )
    # The event keeps the row for its counts; the place still to come was given up.
    registration = Registration.objects.get(pk=sams_things["registration"].pk)
    assert registration.user_id is None and registration.cancelled_at is not None
    # The files are gone from the disk once the deletion committed.
    assert not storage.exists(sams_things["cv"]) and not storage.exists(sams_things["avatar"])
    # Sam is told, as when he deletes it himself, but not that he asked for it.
    [goodbye] = mailoutbox
    assert goodbye.to == [student.email] and "deleted" in goodbye.subject
    html = goodbye.alternatives[0][0]
    for text in (goodbye.body, html):
        assert "The team that runs Tandem has deleted your account" in text
        assert "can tell you why it was deleted" in text
        assert "as you asked" not in text and "If you did not ask" not in text
    # The audit trail names the admin; the domain event says an admin did it.
    entry = AuditEntry.objects.get(action="user.deleted", target_id=student.pk)
    assert entry.actor_id == platform_admin.pk and entry.actor_label == platform_admin.email
    assert entry.target_type == "accounts.user" and entry.target_label == student.email
    assert entry.before["role"] == Role.STUDENT
    trail = admin_client.get(reverse("audit:list"), {"action": "user.deleted"})
    assert "User deleted by an admin" in trail.content.decode()
    event = DomainEvent.objects.get(name="account.deleted", target_id=student.pk)
    assert event.payload == {"by_admin": True}
    # Django's own log of admin deletions still has its entry.
    assert LogEntry.objects.filter(
        action_flag=DELETION, object_id=str(student.pk), user=platform_admin
    ).exists()


def test_delete_selected_erases_every_selected_account(
    admin_client, platform_admin, student, studio, studio_member, sams_things,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    storage = Application._meta.get_field("cv").storage
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            CHANGELIST,
            {
                "action": "delete_selected",
                "_selected_action": [student.pk, studio_member.pk],
                "post": "yes",
            },
            follow=True,
        )
    assert response.status_code == 200
    assert "Successfully deleted 2 users." in messages_of(response)
    assert not User.objects.filter(pk__in=[student.pk, studio_member.pk]).exists()
    application = Application.objects.get(pk=sams_things["application"].pk)
    assert application.cover_letter == "" and application.cv.name == ""
    assert not storage.exists(sams_things["cv"]) and not storage.exists(sams_things["avatar"])
    deleted = AuditEntry.objects.filter(action="user.deleted").values_list("target_id", "actor_id")
    assert sorted(deleted) == sorted(
        [(student.pk, platform_admin.pk), (studio_member.pk, platform_admin.pk)]
    )
    # Mia's membership went with her, recorded as the admin's doing.
    removed = AuditEntry.objects.get(action="membership.deleted")
    assert removed.actor_id == platform_admin.pk and removed.organisation_id == studio.pk


def test_the_confirmation_pages_are_still_shown_first(admin_client, student):
    assert admin_client.get(delete_url(student)).status_code == 200
    page = admin_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [student.pk]}
    )
    assert page.status_code == 200 and "Are you sure" in page.content.decode()
    assert User.objects.filter(pk=student.pk).exists()


def test_an_admin_cannot_delete_themselves_here(admin_client, platform_admin):
    other_admin = UserFactory(role=Role.ADMIN, is_staff=True)  # so it is not about the last one
    response = admin_client.post(delete_url(platform_admin), {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert any("cannot delete your own account here" in m for m in messages_of(response))
    assert User.objects.filter(pk=platform_admin.pk).exists()
    assert not AuditEntry.objects.filter(action="user.deleted").exists()
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()
    assert User.objects.filter(pk=other_admin.pk).exists()


def test_selecting_yourself_refuses_the_whole_batch(admin_client, platform_admin, student):
    response = admin_client.post(
        CHANGELIST,
        {
            "action": "delete_selected",
            "_selected_action": [student.pk, platform_admin.pk],
            "post": "yes",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert any("cannot delete your own account here" in m for m in messages_of(response))
    assert not any(m.startswith("Successfully deleted") for m in messages_of(response))
    assert User.objects.filter(pk__in=[student.pk, platform_admin.pk]).count() == 2
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()  # rolled back too


def test_the_last_owner_of_an_organisation_is_refused(admin_client, studio, studio_owner):
    response = admin_client.post(delete_url(studio_owner), {"post": "yes"}, follow=True)
    assert any("last owner of Pixel Forge" in m for m in messages_of(response))
    assert User.objects.filter(pk=studio_owner.pk).exists()
    assert Membership.objects.filter(user=studio_owner, organisation=studio).exists()
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()


def test_deleting_both_owners_at_once_is_refused(
    admin_client, studio, studio_owner, industry_newcomer
):
    Membership.objects.create(organisation=studio, user=industry_newcomer, role="owner")
    response = admin_client.post(
        CHANGELIST,
        {
            "action": "delete_selected",
            "_selected_action": [studio_owner.pk, industry_newcomer.pk],
            "post": "yes",
        },
        follow=True,
    )
    assert any("last owner of Pixel Forge" in m for m in messages_of(response))
    assert User.objects.filter(pk__in=[studio_owner.pk, industry_newcomer.pk]).count() == 2


def test_the_last_platform_admin_cannot_be_deleted(client, platform_admin):
    """Staff allowed to delete users (but not platform admins) cannot remove the last one."""
    staff = UserFactory(role=Role.UNIVERSITY, is_staff=True)
    # Deleting a user in the admin also needs the right to delete what cascades with it.
    staff.user_permissions.add(
        *Permission.objects.filter(codename__startswith="delete_"),
        Permission.objects.get(content_type__app_label="accounts", codename="view_user"),
    )
    with pytest.raises(Conflict) as refused:
        erasure.account_delete_by_admin(actor=staff, user=platform_admin)
    assert refused.value.code == "last_platform_admin"

    client.force_login(staff)
    response = client.post(delete_url(platform_admin), {"post": "yes"}, follow=True)
    assert any("at least one platform admin" in m for m in messages_of(response))
    assert User.objects.filter(pk=platform_admin.pk).exists()

    # With another platform admin left, the same deletion goes through.
    UserFactory(role=Role.ADMIN, is_staff=True)
    erasure.account_delete_by_admin(actor=staff, user=platform_admin)
    assert not User.objects.filter(pk=platform_admin.pk).exists()


def test_only_staff_allowed_to_delete_users_may_use_the_service(
    student, studio_member, platform_admin
):
    with pytest.raises(PermissionDenied):
        erasure.account_delete_by_admin(actor=studio_member, user=student)
    with pytest.raises(PermissionDenied) as own:
        erasure.account_delete_by_admin(actor=platform_admin, user=platform_admin)
    assert own.value.code == "own_account"
    assert User.objects.filter(pk__in=[student.pk, platform_admin.pk]).count() == 2


def test_outside_a_request_the_entries_still_name_the_admin(
    platform_admin, studio, studio_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert erasure.accounts_delete_by_admin(actor=platform_admin, users=[studio_member]) == 1
    removed = AuditEntry.objects.get(action="membership.deleted")
    assert removed.actor_id == platform_admin.pk
    assert AuditEntry.objects.get(action="user.deleted").actor_id == platform_admin.pk


def test_the_last_platform_admin_cannot_delete_their_own_account_either(platform_admin):
    with pytest.raises(Conflict) as refused:
        erasure.account_delete(
            actor=platform_admin, user=platform_admin, confirm_email=platform_admin.email
        )
    assert refused.value.code == "last_platform_admin"
    assert User.objects.filter(pk=platform_admin.pk).exists()
    UserFactory(email="grace@tandem.example", role=Role.ADMIN)
    erasure.account_delete(
        actor=platform_admin, user=platform_admin, confirm_email=platform_admin.email
    )
    assert not User.objects.filter(pk=platform_admin.pk).exists()
