"""When someone deletes their account, organisers keep their counts, without the person.

Sam holds the last seat of Pixel Forge's guest lecture (Uma waits for it), attended a past
showcase (checked in), and spoke at it. Sam deletes his account.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import erasure
from events import selectors
from events.models import Event, EventStatus, Registration, RegistrationStatus, Speaker

from .conftest import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

R = RegistrationStatus


@pytest.fixture
def full_lecture(event):
    event.capacity = 1
    event.save(update_fields=["capacity"])
    return event


@pytest.fixture
def past_showcase(studio, studio_owner):
    starts = timezone.now() - datetime.timedelta(days=30)
    return EventFactory(
        organisation=studio,
        created_by=studio_owner,
        title="Degree showcase",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=3),
        status=EventStatus.COMPLETED,
    )


@pytest.fixture
def sams_places(full_lecture, past_showcase, student, other_student):
    seat = RegistrationFactory(event=full_lecture, user=student)
    waiting = RegistrationFactory(event=full_lecture, user=other_student, status=R.WAITLISTED)
    attended = RegistrationFactory(event=past_showcase, user=student)
    Registration.objects.filter(pk=attended.pk).update(checked_in_at=past_showcase.starts_at)
    RegistrationFactory(event=past_showcase, user=other_student)
    Speaker.objects.create(event=past_showcase, user=student, affiliation="BA Animation")
    return {"seat": seat, "waiting": waiting, "attended": attended}


def delete_sam(student, capture) -> None:
    with capture(execute=True):
        erasure.account_delete(actor=student, user=student, confirm_email=student.email)


def test_a_seat_to_come_goes_to_the_next_person_waiting(
    sams_places, full_lecture, student, mailoutbox, django_capture_on_commit_callbacks
):
    delete_sam(student, django_capture_on_commit_callbacks)
    seat = Registration.objects.get(pk=sams_places["seat"].pk)
    assert seat.status == R.CANCELLED and seat.user_id is None
    assert Registration.objects.get(pk=sams_places["waiting"].pk).status == R.CONFIRMED
    full_lecture.refresh_from_db()
    assert full_lecture.seats_taken == 1
    assert any("uma@southgate.ac.uk" in message.to for message in mailoutbox)


def test_past_attendance_still_counts_without_the_person(
    sams_places, past_showcase, student, django_capture_on_commit_callbacks
):
    before = selectors.registration_counts(past_showcase)
    events_before = Event.objects.count()
    delete_sam(student, django_capture_on_commit_callbacks)
    attended = Registration.objects.get(pk=sams_places["attended"].pk)
    assert attended.user_id is None and attended.checked_in_at is not None
    assert attended.status == R.CONFIRMED
    assert selectors.registration_counts(past_showcase) == before
    assert Event.objects.count() == events_before
    # The agenda keeps the name it printed, without the link to the account.
    speaker = Speaker.objects.get(event=past_showcase)
    assert speaker.user_id is None and speaker.name == "Sam"


def test_organiser_pages_list_only_people_with_an_account(
    client, sams_places, past_showcase, student, studio_owner, django_capture_on_commit_callbacks
):
    delete_sam(student, django_capture_on_commit_callbacks)
    client.force_login(studio_owner)
    page = client.get(reverse("events:registrants", args=[past_showcase.pk]))
    assert page.status_code == 200
    assert "Uma" in page.content.decode()
    csv = client.get(reverse("events:export_csv", args=[past_showcase.pk])).content.decode()
    assert len(csv.strip().splitlines()) == 2  # the header and Uma
    assert client.get(reverse("events:check_in", args=[past_showcase.pk])).status_code == 200
    # An anonymised row cannot be acted on.
    attended = sams_places["attended"]
    action = reverse("events:check_in_toggle", args=[past_showcase.pk, attended.pk])
    assert client.post(action, {"undo": "1"}).status_code == 404
    cancel = reverse("events:registration_action", args=[past_showcase.pk, attended.pk, "cancel"])
    assert client.post(cancel).status_code == 404
    detail = client.get(reverse("events:detail", args=[past_showcase.pk]))
    assert detail.status_code == 200 and "Sam" in detail.content.decode()
