"""A speaker's name links to their profile only for viewers allowed to open it."""

import pytest
from django.urls import reverse

from events.models import Speaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def student_speaker(event, student):
    Speaker.objects.create(event=event, user=student)
    return student


def profile_link(student) -> str:
    return reverse("accounts:profile", args=[student.profile.pk])


def test_visitors_see_the_name_without_a_link(client, event, student_speaker):
    page = client.get(event.get_absolute_url()).content.decode()
    assert student_speaker.profile.display_name in page
    assert profile_link(student_speaker) not in page


def test_a_studio_member_without_access_sees_no_link(client, event, student_speaker, studio_owner):
    client.force_login(studio_owner)  # the student is not discoverable
    page = client.get(event.get_absolute_url()).content.decode()
    assert student_speaker.profile.display_name in page
    assert profile_link(student_speaker) not in page
    assert client.get(profile_link(student_speaker)).status_code == 404


def test_those_who_may_open_the_profile_get_the_link(client, event, student_speaker):
    client.force_login(student_speaker)
    page = client.get(event.get_absolute_url()).content.decode()
    assert profile_link(student_speaker) in page
    assert client.get(profile_link(student_speaker)).status_code == 200
