"""A new matching placement reaches the student's bell, with its explanation, in a real browser.

The student is signed in before the placement exists. A studio owner publishes a placement asking
for skills the student lists; the domain event is dispatched after commit (Celery in eager mode
here; the real worker is covered in tests/integration) and, on the student's next page, the bell
says one unread notification. The inbox explains why, and opening it lands on the placement.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from partnerships.core.models import Sector, Skill
from partnerships.matching.services import refresh_skill_weights
from partnerships.organisations.models import Kind, MemberRole
from partnerships.placements import services as placements
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .test_live_brief_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_student_sees_a_new_matching_placement_in_the_bell(live_server, browser):
    games = Sector.objects.get(slug="it-software-games")
    skills = list(Skill.objects.filter(slug__in=["blender", "unity"]).order_by("name"))
    studio = OrganisationFactory(kind=Kind.INDUSTRY, name="Pixel Forge", slug="pixel-forge")
    owner = UserFactory(email="oscar@pixelforge.example", role=Role.INDUSTRY, display_name="Oscar")
    MembershipFactory(organisation=studio, user=owner, role=MemberRole.OWNER)
    student = UserFactory(email="sam@uni.example", role=Role.STUDENT, display_name="Sam")
    student.profile.location = "Manchester"
    student.profile.save()
    student.profile.skills.set(skills)
    student.profile.sectors.set([games])
    refresh_skill_weights()

    context, page = log_in(browser, live_server, student.email)
    bell = page.get_by_role("link", name=re.compile("^Notifications,"))
    expect(bell).to_have_accessible_name("Notifications, none unread")

    placement = placements.placement_create(
        actor=owner,
        organisation=studio,
        kind="internship",
        title="Junior technical artist",
        description="Shaders, tools and real-time lighting.",
        location="Manchester",
        sector=games,
        is_paid=True,
        pay_amount="420.00",
        pay_period="week",
        deadline=timezone.now() + datetime.timedelta(days=21),
        required_skills=skills,
    )
    placements.placement_publish(actor=owner, placement=placement)

    page.reload()
    expect(bell).to_have_accessible_name("Notifications, 1 unread")
    bell.click()
    item = page.locator(".notification--unread").first
    expect(item).to_contain_text("Junior technical artist")
    expect(item).to_contain_text(
        re.compile(r"You have 2 of the 2 skills it asks for: (Blender, Unity|Unity, Blender)")
    )
    expect(item).to_contain_text("In Manchester, where you are")

    item.get_by_role("link", name="Junior technical artist").click()
    expect(page).to_have_url(re.compile(rf"/placements/{placement.pk}/$"))
    expect(page.get_by_role("link", name=re.compile("^Notifications,"))).to_have_accessible_name(
        "Notifications, none unread"
    )
    context.close()
