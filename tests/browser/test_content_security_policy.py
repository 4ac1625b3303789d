"""The strict Content Security Policy holds on real pages: nothing is refused on the two-factor
set-up (QR code), the Django admin or the API docs, and the guard that fails browser tests on a
violation does see one."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from tests.accounts.test_two_factor import current_code
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_guard_sees_an_inline_event_handler(live_server, page, csp_violations):
    response = page.goto(f"{live_server.url}/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    page.evaluate(
        """document.body.insertAdjacentHTML('beforeend',
            '<img src="/static/img/favicon.svg" onload="window.injected = 1">')"""
    )
    page.wait_for_timeout(500)
    assert page.evaluate("window.injected") is None  # refused …
    assert csp_violations, "the browser reported no violation"  # … and reported
    csp_violations.clear()


def test_admin_sets_up_two_factor_then_uses_admin_and_api_docs(live_server, browser):
    UserFactory(email="grace@tandem.example", role=Role.ADMIN, is_staff=True, is_superuser=True)
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("^email", re.I)).fill("grace@tandem.example")
    page.get_by_label(re.compile("^password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^log in$", re.I)).click()
    # Sent to set up two-factor authentication; allauth asks for the password again first.
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    page.get_by_label(re.compile("password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("confirm", re.I)).click()
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    qr = page.locator("img[src^='data:image/svg+xml']")
    expect(qr).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth", qr.element_handle()) > 0
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label(re.compile("authenticator code", re.I)).fill(current_code(secret))
    page.get_by_role("button", name=re.compile("activate", re.I)).click()
    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/"))

    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name=re.compile("administration", re.I))).to_be_visible()
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_be_visible(timeout=10_000)
    context.close()
