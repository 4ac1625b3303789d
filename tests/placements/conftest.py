"""Placement fixtures on top of the shared personas (tests/conftest.py).

Pixel Forge (Oscar owner, Mia member) posts placements; Sam studies at Northbridge, whose owner
Lena is also its placement officer; Uma studies at Southgate, whose owner Sol is its officer;
Olga's Other Studio is a competitor that must never see Pixel Forge's applicants.
"""

import datetime
from decimal import Decimal

import factory
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role
from partnerships.organisations.models import Kind, MemberRole
from partnerships.placements.models import (
    Application,
    ApplicationStatus,
    PayPeriod,
    Placement,
    PlacementKind,
    PlacementOfficer,
    PlacementStatus,
)
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def in_days(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def cv_file(name: str = "cv.pdf", content: bytes = MINIMAL_PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class PlacementFactory(factory.django.DjangoModelFactory):
    """A placement in any status, written straight to the database (services are tested apart)."""

    class Meta:
        model = Placement

    organisation = factory.SubFactory(OrganisationFactory, kind=Kind.INDUSTRY)
    kind = PlacementKind.INTERNSHIP
    title = factory.Sequence(lambda n: f"Junior 3D artist internship {n}")
    description = "Model and texture real-time assets alongside our art team."
    location = "Manchester"
    is_paid = True
    pay_amount = Decimal("450.00")
    pay_period = PayPeriod.WEEK
    positions = 2
    deadline = factory.LazyFunction(lambda: in_days(14))
    status = PlacementStatus.OPEN
    status_changed_at = factory.LazyFunction(timezone.now)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    placement = factory.SubFactory(PlacementFactory)
    student = factory.SubFactory(UserFactory, role=Role.STUDENT)
    cover_letter = "I would love to join your art team."
    status = ApplicationStatus.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)
    status_changed_at = factory.LazyFunction(timezone.now)


@pytest.fixture
def placement(studio, studio_owner):
    """Pixel Forge's open, paid internship for two people."""
    return PlacementFactory(
        organisation=studio, created_by=studio_owner, contact=studio_owner, title="Junior 3D artist"
    )


@pytest.fixture
def other_placement(other_studio, other_owner):
    return PlacementFactory(organisation=other_studio, created_by=other_owner, contact=other_owner)


@pytest.fixture
def officer(university, lecturer):
    """Lena, owner of Northbridge, is also its placement officer."""
    PlacementOfficer.objects.create(institution=university, user=lecturer, appointed_by=lecturer)
    return lecturer


@pytest.fixture
def other_university(db):
    return OrganisationFactory(kind=Kind.INSTITUTION, name="Southgate College", slug="southgate")


@pytest.fixture
def other_officer(other_university):
    user = UserFactory(email="sol@southgate.ac.uk", role=Role.UNIVERSITY, display_name="Sol")
    MembershipFactory(organisation=other_university, user=user, role=MemberRole.OWNER)
    PlacementOfficer.objects.create(institution=other_university, user=user)
    return user


@pytest.fixture
def other_student(other_university):
    user = UserFactory(email="uma@southgate.ac.uk", role=Role.STUDENT, display_name="Uma")
    user.profile.institution = other_university
    user.profile.save()
    return user


@pytest.fixture
def application(placement, student, university):
    """Sam's submitted application to Pixel Forge's internship."""
    return ApplicationFactory(placement=placement, student=student, institution=university)


def make_students(count: int, institution, prefix: str = "student") -> list:
    people = []
    for number in range(count):
        user = UserFactory(email=f"{prefix}{number}@uni.example", role=Role.STUDENT)
        user.profile.institution = institution
        user.profile.save(update_fields=["institution"])
        people.append(user)
    return people
