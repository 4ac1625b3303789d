"""A guest lecture in a real browser, one context per person: a studio member creates and
publishes it with one seat; a student registers; a second student joins the waitlist; the first
cancels; the second is promoted and sees the confirmed place on their dashboard. The organiser
then checks the attendee in at the door on a phone-sized screen."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from events.models import Event, Registration
from partnerships.organisations.models import Kind, MemberRole
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .test_live_brief_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def people():
    studio = OrganisationFactory(kind=Kind.INDUSTRY, name="Pixel Forge", slug="pixel-forge")
    university = OrganisationFactory(
        kind=Kind.INSTITUTION, name="Northbridge University", slug="northbridge"
    )
    owner = UserFactory(email="oscar@pixelforge.example", role=Role.INDUSTRY, display_name="Oscar")
    MembershipFactory(organisation=studio, user=owner, role=MemberRole.OWNER)
    member = UserFactory(email="mia@pixelforge.example", role=Role.INDUSTRY, display_name="Mia")
    MembershipFactory(organisation=studio, user=member, role=MemberRole.MEMBER)
    students = []
    for email, name in (("sam@uni.example", "Sam"), ("uma@uni.example", "Uma")):
        student = UserFactory(email=email, role=Role.STUDENT, display_name=name)
        student.profile.institution = university
        student.profile.save()
        students.append(student)
    return member, students


def test_guest_lecture_waitlist_promotion(live_server, browser):
    member, (sam, uma) = people()
    start = timezone.localtime(timezone.now() + datetime.timedelta(days=7)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )

    # Mia, a studio member, creates the guest lecture with a single seat and publishes it.
    studio_ctx, page = log_in(browser, live_server, member.email)
    page.goto(f"{live_server.url}/events/new/")
    page.get_by_label("Kind").select_option("guest_lecture")
    page.get_by_label("Title").fill("Lighting for games: a studio view")
    page.get_by_label("Description").fill("Our lighting lead on **real-time** lighting.")
    page.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill((start + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(re.compile(r"^Venue \(optional\)")).fill("Lecture Theatre 1")
    page.get_by_label("Venue address").fill("1 College Road, Manchester")
    page.get_by_label("Capacity").fill("1")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lighting for games: a studio view")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text(re.compile("published", re.I)).first).to_be_visible()
    event = Event.objects.get(title="Lighting for games: a studio view")
    assert event.status == "published" and event.capacity == 1
    event_url = f"{live_server.url}/events/{event.pk}/"

    # Sam registers and gets the seat.
    sam_ctx, sam_page = log_in(browser, live_server, sam.email)
    sam_page.goto(event_url)
    sam_page.get_by_role("button", name="Register").click()
    expect(sam_page.get_by_text(re.compile("You have a place", re.I)).first).to_be_visible()

    # Uma finds it full and joins the waitlist.
    uma_ctx, uma_page = log_in(browser, live_server, uma.email)
    uma_page.goto(event_url)
    uma_page.get_by_role("button", name="Join the waitlist").click()
    expect(uma_page.get_by_text(re.compile("waitlist at position 1", re.I)).first).to_be_visible()
    uma_page.goto(f"{live_server.url}/dashboard/")
    expect(uma_page.get_by_text(re.compile("waitlist", re.I)).first).to_be_visible()

    # Sam cancels; Uma moves in automatically.
    sam_page.goto(event_url)
    sam_page.get_by_role("button", name="Cancel my place").click()
    expect(sam_page.get_by_text(re.compile("cancel", re.I)).first).to_be_visible()
    assert Registration.objects.get(event=event, user=uma).status == "confirmed"

    uma_page.goto(f"{live_server.url}/dashboard/")
    panel = uma_page.locator("section", has_text="Lighting for games").last
    expect(panel.get_by_text("Confirmed").first).to_be_visible()
    uma_page.goto(event_url)
    expect(uma_page.get_by_role("button", name="Cancel my place")).to_be_visible()

    # At the door, on a phone, Mia finds Uma and checks her in.
    event.starts_at = timezone.now() + datetime.timedelta(minutes=10)
    event.ends_at = event.starts_at + datetime.timedelta(hours=1)
    event.save(update_fields=["starts_at", "ends_at"])
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{event_url}check-in/")
    page.get_by_label("Name or email").fill("Uma")
    page.keyboard.press("Enter")
    page.get_by_role("button", name=re.compile("check in", re.I)).first.click()
    expect(page.get_by_text(re.compile("1 of 1", re.I)).first).to_be_visible()
    assert Registration.objects.get(event=event, user=uma).checked_in_at is not None
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"check-in page overflows a phone screen: {width}px"

    for context in (studio_ctx, sam_ctx, uma_ctx):
        context.close()
