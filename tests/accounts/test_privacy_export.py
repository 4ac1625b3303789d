"""Downloading everything Tandem holds about you: the page, the API, what is in the ZIP.

Sam (a Northbridge student) applied to Pixel Forge's internship, as did Uma; Oscar's studio
keeps a note about each. Sam's archive holds Sam's data and files, and nothing about Uma.
"""

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image
from rest_framework.authtoken.models import Token

from accounts import privacy
from accounts.models import Role
from events.models import RegistrationStatus
from partnerships.activity.services import record_event
from partnerships.notifications.models import Notification, NotificationPreference, SavedSearch
from partnerships.organisations.models import Kind
from partnerships.placements.models import (
    ApplicationAnswer,
    ApplicationNote,
    ApplicationTransition,
    PlacementQuestion,
    StudentEvaluation,
)
from tests.events.conftest import EventFactory, RegistrationFactory
from tests.factories import PASSWORD, OrganisationFactory, SkillFactory, UserFactory
from tests.placements.conftest import MINIMAL_PDF, ApplicationFactory, PlacementFactory, cv_file

pytestmark = pytest.mark.django_db

EXPORT = reverse("accounts:privacy_export")
API_EXPORT = "/api/me/export/"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def reauthenticate(client) -> None:
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content


def open_zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="tandem-data-')
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def data_of(archive: zipfile.ZipFile) -> dict:
    return json.loads(archive.read("data.json"))


@pytest.fixture
def placement(studio, studio_owner):
    return PlacementFactory(organisation=studio, created_by=studio_owner, title="Junior 3D artist")


@pytest.fixture
def other_university(db):
    return OrganisationFactory(kind=Kind.INSTITUTION, name="Southgate College", slug="southgate")


@pytest.fixture
def other_student(other_university):
    user = UserFactory(email="uma@southgate.ac.uk", role=Role.STUDENT, display_name="Uma")
    user.profile.institution = other_university
    user.profile.save()
    return user


@pytest.fixture
def sams_world(placement, student, other_student, university, other_university, studio_owner):
    """Sam and Uma applied to the same placement; the studio noted something about each."""
    question = PlacementQuestion.objects.create(placement=placement, text="Why us?")
    sam = ApplicationFactory(
        placement=placement,
        student=student,
        institution=university,
        cover_letter="Sam's cover letter",
        cv=cv_file(),
    )
    uma = ApplicationFactory(
        placement=placement,
        student=other_student,
        institution=other_university,
        cover_letter="Uma's secret cover letter",
    )
    ApplicationAnswer.objects.create(application=sam, question=question, text="Sam's answer")
    ApplicationAnswer.objects.create(application=uma, question=question, text="Uma's answer")
    ApplicationTransition.objects.create(
        application=sam, from_status="draft", to_status="submitted", actor=student
    )
    ApplicationNote.objects.create(application=sam, author=studio_owner, text="Strong portfolio")
    ApplicationNote.objects.create(application=uma, author=studio_owner, text="Uma note private")
    StudentEvaluation.objects.create(
        application=sam, overall=5, learning=4, support=5, comments="Great team"
    )
    student.profile.bio = "I animate things."
    student.profile.save()
    student.profile.skills.add(SkillFactory(name="Rigging", slug="rigging"))
    student.profile.avatar.save("me.png", ContentFile(png_bytes()))
    RegistrationFactory(event=EventFactory(title="Portfolio night"), user=student)
    RegistrationFactory(event=EventFactory(title="Uma's event"), user=other_student)
    Notification.objects.create(
        recipient=student,
        type="application",
        target_type="placements.application",
        target_id=sam.pk,
        title="You are shortlisted",
        url="/",
        frequency="instant",
    )
    NotificationPreference.objects.create(user=student, type="event_match", frequency="off")
    SavedSearch.objects.create(
        user=student, scope="placements", label="3D in Leeds", q="3d", frequency="daily"
    )
    record_event("application.submitted", target=sam, actor=student)
    record_event("application.submitted", target=uma, actor=other_student)
    return {"sam": sam, "uma": uma}


def test_page_in_account_settings_offers_the_download(client, student):
    client.force_login(student)
    page = client.get(reverse("accounts:privacy_data"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'action="{EXPORT}"' in html and "Download my data" in html
    assert reverse("accounts:account_delete") in html
    # The settings menu has the entry, marked as the current page.
    assert f'href="{reverse("accounts:privacy_data")}" aria-current="page"' in html


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(reverse("accounts:privacy_data")).status_code == 302
    response = client.post(EXPORT)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_download_asks_for_the_password_first_then_resumes(client, student, sams_world):
    client.force_login(student)
    ask = client.post(EXPORT)
    assert ask.status_code == 302
    assert ask["Location"].startswith(reverse("account_reauthenticate"))
    # Confirming the password replays the download.
    done = client.post(ask["Location"], {"password": PASSWORD})
    archive = open_zip(done)
    assert data_of(archive)["account"]["email"] == student.email


def test_the_archive_holds_exactly_sams_data_and_files(client, student, sams_world):
    client.force_login(student)
    reauthenticate(client)
    archive = open_zip(client.post(EXPORT))
    data = data_of(archive)
    raw = archive.read("data.json").decode()

    assert data["account"]["email"] == student.email
    assert data["profile"]["bio"] == "I animate things." and data["profile"]["skills"] == [
        "Rigging"
    ]
    [application] = data["applications"]
    assert application["id"] == sams_world["sam"].pk
    assert application["cover_letter"] == "Sam's cover letter"
    assert [a["text"] for a in application["answers"]] == ["Sam's answer"]
    assert [s["to_status"] for s in application["stages"]] == ["submitted"]
    assert application["stages"][0]["by"] == "you"
    # The studio's note about Sam is personal data about Sam (without its author).
    assert application["organisation_notes_about_you"][0]["text"] == "Strong portfolio"
    assert "author" not in application["organisation_notes_about_you"][0]
    assert application["your_evaluation"]["comments"] == "Great team"
    assert [r["event"] for r in data["event_registrations"]] == ["Portfolio night"]
    assert [n["title"] for n in data["notifications"]] == ["You are shortlisted"]
    assert data["notification_preferences"][0]["frequency"] == "off"
    assert data["saved_searches"][0]["label"] == "3D in Leeds"
    assert [e["target_id"] for e in data["your_activity"]] == [sams_world["sam"].pk]
    assert data["signed_in_devices"] is not None and data["email_addresses"][0]["verified"]

    # Nothing about Uma, her application or the studio's note about her.
    for secret in ("Uma's secret cover letter", "Uma's answer", "Uma note private", "Uma's event"):
        assert secret not in raw
    # No secrets either.
    assert "password" not in raw and "pbkdf2" not in raw and "md5$" not in raw

    # The files: the CV as uploaded and the avatar, where data.json says they are.
    assert archive.read(application["cv_file"]) == MINIMAL_PDF
    assert archive.read(data["profile"]["avatar_file"]) == png_bytes()
    assert sorted(archive.namelist()) == sorted(
        ["data.json", application["cv_file"], data["profile"]["avatar_file"]]
    )


def test_a_missing_file_is_reported_not_fatal(student, sams_world, tmp_path):
    sams_world["sam"].cv.storage.delete(sams_world["sam"].cv.name)
    with (tmp_path / "export.zip").open("w+b") as target:
        privacy.write_export(student, target)
        target.seek(0)
        data = json.loads(zipfile.ZipFile(target).read("data.json"))
    assert data["files_not_found"] == [data["applications"][0]["cv_file"]]


def test_downloads_are_limited_per_hour(client, student, settings):
    settings.PRIVACY_EXPORTS_PER_HOUR = 2
    client.force_login(student)
    reauthenticate(client)
    assert client.post(EXPORT).status_code == 200
    assert client.post(EXPORT).status_code == 200
    refused = client.post(EXPORT)
    assert refused.status_code == 429
    assert "2 times in the last hour" in refused.content.decode()
    # The API shares the same allowance.
    token = Token.objects.create(user=student)
    api = Client(headers={"Authorization": f"Token {token.key}"})
    blocked = api.get(API_EXPORT)
    assert blocked.status_code == 429 and blocked.json()["code"] == "export_rate_limited"


def test_api_export_with_a_token(student, sams_world):
    token = Token.objects.create(user=student)
    api = Client(headers={"Authorization": f"Token {token.key}"})
    archive = open_zip(api.get(API_EXPORT))
    data = data_of(archive)
    assert [a["id"] for a in data["applications"]] == [sams_world["sam"].pk]
    # The token's key is never part of the export, only that one exists.
    assert token.key not in archive.read("data.json").decode()
    assert data["api_token"] and set(data["api_token"][0]) == {"created_at"}


def test_api_export_in_a_browser_session_needs_a_fresh_password(client, student):
    assert client.get(API_EXPORT).status_code in (401, 403)  # signed out
    client.force_login(student)
    refused = client.get(API_EXPORT)
    assert refused.status_code == 403
    assert refused.json()["code"] == "reauthentication_required"
    reauthenticate(client)
    assert open_zip(client.get(API_EXPORT)).namelist() == ["data.json"]


def test_api_export_refuses_other_methods(student):
    token = Token.objects.create(user=student)
    api = Client(headers={"Authorization": f"Token {token.key}"})
    assert api.post(API_EXPORT).status_code == 405


def _populate(student, count: int) -> None:
    for number in range(count):
        application = ApplicationFactory(
            placement=PlacementFactory(), student=student, cv=cv_file(f"cv{number}.pdf")
        )
        question = PlacementQuestion.objects.create(placement=application.placement, text="Q")
        ApplicationAnswer.objects.create(application=application, question=question, text="A")
        ApplicationNote.objects.create(application=application, text="note")
        ApplicationTransition.objects.create(application=application, to_status="submitted")
        StudentEvaluation.objects.create(application=application, overall=4, learning=4, support=4)
        RegistrationFactory(user=student, status=RegistrationStatus.WAITLISTED)
        Notification.objects.create(
            recipient=student,
            type="application",
            target_type="placements.application",
            target_id=application.pk,
            title=f"Update {number}",
            url="/",
            frequency="instant",
        )
        SavedSearch.objects.create(
            user=student, scope="placements", label=f"Search {number}", q=f"q{number}",
            frequency="daily",
        )  # fmt: skip
        record_event("application.submitted", target=application, actor=student)


def _count_queries(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        data = privacy.personal_data(user)
    assert data["account"]["id"] == user.pk
    return len(queries)


def test_collecting_the_data_takes_the_same_queries_for_one_row_or_many(
    student, other_student, django_assert_max_num_queries
):
    _populate(student, 1)
    _populate(other_student, 6)
    with django_assert_max_num_queries(40):
        small = privacy.personal_data(student)
    with django_assert_max_num_queries(40):
        large = privacy.personal_data(other_student)
    assert len(small["applications"]) == 1 and len(large["applications"]) == 6
    assert len(large["event_registrations"]) == 6 and len(large["notifications"]) == 6
    assert _count_queries(student) == _count_queries(other_student)
