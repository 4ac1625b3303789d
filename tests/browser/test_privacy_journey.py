"""Sam downloads his data, then deletes his account, in a real browser (strict CSP watched)."""

import io
import json
import re
import zipfile

import pytest
from playwright.sync_api import expect

from accounts.models import Role, User
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_download_my_data_then_delete_my_account(live_server, page):
    sam = UserFactory(email="sam@student.example", role=Role.STUDENT, display_name="Sam")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("^email", re.I)).fill(sam.email)
    page.get_by_label(re.compile("^password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^log in$", re.I)).click()
    page.wait_for_url(re.compile(r"/dashboard/"))

    page.goto(f"{live_server.url}/privacy/")
    expect(page.get_by_role("heading", name=re.compile("How long we keep it"))).to_be_visible()
    page.goto(f"{live_server.url}/settings/your-data/")
    page.get_by_role("button", name="Download my data").click()
    # allauth asks for the password again, then sends the file.
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    page.get_by_label(re.compile("password", re.I)).fill(PASSWORD)
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("confirm", re.I)).click()
    with open(download.value.path(), "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    assert json.loads(archive.read("data.json"))["account"]["email"] == sam.email

    page.goto(f"{live_server.url}/settings/delete-account/")
    page.get_by_label("Type your email address to confirm").fill(sam.email)
    page.get_by_role("button", name="Delete my account for good").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_text("Your account has been deleted")).to_be_visible()
    assert not User.objects.filter(email=sam.email).exists()
