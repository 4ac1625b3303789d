import io
import os

import pytest
from django.urls import reverse
from PIL import Image

from tests.factories import SkillFactory

pytestmark = pytest.mark.django_db


def image_file(fmt="PNG", name="me.png", size=(64, 64)) -> io.BytesIO:
    """An image of random pixels (so it does not compress below a size limit)."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, fmt)
    buffer.seek(0)
    buffer.name = name
    return buffer


def profile_data(**overrides):
    data = {
        "display_name": "Sam",
        "headline": "Animator",
        "timezone": "Europe/London",
        "course": "BA Animation",
        "level": "undergraduate",
    }
    data.update(overrides)
    return data


def test_student_edits_profile_with_skills_and_avatar(client, student, university):
    skill = SkillFactory(name="Blender Geometry Nodes", slug="blender-gn")
    client.force_login(student)
    response = client.post(
        reverse("accounts:profile_edit"),
        profile_data(skills=[skill.pk], institution=university.pk, avatar=image_file()),
    )
    assert response.status_code == 302, response.content
    student.profile.refresh_from_db()
    assert list(student.profile.skills.all()) == [skill]
    assert student.profile.avatar.name.startswith("avatars/")
    assert student.profile.discoverable is False

    avatar_url = student.profile.avatar.url
    assert client.get(avatar_url).status_code == 200
    client.logout()
    assert client.get(avatar_url).status_code == 302


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: image_file(size=(300, 300)), "limit is"),
        (lambda: io.BytesIO(b"GIF89a not really"), "not an image"),
        (lambda: image_file(fmt="JPEG", name="me.png"), "content is JPEG"),
    ],
)
def test_bad_avatars_are_refused_with_a_clear_message(client, student, settings, upload, message):
    settings.MAX_IMAGE_UPLOAD_BYTES = 20_000
    file = upload()
    if not getattr(file, "name", None):
        file.name = "avatar.gif"
    client.force_login(student)
    response = client.post(reverse("accounts:profile_edit"), profile_data(avatar=file))
    assert response.status_code == 400
    assert message in response.content.decode()
    student.profile.refresh_from_db()
    assert not student.profile.avatar
    assert student.profile.headline == ""


def test_unknown_skill_is_refused(client, student):
    client.force_login(student)
    response = client.post(reverse("accounts:profile_edit"), profile_data(skills=[999999]))
    assert response.status_code == 400
    assert "not a skill we know" in response.content.decode() or "not in the skills list" in (
        response.content.decode()
    )


def test_non_students_do_not_get_student_fields(client, studio_owner):
    client.force_login(studio_owner)
    response = client.get(reverse("accounts:profile_edit"))
    assert "discoverable" not in response.context["form"].fields


def test_student_profile_hidden_from_studios_unless_discoverable(
    client, student, studio_owner, lecturer
):
    url = reverse("accounts:profile", args=[student.profile.pk])
    client.force_login(studio_owner)
    assert client.get(url).status_code == 404
    client.force_login(lecturer)
    assert client.get(url).status_code == 200
    student.profile.discoverable = True
    student.profile.save()
    client.force_login(studio_owner)
    assert client.get(url).status_code == 200


def test_api_token_page(client, student):
    client.force_login(student)
    assert client.get(reverse("accounts:api_token")).status_code == 200
    client.post(reverse("accounts:api_token"), {"action": "create"})
    from rest_framework.authtoken.models import Token

    assert Token.objects.filter(user=student).exists()
    client.post(reverse("accounts:api_token"), {"action": "revoke"})
    assert not Token.objects.filter(user=student).exists()


def test_user_timezone_is_used(client, student):
    student.profile.timezone = "America/New_York"
    student.profile.save()
    client.force_login(student)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert response.context["TIME_ZONE"] == "America/New_York"


def test_remove_avatar(client, student):
    from django.core.files.base import ContentFile

    student.profile.avatar.save("me.png", ContentFile(image_file().getvalue()), save=True)
    client.force_login(student)
    assert client.get(reverse("accounts:avatar_clear")).status_code == 405
    assert client.post(reverse("accounts:avatar_clear")).status_code == 302
    student.profile.refresh_from_db()
    assert not student.profile.avatar


def test_home_page_for_visitors_and_members(client, student, studio):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Pixel Forge" in response.content.decode()
    client.force_login(student)
    assert client.get(reverse("home"))["Location"] == reverse("dashboard")
