"""Shared fixtures: named personas, so a permission test reads like a sentence.

The university "Northbridge" has the lecturer Lena; the studio "Pixel Forge" is owned by Oscar with
member Mia; "Other Studio" belongs to Olga; "Pending Studio" (not yet verified) belongs to Pete;
Sam is a student at Northbridge; Ada is a platform admin; Ivy is an industry person with no
organisation yet.
"""

import os

import pytest
from django.core.cache import cache

from accounts.models import Role
from partnerships.celery import app as celery_app
from partnerships.core import page_cache
from partnerships.organisations.models import Kind, MemberRole, Status

from .factories import MembershipFactory, OrganisationFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    """Fast hashing, a private cache and media folder, and Celery in eager mode per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "http://testserver"
    settings.MFA_REQUIRED_FOR_ADMINS = True  # as in production
    cache.clear()
    page_cache._down_until = 0.0  # a test that took the cache down does not take it for the next
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


def _reseed_taxonomy() -> None:
    """The sectors and skills migration 0002 seeds, restored in two bulk inserts."""
    import importlib

    from partnerships.core.migrations._taxonomy_0002 import SECTORS, SKILLS
    from partnerships.core.models import Sector, Skill

    skill_slug = importlib.import_module(
        "partnerships.core.migrations.0002_seed_taxonomy"
    ).skill_slug
    sectors = Sector.objects.bulk_create(
        Sector(slug=slug, name=name, description=description, position=position)
        for position, (slug, name, description) in enumerate(SECTORS, start=1)
    )
    by_slug = {sector.slug: sector for sector in sectors}
    used: set[str] = set()
    skills = []
    for sector_slug, names in SKILLS.items():
        for name in names:
            base = slug = skill_slug(name)
            number = 2
            while slug in used:
                slug, number = f"{base}-{number}", number + 1
            used.add(slug)
            skills.append(Skill(slug=slug, name=name, sector=by_slug.get(sector_slug)))
    Skill.objects.bulk_create(skills)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Tests that commit (transactional, live server) end with a flush that empties every
    table, including the taxonomy migration 0002 seeds; once the flush is done, put it back so
    later tests see what production has."""
    yield
    fixtures = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & fixtures
    )
    if not transactional:
        return
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    from partnerships.core.models import Sector

    with item.config.stash[blocking_manager_key].unblock():
        if connection.settings_dict["NAME"].startswith("test") and not Sector.objects.exists():
            _reseed_taxonomy()


def needs_service(name: str, reason: str) -> None:
    """Skip with a visible reason on a developer machine; fail under CI, where it must exist."""
    if IN_CI:
        pytest.fail(f"{name} is required under CI=true: {reason}")
    pytest.skip(f"{name} not available: {reason}")


@pytest.fixture
def university(db):
    return OrganisationFactory(
        kind=Kind.INSTITUTION, name="Northbridge University", slug="northbridge"
    )


@pytest.fixture
def studio(db):
    return OrganisationFactory(kind=Kind.INDUSTRY, name="Pixel Forge", slug="pixel-forge")


@pytest.fixture
def other_studio(db):
    return OrganisationFactory(kind=Kind.INDUSTRY, name="Other Studio", slug="other-studio")


@pytest.fixture
def pending_studio(db):
    return OrganisationFactory(
        kind=Kind.INDUSTRY, name="Pending Studio", slug="pending-studio", status=Status.PENDING
    )


@pytest.fixture
def lecturer(university):
    user = UserFactory(email="lena@northbridge.ac.uk", role=Role.UNIVERSITY, display_name="Lena")
    MembershipFactory(organisation=university, user=user, role=MemberRole.OWNER)
    return user


@pytest.fixture
def studio_owner(studio):
    user = UserFactory(email="oscar@pixelforge.example", role=Role.INDUSTRY, display_name="Oscar")
    MembershipFactory(organisation=studio, user=user, role=MemberRole.OWNER)
    return user


@pytest.fixture
def studio_member(studio, studio_owner):
    user = UserFactory(email="mia@pixelforge.example", role=Role.INDUSTRY, display_name="Mia")
    MembershipFactory(organisation=studio, user=user, role=MemberRole.MEMBER)
    return user


@pytest.fixture
def other_owner(other_studio):
    user = UserFactory(email="olga@other.example", role=Role.INDUSTRY, display_name="Olga")
    MembershipFactory(organisation=other_studio, user=user, role=MemberRole.OWNER)
    return user


@pytest.fixture
def pending_owner(pending_studio):
    user = UserFactory(email="pete@pending.example", role=Role.INDUSTRY, display_name="Pete")
    MembershipFactory(organisation=pending_studio, user=user, role=MemberRole.OWNER)
    return user


@pytest.fixture
def student(university):
    user = UserFactory(email="sam@student.northbridge.ac.uk", role=Role.STUDENT, display_name="Sam")
    user.profile.institution = university
    user.profile.save()
    return user


def with_two_factor(user):
    """Platform admins must use two-factor authentication: give one an authenticator app."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)
    return user


@pytest.fixture
def platform_admin(db):
    return with_two_factor(
        UserFactory(email="ada@tandem.example", role=Role.ADMIN, is_staff=True, display_name="Ada")
    )


@pytest.fixture
def industry_newcomer(db):
    return UserFactory(email="ivy@freelance.example", role=Role.INDUSTRY, display_name="Ivy")
