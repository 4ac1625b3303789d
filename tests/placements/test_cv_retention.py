"""CVs are deleted ``CV_RETENTION_DAYS`` after their placement closed (Celery beat, nightly).

Pixel Forge has placements closed 200 days ago, filled 200 days ago, closed 10 days ago, still
open, and one left open 200 days past its deadline; each has an application with a CV.
"""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from partnerships.celery import app as celery_app
from partnerships.placements import tasks
from partnerships.placements.models import Application, PlacementStatus
from partnerships.placements.services import application_cvs_expire

from .conftest import ApplicationFactory, PlacementFactory, cv_file

pytestmark = pytest.mark.django_db


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def cvs(studio, student, university):
    def application_on(status, changed_days_ago, deadline_days_ago=None):
        placement = PlacementFactory(
            organisation=studio,
            status=status,
            status_changed_at=days_ago(changed_days_ago),
            deadline=days_ago(deadline_days_ago if deadline_days_ago is not None else -10),
        )
        return ApplicationFactory(
            placement=placement, student=student, institution=university, cv=cv_file()
        )

    return {
        "closed_long_ago": application_on(PlacementStatus.CLOSED, 200, 210),
        "filled_long_ago": application_on(PlacementStatus.FILLED, 200, 210),
        "closed_recently": application_on(PlacementStatus.CLOSED, 10, 12),
        "open": application_on(PlacementStatus.OPEN, 5),
        "open_past_deadline": application_on(PlacementStatus.OPEN, 300, 200),
    }


def on_disk(application: Application) -> bool:
    return bool(application.cv.name) and application.cv.storage.exists(application.cv.name)


EXPIRED = {"closed_long_ago", "filled_long_ago", "open_past_deadline"}


def test_only_cvs_of_placements_closed_long_ago_are_deleted(
    cvs, django_capture_on_commit_callbacks
):
    files = {name: app.cv.name for name, app in cvs.items()}
    with django_capture_on_commit_callbacks(execute=True):
        assert application_cvs_expire() == 3
    for name, application in cvs.items():
        application.refresh_from_db()
        storage = application.cv.storage
        if name in EXPIRED:
            assert application.cv.name == "" and application.cv_deleted_at is not None, name
            assert not storage.exists(files[name]), name
        else:
            assert on_disk(application) and application.cv_deleted_at is None, name
    # Nothing else about the application changes.
    kept = Application.objects.get(pk=cvs["closed_long_ago"].pk)
    assert kept.cover_letter and kept.student_id is not None


def test_running_twice_deletes_nothing_more(cvs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert application_cvs_expire() == 3
    first = dict(Application.objects.values_list("pk", "cv_deleted_at"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert application_cvs_expire() == 0
    assert callbacks == []
    assert dict(Application.objects.values_list("pk", "cv_deleted_at")) == first


def test_files_go_only_after_the_commit(cvs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        application_cvs_expire()
    # The rows are updated, but until the commit the files are still on disk.
    assert on_disk(Application(cv=cvs["closed_long_ago"].cv.name))
    for callback in callbacks:
        callback()
    assert not on_disk(Application(cv=cvs["closed_long_ago"].cv.name))


def test_the_period_comes_from_settings(cvs, settings, django_capture_on_commit_callbacks):
    settings.CV_RETENTION_DAYS = 5
    with django_capture_on_commit_callbacks(execute=True):
        assert application_cvs_expire() == 4  # closed ten days ago is now past it too


def test_small_batches_still_reach_every_row(cvs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert application_cvs_expire(batch=1) == 3


def test_the_download_explains_instead_of_failing(
    client, cvs, studio_owner, student, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.delete_expired_cvs()
    application = cvs["closed_long_ago"]
    for person in (studio_owner, student):
        client.force_login(person)
        gone = client.get(reverse("placements:cv", args=[application.pk]))
        assert gone.status_code == 410
        html = gone.content.decode()
        assert "deleted" in html and "retention policy" in html
        assert f"{settings.CV_RETENTION_DAYS} days" in html
        page = client.get(reverse("placements:application", args=[application.pk])).content
        assert "under our retention policy" in page.decode()
    token = Token.objects.create(user=studio_owner)
    api = Client(headers={"Authorization": f"Token {token.key}"})
    answer = api.get(f"/api/applications/{application.pk}/cv/")
    assert answer.status_code == 410
    assert answer.json()["code"] == "cv_deleted" and "retention" in answer.json()["detail"]
    # A CV still kept downloads as before.
    assert api.get(f"/api/applications/{cvs['open'].pk}/cv/").status_code == 200


def test_beat_runs_the_job_nightly():
    entry = settings.CELERY_BEAT_SCHEDULE["placements-delete-expired-cvs"]
    assert entry["task"] == "partnerships.placements.tasks.delete_expired_cvs"
    assert entry["task"] in celery_app.tasks
