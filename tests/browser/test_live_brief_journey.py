"""A live brief from posting to partnership, in a real browser, with one browser context per person:
the lecturer posts and publishes a live brief with its terms; a studio member finds it by searching
and proposes; the lecturer shortlists and accepts; the partnership shows on both dashboards."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from partnerships.organisations.models import Kind, MemberRole
from partnerships.projects.models import Opportunity, Partnership, Proposal
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTNERSHIP = "Northbridge University × Pixel Forge"


def people():
    university = OrganisationFactory(
        kind=Kind.INSTITUTION, name="Northbridge University", slug="northbridge"
    )
    studio = OrganisationFactory(kind=Kind.INDUSTRY, name="Pixel Forge", slug="pixel-forge")
    lecturer = UserFactory(
        email="lena@northbridge.ac.uk", role=Role.UNIVERSITY, display_name="Lena"
    )
    MembershipFactory(organisation=university, user=lecturer, role=MemberRole.OWNER)
    owner = UserFactory(email="oscar@pixelforge.example", role=Role.INDUSTRY, display_name="Oscar")
    MembershipFactory(organisation=studio, user=owner, role=MemberRole.OWNER)
    member = UserFactory(email="mia@pixelforge.example", role=Role.INDUSTRY, display_name="Mia")
    MembershipFactory(organisation=studio, user=member, role=MemberRole.MEMBER)
    return lecturer, member


def log_in(browser, live_server, email: str):
    context = browser.new_context()
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the "are you sure?" confirmations
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("^email", re.I)).fill(email)
    page.get_by_label(re.compile("^password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^log in$", re.I)).click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    return context, page


def test_live_brief_from_posting_to_partnership(live_server, browser):
    lecturer, member = people()
    deadline = timezone.localtime(timezone.now() + timedelta(days=21))

    # 1. The lecturer posts a live brief, states its terms and publishes it.
    lena_context, lena = log_in(browser, live_server, lecturer.email)
    lena.get_by_role("navigation", name="Main").get_by_role("link", name="Opportunities").click()
    lena.get_by_role("link", name="Post a call").click()
    lena.get_by_label("Kind of call").select_option(label="Live brief / student challenge")
    lena.get_by_label("Title", exact=True).fill("Rebrand the harbour museum")
    lena.get_by_label("Summary", exact=True).fill("Second-years rethink a museum identity.")
    lena.get_by_label(re.compile("^Description")).fill(
        "Students explore **cyanotype** printing for the new visual identity."
    )
    lena.get_by_label("Deadline for proposals").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    lena.get_by_label("Who owns the resulting IP").fill("Students keep their IP.")
    lena.get_by_label("How students are credited").fill("Named at the launch.")
    lena.get_by_label("Deliverables", exact=True).fill("Logo and three posters.")
    lena.get_by_label("Students are paid").check()
    lena.get_by_label("Payment", exact=True).fill("£300 for each finalist")
    lena.get_by_role("button", name="Save and publish").click()
    lena.wait_for_url(re.compile(r"/opportunities/\d+/$"))
    expect(lena.get_by_role("heading", level=1)).to_have_text("Rebrand the harbour museum")
    terms = lena.get_by_role("region", name="Terms for students")
    expect(terms).to_contain_text("Paid: £300 for each finalist")
    assert Opportunity.objects.get().status == "open"

    # 2. A studio member finds it by a word of its description and proposes.
    mia_context, mia = log_in(browser, live_server, member.email)
    mia.get_by_role("navigation", name="Main").get_by_role("link", name="Opportunities").click()
    mia.get_by_role("searchbox", name="Search").fill("cyanotype")
    mia.get_by_role("button", name="Show opportunities").click()
    mia.get_by_role("link", name="Rebrand the harbour museum").click()
    mia.get_by_role("link", name="Propose").click()
    mia.get_by_label("Who would work on it").fill("Mia and two illustrators.")
    mia.get_by_label("Your approach").fill("A week of workshops, then a studio sprint.")
    mia.get_by_label("Relevant experience").fill("Identities for three galleries.")
    mia.get_by_label("Availability").fill("From March, two days a week.")
    mia.get_by_role("button", name="Send proposal").click()
    mia.wait_for_url(re.compile(r"/proposals/\d+/$"))
    expect(mia.get_by_role("main")).to_contain_text("Northbridge University has not decided yet.")
    assert any(m.to == [lecturer.email] and "New proposal" in m.subject for m in mail.outbox)

    # 3. The lecturer shortlists, then accepts (confirming the dialog).
    lena.reload()
    lena.get_by_role("button", name="Shortlist Pixel Forge").click()
    expect(lena.get_by_text("Pixel Forge is shortlisted and has been emailed.")).to_be_visible()
    assert Proposal.objects.get().status == "shortlisted"
    lena.get_by_role("button", name="Accept Pixel Forge").click()
    expect(lena.get_by_text("You accepted the proposal from Pixel Forge.")).to_be_visible()
    assert Proposal.objects.get().status == "accepted"
    assert Partnership.objects.get().status == "active"

    # 4. The partnership shows on both dashboards.
    for page in (lena, mia):
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
        page.wait_for_url(re.compile(r"/dashboard/$"))
        expect(page.get_by_role("link", name=PARTNERSHIP)).to_be_visible()
    expect(mia.get_by_role("region", name="Your proposals")).to_contain_text("Accepted")
    mia.get_by_role("link", name=PARTNERSHIP).click()
    expect(mia.get_by_role("heading", level=1)).to_have_text(PARTNERSHIP)

    lena_context.close()
    mia_context.close()
