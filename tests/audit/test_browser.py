"""A platform admin verifies an organisation, then reads that decision on the audit trail in a
real browser: no Content Security Policy violation, no serious accessibility problem."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Role
from partnerships.audit.models import AuditEntry
from partnerships.organisations.models import Kind, Status
from tests.accounts.test_two_factor import current_code
from tests.browser.axe import assert_accessible
from tests.browser.conftest import browser_type_launch_args, csp_violations  # noqa: F401
from tests.conftest import with_two_factor
from tests.factories import PASSWORD, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in_with_code(browser, live_server, user):
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("^email", re.I)).fill(user.email)
    page.get_by_label(re.compile("^password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^log in$", re.I)).click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    code = current_code(decrypt(authenticator.data["secret"]))
    page.get_by_label(re.compile("code", re.I)).fill(code)
    page.get_by_role("button", name=re.compile("sign in|log in|confirm", re.I)).click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    return context, page


def test_admin_reads_a_verification_on_the_audit_trail(live_server, browser):
    admin = with_two_factor(UserFactory(email="ada@tandem.example", role=Role.ADMIN, is_staff=True))
    OrganisationFactory(
        kind=Kind.INDUSTRY, name="Fable Collective", slug="fable", status=Status.PENDING
    )
    context, page = log_in_with_code(browser, live_server, admin)

    page.goto(f"{live_server.url}{reverse('organisations:verification_queue')}")
    page.get_by_role("button", name=re.compile("^Verify Fable Collective")).click()
    expect(page.get_by_text("Fable Collective is verified")).to_be_visible()
    entry = AuditEntry.objects.get(action="organisation.verification")

    page.goto(f"{live_server.url}{reverse('audit:list')}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    page.get_by_label("Change", exact=True).select_option("organisation.verification")
    page.get_by_role("button", name="Show entries").click()
    row = page.locator(f"#entry-{entry.pk}")
    expect(row).to_contain_text("Fable Collective")
    expect(row).to_contain_text("ada@tandem.example")
    expect(row.locator("del")).to_contain_text("Pending verification")
    expect(row.locator("ins").first).to_contain_text("Verified")
    expect(row).to_contain_text(entry.request_id)
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download these entries as CSV").click()
    assert download.value.suggested_filename.startswith("audit-")
    context.close()
