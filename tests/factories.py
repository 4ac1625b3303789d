"""Factories for the models tests build on. Users come with a verified primary email."""

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Role, User
from partnerships.core.models import Sector, Skill
from partnerships.organisations.models import (
    Category,
    Kind,
    MemberRole,
    Membership,
    Organisation,
    Status,
)

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    role = Role.STUDENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )

    @factory.post_generation
    def display_name(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.profile.display_name = extracted
            obj.profile.save(update_fields=["display_name"])


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Test sector {n}")
    slug = factory.Sequence(lambda n: f"test-sector-{n}")


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Test skill {n}")
    slug = factory.Sequence(lambda n: f"test-skill-{n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Kind.INDUSTRY
    category = factory.LazyAttribute(
        lambda o: Category.UNIVERSITY if o.kind == Kind.INSTITUTION else Category.STUDIO
    )
    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    location = "Manchester"
    status = Status.VERIFIED
    status_changed_at = factory.LazyFunction(timezone.now)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory, role=Role.INDUSTRY)
    role = MemberRole.MEMBER
