"""A newcomer signs up, confirms their email, and lands on their dashboard — in a real browser."""

import re

import pytest
from django.core import mail

from partnerships.organisations.models import Organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signup_to_dashboard_then_create_an_organisation(live_server, page):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name=re.compile("sign up", re.I)).first.click()

    page.get_by_label(re.compile("your name", re.I)).fill("Noor Haddad")
    page.get_by_label(re.compile("^email", re.I)).fill("noor@lumen.example")
    page.get_by_label(re.compile("industry member", re.I)).check()
    page.get_by_label(re.compile("^password$", re.I)).fill("a-long-unusual-passphrase-42")
    page.get_by_label(re.compile("password \\(again\\)", re.I)).fill("a-long-unusual-passphrase-42")
    page.get_by_role("button", name=re.compile("sign up", re.I)).click()

    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    path = link.split("/accounts/", 1)[1]
    page.goto(f"{live_server.url}/accounts/{path}")
    page.get_by_role("button", name=re.compile("confirm", re.I)).click()

    page.wait_for_url(re.compile(r"/dashboard/$"))
    assert page.get_by_role("heading", level=1).is_visible()
    assert "Noor Haddad" in page.content()

    page.get_by_role("link", name=re.compile("create an organisation", re.I)).first.click()
    page.get_by_label(re.compile("^name", re.I)).fill("Lumen Works")
    page.get_by_label(re.compile("^type", re.I)).select_option("studio")
    page.get_by_role("button", name=re.compile("create", re.I)).click()
    page.wait_for_url(re.compile(r"/organisations/lumen-works/$"))
    assert "pending" in page.content().lower()
    assert Organisation.objects.get(slug="lumen-works").status == "pending"


def test_pages_fit_a_phone_screen(live_server, page):
    page.set_viewport_size({"width": 375, "height": 740})
    for path in ("/", "/accounts/login/", "/accounts/signup/", "/organisations/"):
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        assert not overflow, f"{path} scrolls sideways on a phone"
