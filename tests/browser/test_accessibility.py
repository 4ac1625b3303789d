"""axe-core on every main page of every role, with realistic data present: no serious or critical
WCAG 2.x A/AA violation (``tests/browser/axe.py``).

One test per role — an anonymous visitor, a student, university staff (the institution's owner,
also its placement officer), a studio owner and a platform admin with two-factor authentication —
each with one browser context visiting its pages in sequence. A failing page does not stop the
tour: every page is checked and the test fails once, listing every page's violations. A few pages
are checked again at phone width (375 px).

People sign in through the log-in form; the platform admin, who has two-factor authentication,
gets a session made by Django's test client instead (no authenticator code to time), and the
code step of the log-in is checked in the anonymous visitor's tour. Pages that work in progress
elsewhere adds (the privacy pages, the audit trail) are checked once they exist.

Left out on purpose: the Django admin (``/admin/``: Django's own markup, staff only) and the API
documentation (``/api/docs/``: Swagger UI's markup, rendered by a third-party script); CSV, iCal,
Atom and file downloads are not HTML pages.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from events.models import EventKind, RegistrationStatus
from partnerships.core.models import Sector
from partnerships.organisations.models import Kind, MemberRole, Status
from partnerships.placements import services as placements
from partnerships.placements.models import ApprovalChecklistItem, PlacementOfficer
from partnerships.projects import services as projects
from partnerships.projects.models import OpportunityKind, Partnership
from partnerships.stories import services as stories
from partnerships.stories.models import Metric, Story, TestimonialRequest
from tests.conftest import with_two_factor
from tests.curriculum.conftest import ReviewerFactory, ReviewFactory
from tests.events.conftest import EventFactory, RegistrationFactory
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory
from tests.placements.conftest import ApplicationFactory, PlacementFactory, cv_file
from tests.projects.conftest import LIVE_BRIEF, PROPOSAL, future

from .axe import AXE_JS, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}


class World:
    """Everything the pages show, made through the services where they exist."""


def build_world() -> World:
    w = World()
    games = Sector.objects.get(slug="it-software-games")
    w.university = OrganisationFactory(
        kind=Kind.INSTITUTION,
        name="Northbridge University",
        slug="northbridge",
        description="A university with a strong games and design faculty.",
    )
    w.studio = OrganisationFactory(
        kind=Kind.INDUSTRY,
        name="Pixel Forge",
        slug="pixel-forge",
        description="An independent games studio.",
    )
    w.pending = OrganisationFactory(
        kind=Kind.INDUSTRY, name="Pending Studio", slug="pending-studio", status=Status.PENDING
    )
    for organisation in (w.university, w.studio, w.pending):
        organisation.sectors.add(games)

    w.lecturer = UserFactory(
        email="lena@northbridge.ac.uk", role=Role.UNIVERSITY, display_name="Lena"
    )
    MembershipFactory(organisation=w.university, user=w.lecturer, role=MemberRole.OWNER)
    PlacementOfficer.objects.create(
        institution=w.university, user=w.lecturer, appointed_by=w.lecturer
    )
    ApprovalChecklistItem.objects.create(
        institution=w.university, text="Placement agreement signed"
    )
    w.owner = UserFactory(
        email="oscar@pixelforge.example", role=Role.INDUSTRY, display_name="Oscar"
    )
    MembershipFactory(organisation=w.studio, user=w.owner, role=MemberRole.OWNER)
    w.member = UserFactory(email="mia@pixelforge.example", role=Role.INDUSTRY, display_name="Mia")
    MembershipFactory(organisation=w.studio, user=w.member, role=MemberRole.MEMBER)
    pete = UserFactory(email="pete@pending.example", role=Role.INDUSTRY, display_name="Pete")
    MembershipFactory(organisation=w.pending, user=pete, role=MemberRole.OWNER)
    w.student = UserFactory(
        email="sam@student.northbridge.ac.uk", role=Role.STUDENT, display_name="Sam"
    )
    w.other_student = UserFactory(
        email="tom@student.northbridge.ac.uk", role=Role.STUDENT, display_name="Tom"
    )
    for person in (w.student, w.other_student):
        person.profile.institution = w.university
        person.profile.save()
    w.admin = with_two_factor(
        UserFactory(email="ada@tandem.example", role=Role.ADMIN, is_staff=True, display_name="Ada")
    )

    # Calls: Pixel Forge's open live brief with Northbridge's proposal; Northbridge's open
    # research call nobody has answered yet; a live brief taken on together and completed.
    w.call = projects.opportunity_publish(
        actor=w.owner,
        opportunity=projects.opportunity_create(
            actor=w.owner,
            organisation=w.studio,
            sectors=[games],
            **{**LIVE_BRIEF, "deadline": future()},
        ),
    )
    with transaction.atomic():
        w.proposal = projects.proposal_submit(
            actor=w.lecturer, opportunity=w.call, organisation=w.university, **PROPOSAL
        )
    w.research_call = projects.opportunity_publish(
        actor=w.lecturer,
        opportunity=projects.opportunity_create(
            actor=w.lecturer,
            organisation=w.university,
            sectors=[games],
            **{
                **LIVE_BRIEF,
                "kind": OpportunityKind.RESEARCH,
                "title": "Procedural audio for open-world games",
                "summary": "A research collaboration on sound that adapts to play.",
                "deadline": future(40),
            },
        ),
    )
    done = projects.opportunity_publish(
        actor=w.owner,
        opportunity=projects.opportunity_create(
            actor=w.owner,
            organisation=w.studio,
            sectors=[games],
            **{**LIVE_BRIEF, "title": "Design a playable museum guide", "deadline": future()},
        ),
    )
    with transaction.atomic():
        accepted = projects.proposal_submit(
            actor=w.lecturer, opportunity=done, organisation=w.university, **PROPOSAL
        )
    projects.proposal_accept(actor=w.owner, proposal=accepted)
    done.refresh_from_db()
    done = projects.opportunity_start(actor=w.owner, opportunity=done)
    w.completed_call = projects.opportunity_complete(actor=w.owner, opportunity=done)
    w.partnership = Partnership.objects.get()

    # Stories: the partnership's, published with a quote and a figure; the completed call's,
    # accepted as a draft, still waiting for both sides' testimonials.
    story = stories.nominate(
        actor=w.lecturer, collaboration=w.partnership, title="Students ship a museum game"
    )
    story = stories.accept_nomination(actor=w.admin, story=story)
    story = stories.edit_story(
        actor=w.admin,
        story=story,
        summary="Forty students and Pixel Forge built a game for a city museum.",
        body="Second-year students took on **a real client**.\n\nPixel Forge mentored them.",
    )
    quote = stories.add_quote(
        actor=w.admin,
        story=story,
        text="Our students saw their work in a real museum.",
        person_name="Lena",
        person_role="Senior lecturer",
        user=w.lecturer,
        organisation=w.university,
    )
    stories.give_quote_consent(actor=w.lecturer, quote=quote)
    stories.add_figure(
        actor=w.admin,
        story=story,
        metric=Metric.STUDENTS_INVOLVED,
        value=40,
        organisation=w.university,
    )
    story = stories.send_for_review(actor=w.admin, story=story)
    stories.approve_text(actor=w.lecturer, story=story)
    stories.approve_text(actor=w.owner, story=story)
    w.story = stories.publish(actor=w.admin, story=story)
    w.draft_story = stories.accept_nomination(
        actor=w.admin, story=Story.objects.get(opportunity=w.completed_call)
    )
    w.testimonial_for_lena = TestimonialRequest.objects.get(organisation=w.university)
    w.testimonial_for_oscar = TestimonialRequest.objects.get(organisation=w.studio)

    # Placements: Sam applied (shortlisted) to the internship, Tom accepted an offer and waits
    # for the placement officer; the motion design placement has no application from Sam yet.
    w.placement = PlacementFactory(
        organisation=w.studio,
        created_by=w.owner,
        contact=w.owner,
        title="Junior 3D artist",
        start_date=timezone.localdate() + datetime.timedelta(days=60),
        end_date=timezone.localdate() + datetime.timedelta(days=150),
    )
    w.other_placement = PlacementFactory(
        organisation=w.studio,
        created_by=w.owner,
        contact=w.owner,
        title="Motion design placement",
        is_paid=True,
        pay_amount=Decimal("1800"),
    )
    w.application = ApplicationFactory(
        placement=w.placement, student=w.student, institution=w.university, cv=cv_file()
    )
    with transaction.atomic():
        placements.application_shortlist(actor=w.owner, application=w.application)
    offered = ApplicationFactory(
        placement=w.placement, student=w.other_student, institution=w.university, for_credit=True
    )
    with transaction.atomic():
        placements.application_shortlist(actor=w.owner, application=offered)
    with transaction.atomic():
        placements.application_offer(actor=w.owner, application=offered)
    with transaction.atomic():
        placements.application_accept(actor=w.other_student, application=offered)
    offered.refresh_from_db()
    w.approval = offered.approval

    # An event Pixel Forge hosts, with both students registered (one on the waiting list).
    w.event = EventFactory(
        organisation=w.studio,
        created_by=w.owner,
        kind=EventKind.GUEST_LECTURE,
        title="Real-time rendering in practice",
        starts_at=timezone.now() + datetime.timedelta(days=3),
        ends_at=timezone.now() + datetime.timedelta(days=3, hours=2),
        capacity=1,
    )
    RegistrationFactory(event=w.event, user=w.student)
    RegistrationFactory(event=w.event, user=w.other_student, status=RegistrationStatus.WAITLISTED)

    # A curriculum review Northbridge asked for, with Oscar volunteering.
    w.review = ReviewFactory(
        institution=w.university,
        requested_by=w.lecturer,
        title="Review of BA Games Art",
        course_name="BA Games Art",
    )
    ReviewerFactory(review=w.review, user=w.owner, organisation=w.studio)
    return w


class Tour:
    """Visits pages in one browser context, checking each with axe; collects the failures."""

    def __init__(self, browser, live_server, role: str):
        self.live_server = live_server
        self.role = role
        self.context = browser.new_context(viewport=DESKTOP)
        self.context.add_init_script(path=AXE_JS)  # axe on every page, ready (see axe.py)
        self.page = self.context.new_page()
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.failures: list[str] = []
        self.visited: list[str] = []

    def log_in(self, user) -> "Tour":
        """Through the log-in form, as people do (their session is then listed in the account
        pages)."""
        self.page.goto(f"{self.live_server.url}/accounts/login/")
        self.page.get_by_label(re.compile("^email", re.I)).fill(user.email)
        self.page.get_by_label(re.compile("^password", re.I)).fill(PASSWORD)
        self.page.get_by_role("button", name=re.compile("^log in$", re.I)).click()
        self.page.wait_for_url(re.compile(r"/dashboard/$"))
        return self

    def use_session_of(self, user) -> "Tour":
        """A session made by Django's test client, handed to the browser: no authenticator code
        to type (and to time) for a user with two-factor authentication."""
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": self.live_server.url}]
        )
        return self

    def check(self, label: str) -> None:
        self.visited.append(label)
        # Disclosures (data tables of charts, optional sections) are checked open: axe skips
        # what is hidden.
        self.page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        try:
            assert_accessible(self.page, context=f"[{self.role}] {label}")
        except AssertionError as error:
            self.failures.append(str(error))

    def visit(
        self, path: str, label: str | None = None, *, status: int = 200, optional=False
    ) -> None:
        """Open the page and check it; ``optional`` pages (those other work in progress adds)
        are skipped while they answer 404."""
        response = self.page.goto(f"{self.live_server.url}{path}")
        assert response is not None
        if optional and response.status == 404:
            return
        if response.status != status:
            self.failures.append(
                f"[{self.role}] {label or path}: {path} answered {response.status}, not {status}"
                f" (now at {self.page.url})"
            )
            return
        self.check(label or path)

    def press(self, button: str, label: str, *, then=None) -> None:
        """Press a button of the page and check the page it leads to (after ``then(page)``)."""
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=button, exact=True).click()
        if then is not None:
            then(self.page)
        self.check(label)

    def submit_empty(self, button: str, label: str) -> None:
        """Send the form without the browser's own checks, to see the server's error messages
        (the error summary and each field's message)."""
        self.page.evaluate(
            "() => document.querySelectorAll('form').forEach(f => f.noValidate = true)"
        )
        self.press(button, label, then=showing_errors)

    def on_phone(self, *paths: str) -> None:
        self.page.set_viewport_size(PHONE)
        for path in paths:
            self.visit(path, f"{path} at 375 px")
        self.page.set_viewport_size(DESKTOP)

    def finish(self) -> None:
        self.context.close()
        assert not self.failures, (
            f"{len(self.failures)} of {len(self.visited)} pages checked for {self.role} fail:\n\n"
            + "\n\n".join(self.failures)
        )


def showing_errors(page) -> None:
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()


@pytest.fixture
def world(live_server):
    return build_world()


def common_signed_in_pages(tour: Tour, w: World, user) -> None:
    """What everyone signed in has: dashboard, profile, account, notifications, browsing."""
    tour.visit("/dashboard/", "dashboard")
    tour.visit(f"/people/{user.profile.pk}/", "profile")
    tour.visit("/profile/", "profile edit")
    tour.visit("/accounts/email/", "account: email addresses")
    tour.visit("/accounts/password/change/", "account: password")
    tour.visit("/accounts/2fa/", "account: two-factor authentication")
    tour.visit("/accounts/sessions/", "account: sessions")
    tour.visit("/settings/api-token/", "account: API token")
    tour.visit("/settings/your-data/", "account: your data", optional=True)
    tour.visit("/settings/delete-account/", "account: delete account", optional=True)
    tour.visit("/notifications/", "notifications inbox")
    tour.visit("/notifications/preferences/", "notification preferences")
    tour.visit("/notifications/saved-searches/", "saved searches")
    tour.visit("/organisations/", "organisation directory")
    tour.visit(f"/organisations/{w.studio.slug}/", "organisation page (studio)")
    tour.visit(f"/organisations/{w.university.slug}/", "organisation page (university)")
    tour.visit("/opportunities/", "opportunities browse")
    tour.visit(f"/opportunities/{w.call.pk}/", "opportunity detail")
    tour.visit("/placements/", "placements browse")
    tour.visit(f"/placements/{w.placement.pk}/", "placement detail")
    tour.visit("/events/", "events browse")
    tour.visit(
        f"/events/calendar/?year={w.event.starts_at.year}&month={w.event.starts_at.month}",
        "events month view",
    )
    tour.visit(f"/events/{w.event.pk}/", "event detail")
    tour.visit("/events/mine/", "my events")
    tour.visit("/stories/", "stories showcase")
    tour.visit(f"/stories/{w.story.slug}/", "story page")
    tour.visit("/curriculum-reviews/", "curriculum reviews browse")
    if user.role != Role.STUDENT:  # reviews are for members of verified organisations
        tour.visit(f"/curriculum-reviews/{w.review.pk}/", "curriculum review detail")
    tour.visit("/no-such-page/", "404 page", status=404)


def test_anonymous_visitor_pages(live_server, browser, world):
    w = world
    tour = Tour(browser, live_server, "anonymous visitor")
    tour.visit("/", "home")
    tour.visit("/accounts/login/", "log in")
    tour.visit("/accounts/signup/", "sign up")
    tour.page.get_by_label(re.compile("^email", re.I)).fill("newcomer@example.org")
    tour.submit_empty("Sign up", "sign up with errors")
    tour.visit("/accounts/password/reset/", "password reset")
    tour.visit("/organisations/", "organisation directory")
    tour.visit(f"/organisations/{w.studio.slug}/", "organisation page")
    tour.visit("/opportunities/", "opportunities browse")
    tour.visit(f"/opportunities/{w.call.pk}/", "opportunity detail")
    tour.visit("/placements/", "placements browse")
    tour.visit(f"/placements/{w.placement.pk}/", "placement detail")
    tour.visit("/events/", "events browse")
    tour.visit(
        f"/events/calendar/?year={w.event.starts_at.year}&month={w.event.starts_at.month}",
        "events month view",
    )
    tour.visit(f"/events/{w.event.pk}/", "event detail")
    tour.visit("/stories/", "stories showcase")
    tour.visit(f"/stories/{w.story.slug}/", "story page")
    tour.visit("/privacy/", "privacy page", optional=True)
    tour.visit("/no-such-page/", "404 page", status=404)
    tour.on_phone(
        "/",
        "/accounts/login/",
        "/opportunities/",
        f"/stories/{w.story.slug}/",
        f"/events/calendar/?year={w.event.starts_at.year}&month={w.event.starts_at.month}",
    )
    # The two-factor step of the admin's log-in (the admin's own tour signs in another way).
    tour.page.goto(f"{live_server.url}/accounts/login/")
    tour.page.get_by_label(re.compile("^email", re.I)).fill(w.admin.email)
    tour.page.get_by_label(re.compile("^password", re.I)).fill(PASSWORD)
    tour.page.get_by_role("button", name=re.compile("^log in$", re.I)).click()
    tour.page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    tour.check("two-factor code at log-in")
    tour.finish()


def test_student_pages(live_server, browser, world):
    w = world
    tour = Tour(browser, live_server, "student").log_in(w.student)
    common_signed_in_pages(tour, w, w.student)
    tour.visit("/placements/applications/", "my applications")
    tour.visit(f"/placements/applications/{w.application.pk}/", "application detail")
    tour.visit("/events/calendar-feed/", "calendar feed settings")
    tour.visit("/accounts/2fa/totp/activate/", "two-factor: set up an authenticator app")
    tour.visit("/accounts/logout/", "log out")
    tour.visit(f"/placements/{w.other_placement.pk}/apply/", "placement apply form")
    tour.submit_empty("Submit application", "placement apply form with errors")
    tour.visit("/notifications/", "notifications inbox")
    tour.press(
        "Mark all as read",
        "notifications inbox with a success message",
        then=lambda page: expect(page.get_by_role("status")).not_to_be_empty(),
    )
    tour.on_phone("/dashboard/", "/placements/", "/placements/applications/", "/events/")
    tour.finish()


def test_university_staff_pages(live_server, browser, world):
    w = world
    tour = Tour(browser, live_server, "university staff").log_in(w.lecturer)
    common_signed_in_pages(tour, w, w.lecturer)
    slug = w.university.slug
    tour.visit(f"/organisations/{slug}/edit/", "organisation edit")
    tour.visit(f"/organisations/{slug}/people/", "organisation people")
    tour.visit("/opportunities/new/", "opportunity form")
    tour.submit_empty("Save draft", "opportunity form with errors")
    tour.visit(f"/opportunities/{w.research_call.pk}/", "own opportunity detail")
    tour.visit("/proposals/", "my proposals")
    tour.visit(f"/proposals/{w.proposal.pk}/", "proposal detail")
    tour.visit("/saved-proposals/", "saved proposals")
    tour.visit("/partnerships/", "partnerships")
    tour.visit(f"/partnerships/{w.partnership.pk}/", "partnership detail")
    tour.visit("/partnerships/new/", "partnership proposal form")
    tour.visit("/placements/university/", "placement officer: overview")
    tour.visit(f"/placements/approvals/{w.approval.pk}/", "placement officer: approval")
    tour.visit(f"/placements/institutions/{slug}/officers/", "placement officers")
    tour.visit(f"/placements/institutions/{slug}/checklist/", "approval checklist")
    tour.visit("/events/new/", "event form")
    tour.visit("/curriculum-reviews/new/", "curriculum review form")
    tour.visit(f"/curriculum-reviews/{w.review.pk}/reviewers/", "curriculum reviewers")
    tour.visit(f"/impact/organisations/{slug}/", "impact dashboard (institution)")
    tour.visit("/stories/testimonials/", "testimonial requests")
    tour.visit(f"/stories/testimonials/{w.testimonial_for_lena.token}/", "testimonial form")
    tour.visit(f"/stories/nominate/partnership/{w.partnership.pk}/", "story nomination form")
    tour.on_phone("/dashboard/", f"/impact/organisations/{slug}/", "/placements/university/")
    tour.finish()


def test_studio_owner_pages(live_server, browser, world):
    w = world
    tour = Tour(browser, live_server, "studio owner").log_in(w.owner)
    common_signed_in_pages(tour, w, w.owner)
    slug = w.studio.slug
    tour.visit(f"/organisations/{slug}/edit/", "organisation edit")
    tour.visit(f"/organisations/{slug}/people/", "organisation people")
    tour.visit(f"/opportunities/{w.research_call.pk}/", "opportunity detail (to answer)")
    tour.visit(f"/opportunities/{w.research_call.pk}/propose/", "proposal form")
    tour.submit_empty("Send proposal", "proposal form with errors")
    tour.visit(f"/proposals/{w.proposal.pk}/", "proposal received")
    tour.visit("/opportunities/new/", "opportunity form")
    tour.visit(f"/opportunities/{w.completed_call.pk}/", "completed opportunity")
    tour.visit("/partnerships/", "partnerships")
    tour.visit(f"/partnerships/{w.partnership.pk}/", "partnership detail")
    tour.visit("/placements/new/", "placement form")
    tour.visit(f"/placements/{w.placement.pk}/pipeline/", "placement pipeline")
    tour.visit(f"/placements/applications/{w.application.pk}/", "application (studio side)")
    tour.visit("/events/new/", "event form")
    tour.visit(f"/events/{w.event.pk}/edit/", "event edit form")
    tour.visit(f"/events/{w.event.pk}/registrants/", "event registrants")
    tour.visit(f"/events/{w.event.pk}/agenda/", "event agenda")
    tour.visit(f"/events/{w.event.pk}/check-in/", "event check-in")
    tour.visit(f"/events/{w.event.pk}/message/", "event message")
    tour.visit(f"/curriculum-reviews/{w.review.pk}/volunteer/", "curriculum review volunteer")
    tour.visit(f"/impact/organisations/{slug}/", "impact dashboard (studio)")
    tour.visit("/stories/testimonials/", "testimonial requests")
    tour.visit(f"/stories/testimonials/{w.testimonial_for_oscar.token}/", "testimonial form")
    tour.on_phone(
        "/dashboard/",
        f"/placements/{w.placement.pk}/pipeline/",
        f"/events/{w.event.pk}/registrants/",
    )
    tour.finish()


def test_platform_admin_pages(live_server, browser, world):
    """The admin has two-factor authentication: the tour signs in with a session made by Django's
    test client (no authenticator code to time); the code step itself is checked in the
    anonymous visitor's tour."""
    w = world
    tour = Tour(browser, live_server, "platform admin").use_session_of(w.admin)
    common_signed_in_pages(tour, w, w.admin)
    tour.visit("/organisations/verification/", "verification queue")
    tour.visit(f"/organisations/{w.pending.slug}/", "organisation awaiting verification")
    tour.visit("/stories/curate/", "story curation queue")
    tour.visit(f"/stories/curate/{w.draft_story.pk}/", "story editor (draft)")
    tour.visit(f"/stories/curate/{w.story.pk}/", "story editor (published)")
    tour.visit("/impact/platform/", "impact dashboard (platform)")
    tour.visit("/audit/", "audit trail", optional=True)
    # Seeing the recovery codes asks to confirm access first: that page is the one checked.
    tour.visit("/accounts/2fa/recovery-codes/", "two-factor: confirm access for recovery codes")
    tour.visit(f"/impact/organisations/{w.university.slug}/", "impact dashboard (institution)")
    tour.visit(f"/placements/{w.placement.pk}/pipeline/", "placement pipeline")
    tour.visit(f"/events/{w.event.pk}/registrants/", "event registrants")
    tour.on_phone("/dashboard/", "/stories/curate/", "/impact/platform/")
    tour.finish()
