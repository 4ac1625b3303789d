from django.db import migrations
from django.db.models.functions import Lower
from django.utils.text import slugify

from ._taxonomy_0002 import SECTORS, SKILLS


def skill_slug(name: str) -> str:
    """``C#`` → ``c-sharp``, ``C++`` → ``c-plus-plus``, ``Max/MSP`` → ``max-msp``, ``p5.js`` →
    ``p5-js``."""
    for char, word in (("#", " sharp"), ("+", " plus"), ("/", " "), (".", " ")):
        name = name.replace(char, word)
    return slugify(name)


def seed(apps, schema_editor):
    """The nine UK DCMS creative-industry groups and a curated skills vocabulary.

    Safe to run again: sectors are matched by slug, skills by name (case-insensitively, as the
    model's unique constraint does) and then by slug; nothing is duplicated.
    """
    Sector = apps.get_model("core", "Sector")
    Skill = apps.get_model("core", "Skill")
    sectors = {None: None}
    for position, (slug, name, description) in enumerate(SECTORS, start=1):
        sectors[slug], _ = Sector.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
    for sector_slug, names in SKILLS.items():
        for name in names:
            if Skill.objects.filter(name__iexact=name).exists():
                continue  # already there (maybe renamed slug or added by an admin): leave it be
            base = skill_slug(name)
            slug, n = base, 2
            while Skill.objects.filter(slug=slug).exclude(name__iexact=name).exists():
                slug, n = f"{base}-{n}", n + 1
            Skill.objects.get_or_create(
                slug=slug, defaults={"name": name, "sector": sectors[sector_slug]}
            )


def unseed(apps, schema_editor):
    Sector = apps.get_model("core", "Sector")
    Skill = apps.get_model("core", "Skill")
    names = [name.lower() for names in SKILLS.values() for name in names]
    Skill.objects.annotate(lower_name=Lower("name")).filter(lower_name__in=names).delete()
    Sector.objects.filter(slug__in=[slug for slug, _, _ in SECTORS]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
