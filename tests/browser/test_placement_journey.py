"""A placement for credit from application to evaluations, in a real browser, one context per
person: the student applies with a CV; the studio shortlists and offers; the student accepts; the
placement officer approves; the studio marks it completed; the student evaluates it and the
supervisor does through the emailed link, without an account."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from partnerships.organisations.models import Kind, MemberRole
from partnerships.placements import services
from partnerships.placements.models import (
    Application,
    ApprovalChecklistItem,
    Placement,
    PlacementOfficer,
)
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .test_live_brief_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def people():
    university = OrganisationFactory(
        kind=Kind.INSTITUTION, name="Northbridge University", slug="northbridge"
    )
    studio = OrganisationFactory(kind=Kind.INDUSTRY, name="Pixel Forge", slug="pixel-forge")
    officer = UserFactory(email="lena@northbridge.ac.uk", role=Role.UNIVERSITY, display_name="Lena")
    MembershipFactory(organisation=university, user=officer, role=MemberRole.OWNER)
    PlacementOfficer.objects.create(institution=university, user=officer)
    ApprovalChecklistItem.objects.create(institution=university, text="Placement agreement signed")
    owner = UserFactory(email="oscar@pixelforge.example", role=Role.INDUSTRY, display_name="Oscar")
    MembershipFactory(organisation=studio, user=owner, role=MemberRole.OWNER)
    student = UserFactory(
        email="sam@student.northbridge.ac.uk", role=Role.STUDENT, display_name="Sam"
    )
    student.profile.institution = university
    student.profile.save()
    Placement.objects.create(
        organisation=studio,
        created_by=owner,
        contact=owner,
        kind="internship",
        title="Junior 3D artist",
        description="Model real-time assets.",
        is_paid=True,
        pay_amount=Decimal("1800"),
        pay_period="month",
        positions=1,
        status="open",
        deadline=timezone.now() + datetime.timedelta(days=14),
        start_date=datetime.date(2020, 1, 6),
        end_date=datetime.date(2020, 6, 26),
    )
    return student, owner, officer


def test_placement_from_application_to_evaluations(live_server, browser, tmp_path):
    student, owner, officer = people()
    cv = Path(tmp_path) / "sam-cv.pdf"
    cv.write_bytes(MINIMAL_PDF)

    # 1. The student finds the placement, sees its pay, and applies with a CV, for credit.
    sam_context, sam = log_in(browser, live_server, student.email)
    sam.get_by_role("navigation", name="Main").get_by_role("link", name="Placements").click()
    expect(sam.get_by_text("Paid: £1,800.00 per month").first).to_be_visible()
    sam.get_by_role("link", name="Junior 3D artist").click()
    sam.get_by_role("link", name="Apply").click()
    sam.get_by_label("Cover letter").fill("I model and texture game assets every day.")
    sam.get_by_label("CV (PDF)").set_input_files(str(cv))
    sam.get_by_label("This placement counts for academic credit").check()
    sam.get_by_role("button", name="Submit application").click()
    sam.wait_for_url(re.compile(r"/placements/applications/$"))
    expect(sam.get_by_text("Submitted").first).to_be_visible()
    application = Application.objects.get()
    assert application.status == "submitted" and application.cv

    # 2. The studio shortlists and offers.
    oscar_context, oscar = log_in(browser, live_server, owner.email)
    oscar.goto(f"{live_server.url}/placements/{application.placement_id}/pipeline/")
    oscar.get_by_role("button", name=re.compile("^Shortlist")).click()
    oscar.get_by_role("button", name=re.compile("^Offer a position")).click()
    expect(oscar.get_by_text("Offered").first).to_be_visible()

    # 3. The student accepts.
    sam.reload()
    sam.get_by_role("button", name="Accept the offer").click()
    expect(sam.get_by_text("University approval: Pending")).to_be_visible()

    # 4. The placement officer approves with the checklist.
    lena_context, lena = log_in(browser, live_server, officer.email)
    lena.get_by_role("link", name=re.compile("Sam — Junior 3D artist")).first.click()
    lena.get_by_label("Placement agreement signed").check()
    lena.get_by_role("button", name="Approve").click()
    lena.wait_for_url(re.compile(r"/placements/university/$"))
    application.refresh_from_db()
    assert application.approval.status == "approved"

    # 5. The studio marks it completed; both evaluations follow.
    oscar.reload()
    oscar.get_by_role("button", name=re.compile("^Mark completed")).click()
    expect(oscar.get_by_text("Completed").first).to_be_visible()
    sam.reload()
    sam.get_by_role("link", name="Evaluate your placement").click()
    for name in ("overall", "learning", "support"):
        sam.locator(f'input[name="{name}"][value="5"]').check()
    sam.get_by_role("button", name="Send the evaluation").click()
    sam.wait_for_url(re.compile(r"/placements/applications/$"))

    supervisor_context = browser.new_context()
    supervisor = supervisor_context.new_page()
    path = services.supervisor_url(application).removeprefix(settings.SITE_URL)
    supervisor.goto(f"{live_server.url}{path}")
    supervisor.get_by_label("Your name").fill("Oscar")
    for name in ("overall", "skills", "professionalism", "communication"):
        supervisor.locator(f'input[name="{name}"][value="4"]').check()
    supervisor.get_by_role("button", name="Send the evaluation").click()
    expect(supervisor.get_by_role("heading", level=1)).to_have_text("Thank you for your evaluation")
    application.refresh_from_db()
    assert application.student_evaluation.overall == 5
    assert application.supervisor_evaluation.via_link
    for context in (sam_context, oscar_context, lena_context, supervisor_context):
        context.close()
