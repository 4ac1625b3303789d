"""Curriculum review fixtures on top of the shared personas (tests/conftest.py).

Lena (lecturer) belongs to Northbridge and asks for reviews; Oscar and Mia (Pixel Forge) and Olga
(Other Studio) are industry members who can volunteer; Pete's studio is not verified yet.
"""

import datetime

import factory
import pytest
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, StudyLevel
from partnerships.core.models import Skill
from partnerships.curriculum.models import (
    CurriculumReview,
    Reviewer,
    ReviewerStatus,
    ReviewResponse,
    ReviewStatus,
)
from partnerships.organisations.models import Kind, MemberRole
from tests.factories import MembershipFactory, OrganisationFactory, SkillFactory, UserFactory

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


class ReviewFactory(factory.django.DjangoModelFactory):
    """A review in any status, written straight to the database (services are tested apart)."""

    class Meta:
        model = CurriculumReview

    institution = factory.SubFactory(OrganisationFactory, kind=Kind.INSTITUTION)
    title = factory.Sequence(lambda n: f"Review of course {n}")
    course_name = factory.Sequence(lambda n: f"BA Games Art module {n}")
    level = StudyLevel.UNDERGRADUATE
    learning_outcomes = "Model and texture real-time assets.\nWork in a studio pipeline."
    questions = "Is our Unreal coverage current?"
    reviewers_wanted = 2
    deadline = factory.LazyFunction(lambda: in_days(14))
    status = ReviewStatus.OPEN
    status_changed_at = factory.LazyFunction(timezone.now)


class ReviewerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reviewer

    review = factory.SubFactory(ReviewFactory)
    user = factory.SubFactory(UserFactory, role=Role.INDUSTRY)
    organisation = factory.SubFactory(OrganisationFactory, kind=Kind.INDUSTRY)
    status = ReviewerStatus.VOLUNTEERED


@pytest.fixture
def draft_review(university, lecturer):
    return ReviewFactory(
        institution=university,
        requested_by=lecturer,
        status=ReviewStatus.DRAFT,
        title="Draft: MA Interaction Design",
        course_name="MA Interaction Design",
        level=StudyLevel.POSTGRADUATE,
    )


@pytest.fixture
def open_review(university, lecturer):
    return ReviewFactory(
        institution=university,
        requested_by=lecturer,
        status=ReviewStatus.OPEN,
        title="Review our Games Art BA",
        course_name="BA Games Art",
    )


@pytest.fixture
def volunteer_row(open_review, studio, studio_owner):
    """Oscar (Pixel Forge) has volunteered for the open review."""
    return ReviewerFactory(review=open_review, user=studio_owner, organisation=studio)


@pytest.fixture
def accepted_row(open_review, studio, studio_member):
    """Mia (Pixel Forge) is an accepted reviewer of the open review."""
    return ReviewerFactory(
        review=open_review,
        user=studio_member,
        organisation=studio,
        status=ReviewerStatus.ACCEPTED,
        decided_at=timezone.now(),
    )


SUMMARY_SKILLS = [
    ("unreal", "Unreal Engine"),
    ("houdini", "Houdini"),
    ("figma", "Figma"),
    ("photoshop", "Photoshop"),
    ("blender", "Blender"),
]


@pytest.fixture
def skills(db):
    """Skills with exactly these slugs and names (replacing seeded ones that share a name)."""
    names = [name for _, name in SUMMARY_SKILLS]
    slugs = [slug for slug, _ in SUMMARY_SKILLS]
    Skill.objects.filter(Q(name__in=names) | Q(slug__in=slugs)).delete()
    return {slug: SkillFactory(name=name, slug=slug) for slug, name in SUMMARY_SKILLS}


def make_industry_people(count: int, prefix: str = "reviewer") -> list:
    """``count`` industry members, each the owner of their own verified studio."""
    people = []
    for number in range(count):
        studio = OrganisationFactory(
            kind=Kind.INDUSTRY, name=f"{prefix} studio {number}", slug=f"{prefix}-studio-{number}"
        )
        user = UserFactory(email=f"{prefix}{number}@studios.example", role=Role.INDUSTRY)
        MembershipFactory(organisation=studio, user=user, role=MemberRole.OWNER)
        people.append((user, studio))
    return people


def make_response(reviewer: Reviewer, *, relevance: int, missing=(), over=(), submitted=True, **kw):
    response = ReviewResponse.objects.create(
        reviewer=reviewer,
        relevance=relevance,
        submitted_at=timezone.now() if submitted else None,
        **kw,
    )
    response.missing_skills.set(missing)
    response.overweighted_skills.set(over)
    return response
