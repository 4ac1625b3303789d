"""Story fixtures on top of the shared personas (tests/conftest.py).

Pixel Forge (Oscar) and Northbridge (Lena) are partners; Olga's Other Studio has nothing to do with
their stories; Ada curates.
"""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from partnerships.projects import services as project_services
from partnerships.projects.models import Partnership, PartnershipStatus
from partnerships.stories import services
from tests.projects.conftest import LIVE_BRIEF, PROPOSAL, future


def image_file(name="photo.png", size=(1600, 1000), fmt="PNG", color=(200, 80, 40)):
    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.fixture
def partnership(university, studio, lecturer, studio_owner):
    return Partnership.objects.create(
        institution=university,
        industry_partner=studio,
        title="Northbridge × Pixel Forge",
        status=PartnershipStatus.ACTIVE,
        proposed_by=lecturer,
    )


@pytest.fixture
def nominated(partnership, lecturer):
    """Lena nominates Northbridge's partnership with Pixel Forge."""
    return services.nominate(actor=lecturer, collaboration=partnership, title="Games that teach")


@pytest.fixture
def in_review(nominated, platform_admin):
    story = services.accept_nomination(actor=platform_admin, story=nominated)
    story = services.edit_story(
        actor=platform_admin,
        story=story,
        summary="Students and a studio shipped a game.",
        body="It **worked**.",
    )
    return services.send_for_review(actor=platform_admin, story=story)


@pytest.fixture
def approved(in_review, lecturer, studio_owner):
    services.approve_text(actor=lecturer, story=in_review)
    services.approve_text(actor=studio_owner, story=in_review)
    return in_review


@pytest.fixture
def completed_call(studio, studio_owner, university, lecturer):
    """Pixel Forge's live brief, taken on by Northbridge and completed."""
    call = project_services.opportunity_create(
        actor=studio_owner, organisation=studio, **{**LIVE_BRIEF, "deadline": future()}
    )
    call = project_services.opportunity_publish(actor=studio_owner, opportunity=call)
    proposal = project_services.proposal_submit(
        actor=lecturer, opportunity=call, organisation=university, **PROPOSAL
    )
    project_services.proposal_accept(actor=studio_owner, proposal=proposal)
    call.refresh_from_db()
    call = project_services.opportunity_start(actor=studio_owner, opportunity=call)
    return project_services.opportunity_complete(actor=studio_owner, opportunity=call)
