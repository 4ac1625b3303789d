import importlib
from collections import Counter

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from partnerships.core.errors import DomainError
from partnerships.core.models import Sector, Skill
from partnerships.core.services import skill_merge
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

seed_migration = importlib.import_module("partnerships.core.migrations.0002_seed_taxonomy")

DCMS_GROUPS = [
    "Advertising and marketing",
    "Architecture",
    "Crafts",
    "Design: product, graphic and fashion design",
    "Film, TV, video, radio and photography",
    "IT, software and computer services",
    "Publishing",
    "Museums, galleries and libraries",
    "Music, performing and visual arts",
]


def test_sectors_are_the_dcms_groups_in_order():
    sectors = list(Sector.objects.all())
    assert [s.name for s in sectors] == DCMS_GROUPS
    assert [s.position for s in sectors] == list(range(1, 10))
    assert all(s.slug and s.description for s in sectors)
    assert "games" in Sector.objects.get(slug="it-software-games").description


def test_skills_vocabulary_is_seeded_with_unique_slugs_and_names():
    assert Skill.objects.count() >= 300
    slugs = list(Skill.objects.values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs))
    names = Counter(name.lower() for name in Skill.objects.values_list("name", flat=True))
    assert names.most_common(1)[0][1] == 1
    assert Skill.objects.get(slug="c-sharp").name == "C#"
    assert Skill.objects.get(slug="c-plus-plus").name == "C++"
    assert Skill.objects.get(slug="p5-js").name == "p5.js"
    for name in ("Blender", "Unreal Engine", "Houdini", "Figma", "Typography", "Ceramics",
                 "TouchDesigner", "Digital preservation", "Accessibility (WCAG)", "Revit",
                 "Choreography", "Project management"):  # fmt: skip
        assert Skill.objects.filter(name=name, is_active=True).exists(), name
    assert Skill.objects.get(name="Blender").sector.slug == "it-software-games"
    assert Skill.objects.get(name="Ceramics").sector.slug == "crafts"
    assert Skill.objects.get(name="Curation").sector.slug == "museums-galleries-libraries"
    assert Skill.objects.filter(sector__isnull=False).count() > 300


def test_seed_migration_runs_again_without_duplicates_and_reverses_cleanly():
    sectors, skills = Sector.objects.count(), Skill.objects.count()
    Skill.objects.filter(slug="blender").update(slug="blender-3d")  # an admin edited the slug
    seed_migration.seed(apps, None)
    assert (Sector.objects.count(), Skill.objects.count()) == (sectors, skills)

    seed_migration.unseed(apps, None)
    assert not Sector.objects.exists()
    assert not Skill.objects.exists()

    seed_migration.seed(apps, None)
    assert (Sector.objects.count(), Skill.objects.count()) == (sectors, skills)


def test_skill_search_for_type_ahead_is_public():
    response = APIClient().get("/api/skills/", {"search": "blen"})
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["Blender"]


def test_merging_skills_moves_every_use_without_duplicates():
    target = Skill.objects.get(slug="blender")
    duplicate = Skill.objects.create(name="Blender 3D", slug="blender-3d")
    unrelated = Skill.objects.get(slug="unity")
    both = UserFactory().profile
    only_duplicate = UserFactory().profile
    neither = UserFactory().profile
    both.skills.add(target, duplicate, unrelated)
    only_duplicate.skills.add(duplicate)
    neither.skills.add(unrelated)

    assert skill_merge(sources=[duplicate, target], target=target) == 1

    assert not Skill.objects.filter(pk=duplicate.pk).exists()
    assert sorted(both.skills.values_list("slug", flat=True)) == ["blender", "unity"]
    assert list(only_duplicate.skills.values_list("slug", flat=True)) == ["blender"]
    assert list(neither.skills.values_list("slug", flat=True)) == ["unity"]
    assert both.skills.through.objects.filter(skill=target).count() == 2


def test_merging_several_sources_held_by_one_profile():
    target = Skill.objects.get(slug="blender")
    duplicate = Skill.objects.create(name="Blender 3D", slug="blender-3d")
    typo = Skill.objects.create(name="Blendr", slug="blendr")
    profile = UserFactory().profile
    profile.skills.add(duplicate, typo)

    assert skill_merge(sources=[duplicate, typo], target=target) == 2

    assert not Skill.objects.filter(pk__in=[duplicate.pk, typo.pk]).exists()
    assert list(profile.skills.values_list("slug", flat=True)) == ["blender"]


def test_merging_a_skill_into_itself_is_refused():
    target = Skill.objects.get(slug="blender")
    with pytest.raises(DomainError):
        skill_merge(sources=[target], target=target)
    assert Skill.objects.filter(pk=target.pk).exists()
