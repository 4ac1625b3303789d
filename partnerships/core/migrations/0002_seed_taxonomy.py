from django.db import migrations
from django.utils.text import slugify

from ._taxonomy_0002 import SECTORS, SKILLS


def skill_slug(name: str) -> str:
    return slugify(name.replace("#", " sharp").replace("+", " plus").replace("/", " "))


def seed(apps, schema_editor):
    """The nine UK DCMS creative-industry groups and a curated skills vocabulary."""
    Sector = apps.get_model("core", "Sector")
    Skill = apps.get_model("core", "Skill")
    sectors = {}
    for position, (slug, name, description) in enumerate(SECTORS, start=1):
        sectors[slug], _ = Sector.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
    for sector_slug, names in SKILLS.items():
        for name in names:
            Skill.objects.get_or_create(
                slug=skill_slug(name), defaults={"name": name, "sector": sectors[sector_slug]}
            )


def unseed(apps, schema_editor):
    Sector = apps.get_model("core", "Sector")
    Skill = apps.get_model("core", "Skill")
    Skill.objects.filter(
        slug__in=[skill_slug(n) for names in SKILLS.values() for n in names]
    ).delete()
    Sector.objects.filter(slug__in=[slug for slug, _, _ in SECTORS]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
