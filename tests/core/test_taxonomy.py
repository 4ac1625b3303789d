import pytest
from rest_framework.test import APIClient

from partnerships.core.models import Sector, Skill
from partnerships.core.services import skill_merge
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

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
    assert list(Sector.objects.values_list("name", flat=True)) == DCMS_GROUPS
    assert "games" in Sector.objects.get(slug="it-software-games").description


def test_skills_vocabulary_is_seeded():
    assert Skill.objects.count() >= 300
    assert Skill.objects.get(slug="c-sharp").name == "C#"
    assert Skill.objects.get(slug="c-plus-plus").name == "C++"
    assert Skill.objects.filter(sector__isnull=True).count() == 0


def test_skill_search_for_type_ahead_is_public():
    response = APIClient().get("/api/skills/", {"search": "blen"})
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["Blender"]


def test_merging_skills_moves_every_use_without_duplicates():
    target = Skill.objects.get(slug="blender")
    duplicate = Skill.objects.create(name="Blender 3D", slug="blender-3d")
    both, only_duplicate = UserFactory().profile, UserFactory().profile
    both.skills.add(target, duplicate)
    only_duplicate.skills.add(duplicate)

    assert skill_merge(sources=[duplicate, target], target=target) == 1

    assert not Skill.objects.filter(pk=duplicate.pk).exists()
    assert list(both.skills.all()) == [target]
    assert list(only_duplicate.skills.all()) == [target]
