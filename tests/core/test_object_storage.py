"""Uploads in an S3-compatible bucket (``MEDIA_BUCKET``), against a real S3 API on loopback
(moto's server, spoken to over HTTP by boto3 as any provider would be): every upload lands in the
private bucket, is served only through Tandem's own permission-checked views, is deleted with its
owner, and comes back from `make backup` / `make restore`."""

import io
import json
import logging
import os
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.http import Http404
from django.test import Client
from django.urls import reverse

from accounts import erasure
from accounts.privacy import export_response
from partnerships.core.files import StorageUnavailable, open_stored
from partnerships.placements import services
from partnerships.placements.models import Application
from tests.accounts.test_profiles import image_file, profile_data
from tests.placements.conftest import MINIMAL_PDF, PlacementFactory, cv_file

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"access_key": "tandem-test", "secret_key": "tandem-test-secret"}
REGION = "eu-west-2"


@pytest.fixture(scope="session")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per S3 call otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


class Bucket:
    """The test's own bucket, read straight through boto3 (not through Tandem)."""

    def __init__(self, endpoint: str, name: str, prefix: str):
        self.name, self.prefix = name, prefix
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=KEYS["access_key"],
            aws_secret_access_key=KEYS["secret_key"],
        )
        self.client.create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}
        )

    def stored(self) -> set[str]:
        listed = self.client.list_objects_v2(Bucket=self.name).get("Contents", [])
        return {item["Key"].removeprefix(f"{self.prefix}/") for item in listed}

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=f"{self.prefix}/{key}")["Body"].read()


@pytest.fixture
def placement(studio, studio_owner):
    return PlacementFactory(organisation=studio, created_by=studio_owner, contact=studio_owner)


@pytest.fixture
def bucket(s3_endpoint, settings, tmp_path):
    """Uploads go to a new bucket, exactly as settings.py configures one from MEDIA_BUCKET; the
    disk's MEDIA_ROOT points at an empty folder, so nothing can be read from there by mistake."""
    created = Bucket(s3_endpoint, f"tandem-{uuid.uuid4().hex[:12]}", "media")
    settings.MEDIA_ROOT = tmp_path / "not-used"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "partnerships.core.storage.PrivateBucketStorage",
            "OPTIONS": {
                "bucket_name": created.name,
                "location": created.prefix,
                "endpoint_url": s3_endpoint,
                "region_name": REGION,
                "file_overwrite": False,
                **KEYS,
            },
        },
    }
    return created


def test_settings_put_uploads_in_the_bucket_named_by_the_environment():
    script = (
        "import json, django; django.setup(); from django.conf import settings;"
        " print(json.dumps(settings.STORAGES['default']))"
    )
    base = {**os.environ, "DJANGO_SETTINGS_MODULE": "partnerships.settings"}
    base.pop("MEDIA_BUCKET", None)

    def storages(**env) -> dict:
        run = subprocess.run(
            [sys.executable, "-c", script],
            env={**base, **env},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(run.stdout.strip().splitlines()[-1])

    assert storages()["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    configured = storages(
        MEDIA_BUCKET="tandem-uploads",
        MEDIA_PREFIX="media",
        MEDIA_ENDPOINT_URL="https://s3.example.ac.uk",
        MEDIA_REGION="eu-west-2",
    )
    assert configured["BACKEND"] == "partnerships.core.storage.PrivateBucketStorage"
    assert configured["OPTIONS"] == {
        "bucket_name": "tandem-uploads",
        "location": "media",
        "endpoint_url": "https://s3.example.ac.uk",
        "region_name": "eu-west-2",
        "access_key": None,  # boto3's own chain: AWS_* variables, a container role
        "secret_key": None,
        "file_overwrite": False,
    }


@pytest.mark.django_db
def test_an_avatar_is_stored_in_the_bucket_and_served_by_tandem(client, student, bucket):
    client.force_login(student)
    response = client.post(reverse("accounts:profile_edit"), profile_data(avatar=image_file()))
    assert response.status_code == 302, response.content
    student.profile.refresh_from_db()
    name = student.profile.avatar.name
    assert name.startswith("avatars/") and bucket.stored() == {name}
    # The link is Tandem's, never the bucket's: the bucket stays private.
    url = student.profile.avatar.url
    assert url == f"/media/{name}"
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == bucket.read(name)
    assert client.get("/media/avatars/nobody.png").status_code == 404  # not a 500
    client.logout()
    assert client.get(url).status_code == 302  # members only, as on disk


@pytest.mark.django_db
def test_a_cv_goes_to_the_bucket_and_only_the_studio_downloads_it(
    client, placement, student, other_owner, studio_owner, bucket
):
    application = services.application_save_draft(
        actor=student, placement=placement, cover_letter="I animate.", cv=cv_file()
    )
    services.application_submit(actor=student, application=application)
    name = Application.objects.get(pk=application.pk).cv.name
    assert name.startswith("private/cvs/") and bucket.read(name) == MINIMAL_PDF
    url = reverse("placements:cv", args=[application.pk])
    client.force_login(studio_owner)
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == MINIMAL_PDF
    client.force_login(other_owner)
    assert client.get(url).status_code in (403, 404)
    # Never through the public media view, whatever the path.
    assert client.get(f"/media/{name}").status_code == 404


@pytest.mark.django_db
def test_deleting_an_account_deletes_its_files_from_the_bucket(
    placement, student, bucket, django_capture_on_commit_callbacks
):
    student.profile.avatar.save("me.png", ContentFile(image_file().read()), save=True)
    services.application_save_draft(
        actor=student, placement=placement, cover_letter="I animate.", cv=cv_file()
    )
    assert len(bucket.stored()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        erasure.account_delete(actor=student, user=student, confirm_email=student.email)
    assert bucket.stored() == set()


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_bring_the_bucket_back(bucket, tmp_path):
    files = {"logos/pixel.png": b"\x89PNG logo bytes", "private/cvs/ada.pdf": MINIMAL_PDF}
    for name, content in files.items():
        assert default_storage.save(name, ContentFile(content)) == name
    call_command("backup", output=tmp_path / "backups")
    (backup,) = (tmp_path / "backups").iterdir()

    # Disaster: a file lost, another replaced, a stray one added.
    default_storage.delete("logos/pixel.png")
    bucket.client.put_object(
        Bucket=bucket.name, Key="media/private/cvs/ada.pdf", Body=b"overwritten"
    )
    default_storage.save("stray.txt", ContentFile(b"after the backup"))

    call_command("restore", str(backup), interactive=False)
    assert bucket.stored() == set(files)
    assert {name: bucket.read(name) for name in files} == files

    # Checking a backup without touching the bucket: its files go to a spare folder.
    default_storage.save("later.txt", ContentFile(b"new"))
    spare = tmp_path / "spare-media"
    call_command("restore", str(backup), media_root=spare, interactive=False)
    restored = {str(p.relative_to(spare)): p.read_bytes() for p in spare.rglob("*") if p.is_file()}
    assert restored == files
    assert "later.txt" in bucket.stored()


@pytest.mark.django_db
def test_a_bucket_that_cannot_be_read_is_a_clear_error_and_leaves_no_half_backup(
    bucket, settings, tmp_path
):
    options = {**settings.STORAGES["default"]["OPTIONS"], "bucket_name": "no-such-bucket"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": options},
    }
    with pytest.raises(CommandError, match=r"bucket could not be read.*NoSuchBucket"):
        call_command("backup", output=tmp_path / "backups")
    assert list((tmp_path / "backups").iterdir()) == []


def test_a_name_too_long_is_a_404_not_a_500(client):
    assert client.get("/media/logos/" + "a" * 300 + ".png").status_code == 404


@pytest.fixture
def unreachable_bucket(settings):
    from botocore.config import Config

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "partnerships.core.storage.PrivateBucketStorage",
            "OPTIONS": {
                "bucket_name": "tandem-uploads",
                "endpoint_url": "http://127.0.0.1:9",  # nothing listens there
                "region_name": REGION,
                "client_config": Config(connect_timeout=1, retries={"max_attempts": 1}),
                **KEYS,
            },
        },
    }


@pytest.mark.django_db
def test_an_unreachable_bucket_answers_503_and_says_so(client, student, unreachable_bucket):
    client.force_login(student)
    response = client.get("/media/avatars/me.png")
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "Try again in a minute" in response.content.decode()


@pytest.mark.django_db
def test_the_data_download_answers_503_when_the_bucket_is_unreachable(
    student, unreachable_bucket, settings
):
    from rest_framework.authtoken.models import Token

    student.profile.avatar.name = "avatars/me.png"  # stored before the bucket went away
    student.profile.save()
    token = Token.objects.create(user=student)
    api = Client(headers={"Authorization": f"Token {token.key}"})
    for _ in range(settings.PRIVACY_EXPORTS_PER_HOUR + 1):
        response = api.get(reverse("api-me-export"))
        # Each failure is answered 503 and given back: never 429 for downloads never made.
        assert response.status_code == 503 and response["Retry-After"] == "60"


@pytest.mark.django_db
def test_the_data_download_carries_the_files_from_the_bucket(placement, student, bucket):
    student.profile.avatar.save("me.png", ContentFile(b"\x89PNG avatar"), save=True)
    services.application_save_draft(
        actor=student, placement=placement, cover_letter="I animate.", cv=cv_file()
    )
    response = export_response(student)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    contents = {name: archive.read(name) for name in archive.namelist() if name != "data.json"}
    assert sorted(contents.values()) == sorted([b"\x89PNG avatar", MINIMAL_PDF])
    assert json.loads(archive.read("data.json"))["files_not_found"] == []


class BucketFile:
    """What a bucket's file does on its first read (when S3 actually sends it): fail."""

    def __init__(self, status: int, code: str):
        self.error = ClientError(
            {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "GetObject"
        )

    def seek(self, offset: int) -> None:
        raise self.error


@pytest.mark.parametrize(
    ("status", "code", "answer"),
    [
        (404, "NoSuchKey", Http404),  # deleted since it was listed
        (400, "KeyTooLongError", Http404),
        (403, "AccessDenied", StorageUnavailable),  # our credentials: the site's problem, 503
        (500, "InternalError", StorageUnavailable),
    ],
)
def test_a_bucket_failing_on_the_first_read_is_a_404_or_a_503(status, code, answer):
    with pytest.raises(answer):
        open_stored(lambda: BucketFile(status, code))


@pytest.mark.django_db
def test_links_below_media_root_are_never_followed(client, student, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "private" / "cvs").mkdir(parents=True)
    (tmp_path / "private" / "cvs" / "ada.png").write_bytes(b"a CV posing as a logo")
    (tmp_path / "logos").symlink_to(tmp_path / "private" / "cvs")  # a linked folder
    (tmp_path / "avatars").mkdir()
    (tmp_path / "avatars" / "loop.png").symlink_to(tmp_path / "avatars" / "loop.png")
    client.force_login(student)
    assert client.get("/media/logos/ada.png").status_code == 404
    assert client.get("/media/avatars/loop.png").status_code == 404
