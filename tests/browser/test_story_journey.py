"""A completed live brief becomes a published success story, in a real browser, with one browser
context per person.

The live brief is posted, answered, accepted and started through services; the studio owner then
marks it completed on the call's page. The completion prompt comes from the real pipeline (the
domain event is dispatched after commit, Celery in eager mode here): both sides are asked for a
testimonial. The lecturer and the studio owner answer with words, figures and consent; the
curator (a platform admin with two-factor authentication, logging in through the form with the
authenticator code) accepts the nomination, writes the story and sends it for review; both sides
approve; the curator publishes. Anyone can then read it on the showcase (no horizontal scroll at
375 px), on its page (with its social-card meta tags) and in the Atom feed; the lecturer's impact
dashboard counts the completed call, with a chart and its data table.

Story figures (students involved, funding attracted …) are not impact metrics: the dashboard's
figures that this flow changes are those of the opportunity (``impact/metrics.py``).
"""

import re
import xml.etree.ElementTree as ET

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.db import transaction
from playwright.sync_api import expect

from accounts.models import Role
from partnerships.core.models import Sector
from partnerships.impact import metrics
from partnerships.organisations.models import Kind, MemberRole
from partnerships.projects import services as projects
from partnerships.projects.models import OpportunityStatus
from partnerships.stories.models import Story, StoryStatus, TestimonialRequest
from tests.accounts.test_two_factor import current_code
from tests.conftest import with_two_factor
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory
from tests.projects.conftest import LIVE_BRIEF, PROPOSAL, future

from .test_live_brief_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALL = LIVE_BRIEF["title"]  # "Rebrand a city museum for young audiences"
STORY = "Students rebrand a city museum"
SUMMARY = "Forty students and Pixel Forge gave a city museum a new identity."
LENA_QUOTE = "Our students worked to a real brief and saw their posters on the street."
OSCAR_QUOTE = "The students' ideas changed how we pitch to museums."
ATOM = "{http://www.w3.org/2005/Atom}"


def people():
    university = OrganisationFactory(
        kind=Kind.INSTITUTION, name="Northbridge University", slug="northbridge"
    )
    studio = OrganisationFactory(kind=Kind.INDUSTRY, name="Pixel Forge", slug="pixel-forge")
    lecturer = UserFactory(
        email="lena@northbridge.ac.uk", role=Role.UNIVERSITY, display_name="Lena"
    )
    MembershipFactory(organisation=university, user=lecturer, role=MemberRole.MEMBER)
    owner = UserFactory(email="oscar@pixelforge.example", role=Role.INDUSTRY, display_name="Oscar")
    MembershipFactory(organisation=studio, user=owner, role=MemberRole.OWNER)
    curator = with_two_factor(
        UserFactory(email="ada@tandem.example", role=Role.ADMIN, is_staff=True, display_name="Ada")
    )
    return university, studio, lecturer, owner, curator


def started_live_brief(studio, university, owner, lecturer):
    """Pixel Forge's live brief, answered by Northbridge, accepted and started (not completed)."""
    games = Sector.objects.get(slug="it-software-games")
    call = projects.opportunity_create(
        actor=owner, organisation=studio, sectors=[games], **{**LIVE_BRIEF, "deadline": future()}
    )
    call = projects.opportunity_publish(actor=owner, opportunity=call)
    # proposal_submit is not atomic itself (the proposal page wraps it in a transaction), and
    # its select_for_update needs one: the test database is in autocommit here.
    with transaction.atomic():
        proposal = projects.proposal_submit(
            actor=lecturer, opportunity=call, organisation=university, **PROPOSAL
        )
    projects.proposal_accept(actor=owner, proposal=proposal)
    call.refresh_from_db()
    return projects.opportunity_start(actor=owner, opportunity=call)


def totp_secret(user) -> str:
    """The authenticator app's secret, as allauth stores it (encrypted) for this user."""
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return decrypt(authenticator.data["secret"])


def log_in_with_code(browser, live_server, user):
    """Email and password, then the authenticator code allauth asks a two-factor user for."""
    context = browser.new_context()
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("^email", re.I)).fill(user.email)
    page.get_by_label(re.compile("^password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^log in$", re.I)).click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label(re.compile("code", re.I)).fill(current_code(totp_secret(user)))
    page.get_by_role("button", name=re.compile("sign in|log in|confirm", re.I)).click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    return context, page


def figure(scope, key: str):
    return next(f.value for f in metrics.all_figures(scope) if f.key == key)


def test_completed_live_brief_becomes_a_published_story(live_server, browser):
    university, studio, lecturer, owner, curator = people()
    call = started_live_brief(studio, university, owner, lecturer)
    northbridge = metrics.Scope(organisation=university)
    assert figure(northbridge, "research.opportunities.status.completed") == 0
    assert figure(northbridge, "research.opportunities.status.in_progress") == 1

    # 1. The studio owner marks the call completed on its page: the completion prompt follows.
    oscar_context, oscar = log_in(browser, live_server, owner.email)
    oscar.goto(f"{live_server.url}/opportunities/{call.pk}/")
    expect(oscar.get_by_role("heading", level=1)).to_have_text(CALL)
    oscar.get_by_role("button", name="Mark as completed").click()
    expect(oscar.get_by_text("The work is marked as completed. Well done.")).to_be_visible()
    story = Story.objects.get(opportunity=call)
    assert story.status == StoryStatus.NOMINATED
    assert set(story.organisations.all()) == {university, studio}
    assert TestimonialRequest.objects.filter(story=story).count() == 2

    # 2. The lecturer is asked (bell and dashboard), answers with figures and consent.
    lena_context, lena = log_in(browser, live_server, lecturer.email)
    panel = lena.get_by_role("region", name="Success stories")
    expect(panel.get_by_role("heading", name="Tell us how it went")).to_be_visible()
    expect(panel.get_by_role("link", name=CALL)).to_be_visible()
    bell = lena.get_by_role("link", name=re.compile("^Notifications,"))
    expect(bell).to_have_accessible_name(re.compile(r"^Notifications, \d+ unread$"))
    bell.click()
    prompt = lena.get_by_role("link", name=f"How did “{CALL}” go? Tell us in two minutes")
    prompt.click()
    lena.wait_for_url(re.compile(r"/stories/testimonials/\w+/$"))
    expect(lena.get_by_role("heading", level=1)).to_have_text(f"How did “{CALL}” go?")
    lena.get_by_label("Your testimonial").fill(LENA_QUOTE)
    lena.get_by_label("Your role").fill("Senior lecturer in graphic design")
    lena.get_by_label("Students involved").fill("12")
    lena.get_by_label("Funding attracted").fill("5000")
    lena.get_by_label(re.compile("^I agree that Tandem may publish my words")).check()
    lena.get_by_role("button", name="Send my answer").click()
    expect(lena.get_by_text("Thank you! Your answer is with the curators.")).to_be_visible()
    sent = lena.get_by_role("region", name="What was sent")
    expect(sent).to_contain_text(LENA_QUOTE)
    expect(sent).to_contain_text("Students involved: 12")
    expect(sent).to_contain_text(re.compile(r"Funding attracted: £5000(\.00)?"))

    # … and so does the studio owner, from the list of testimonial requests.
    oscar.goto(f"{live_server.url}/stories/testimonials/")
    expect(oscar.get_by_role("heading", level=1)).to_have_text("Testimonial requests")
    oscar.get_by_role("link", name=f"Answer — {CALL}").click()
    oscar.get_by_label("Your testimonial").fill(OSCAR_QUOTE)
    oscar.get_by_label("Your role").fill("Creative director")
    oscar.get_by_label("Audience reached").fill("3000")
    # By keyboard this time: Space ticks the consent, Enter on the button sends.
    consent = oscar.get_by_label(re.compile("^I agree that Tandem may publish my words"))
    consent.focus()
    oscar.keyboard.press("Space")
    expect(consent).to_be_checked()
    oscar.get_by_role("button", name="Send my answer").press("Enter")
    expect(oscar.get_by_text("Thank you! Your answer is with the curators.")).to_be_visible()

    # 3. The curator accepts the nomination, writes the story and sends it for review.
    ada_context, ada = log_in_with_code(browser, live_server, curator)
    ada.get_by_role("navigation", name="Main").get_by_role("link", name="Story curation").click()
    expect(ada.get_by_role("heading", level=1)).to_have_text("Success stories: curation")
    queue = ada.get_by_role("table", name=re.compile("longest unchanged first"))
    row = queue.get_by_role("row", name=re.compile(re.escape(CALL)))
    expect(row).to_contain_text("2 testimonials")
    row.get_by_role("link", name=CALL).click()
    ada.get_by_role("button", name="Accept the nomination").click()
    expect(ada.get_by_text("Nomination accepted: the story is a draft now.")).to_be_visible()
    testimonials = ada.get_by_role("region", name="Testimonial requests")
    expect(testimonials).to_contain_text("Northbridge University: Answered")
    expect(testimonials).to_contain_text("Pixel Forge: Answered")
    workflow = ada.get_by_role("complementary", name="Workflow")
    expect(workflow).to_contain_text("The summary is missing.")
    ada.get_by_label("Title", exact=True).fill(STORY)
    ada.get_by_label(re.compile(r"^Summary\b")).fill(SUMMARY)
    ada.get_by_label(re.compile(r"^Story\b")).fill(
        "Second-year students took on **a real client**: a city museum.\n\n"
        "Pixel Forge mentored them for six weeks."
    )
    ada.get_by_role("button", name="Save the text").click()
    expect(ada.get_by_text("Changes saved.")).to_be_visible()
    expect(ada.get_by_role("heading", level=1)).to_have_text(STORY)
    ada.get_by_role("button", name="Send to the organisations for approval").click()
    expect(ada.get_by_text("Sent for review: the organisations are asked")).to_be_visible()
    expect(workflow).to_contain_text("Northbridge University has not approved the text.")
    expect(workflow).to_contain_text("Pixel Forge has not approved the text.")
    expect(workflow.get_by_role("button", name="Publish")).to_have_count(0)

    # 4. Both sides approve the text, each on the review page reached from their dashboard.
    for page, org in ((lena, "Northbridge University"), (oscar, "Pixel Forge")):
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
        page.get_by_role("region", name="Success stories").get_by_role("link", name=STORY).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(STORY)
        expect(page.get_by_role("article")).to_contain_text(SUMMARY)
        page.get_by_role("button", name=f"Approve for {org}").click()
        expect(page.get_by_text(f"Approved for {org}. Thank you.")).to_be_visible()

    # 5. The curator sees nothing left in the way, and publishes.
    ada.reload()
    expect(workflow).to_contain_text("it is ready to publish")
    expect(workflow).not_to_contain_text("has not approved")
    workflow.get_by_role("button", name="Publish").click()
    expect(ada.get_by_text("Published: the story is live.")).to_be_visible()
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED

    # 6. Anyone, on a phone: the showcase, the story's page, the feed.
    public = browser.new_context(viewport={"width": 375, "height": 812})
    visitor = public.new_page()
    visitor.goto(f"{live_server.url}/stories/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Success stories")
    card = visitor.get_by_role("article").filter(
        has=visitor.get_by_role("heading", level=3, name=STORY)
    )
    expect(card).to_contain_text(SUMMARY)
    outcomes = card.get_by_role("list", name="Outcomes")
    expect(outcomes).to_contain_text("12 students involved")
    expect(outcomes).to_contain_text("£5,000 funding attracted")
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 375
    card.get_by_role("link", name=STORY).click()
    visitor.wait_for_url(re.compile(rf"/stories/{story.slug}/$"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text(STORY)
    quotes = visitor.get_by_role("region", name="In their words")
    expect(quotes).to_contain_text(LENA_QUOTE)
    expect(quotes).to_contain_text(OSCAR_QUOTE)
    expect(quotes).to_contain_text("Lena, Senior lecturer in graphic design, Northbridge")
    details = visitor.get_by_role("complementary", name="Outcomes and details")
    expect(details).to_contain_text("Students involved")
    expect(details).to_contain_text("£5,000")
    expect(visitor.locator('meta[property="og:title"]')).to_have_attribute("content", STORY)
    expect(visitor.locator('meta[property="og:description"]')).to_have_attribute("content", SUMMARY)
    expect(visitor.locator('meta[name="twitter:card"]')).to_have_attribute("content", "summary")
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 375

    feed = public.request.get(f"{live_server.url}/stories/feed.atom")
    assert feed.ok and "atom" in feed.headers["content-type"]
    entries = ET.fromstring(feed.body()).findall(f"{ATOM}entry")  # noqa: S314 - our own feed
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [STORY]
    assert entries[0].findtext(f"{ATOM}summary") == SUMMARY

    # 7. The lecturer's impact dashboard counts the completed call, in a figure and a chart.
    lena.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    lena.get_by_role("link", name="See your impact figures").click()
    lena.wait_for_url(re.compile(r"/impact/organisations/northbridge/$"))
    expect(lena.get_by_role("heading", level=1)).to_have_text("Impact: Northbridge University")
    research = lena.get_by_role("region", name="Research and innovation", exact=True)
    figures = research.get_by_role("table", name="Figures: Research and innovation")
    completed = figures.get_by_role("row", name=re.compile("^Opportunities now completed "))
    expect(completed.get_by_role("cell").first).to_have_text("1")
    started = figures.get_by_role("row", name=re.compile("^Opportunities now in progress "))
    expect(started.get_by_role("cell").first).to_have_text("0")
    expect(
        research.get_by_role("img", name=re.compile("^Opportunities by current status"))
    ).to_be_visible()
    research.get_by_text("Data table: Opportunities by current status").press("Enter")
    data = research.get_by_role("table", name="The same calls, by where they stand today.")
    expect(data).to_be_visible()
    expect(data.get_by_role("row", name="completed 1")).to_be_visible()
    expect(data.get_by_role("row", name="Total 1")).to_be_visible()

    call.refresh_from_db()
    assert call.status == OpportunityStatus.COMPLETED
    for context in (oscar_context, lena_context, ada_context, public):
        context.close()
