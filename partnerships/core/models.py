"""The shared taxonomy: creative-industry sectors and a curated skills vocabulary."""

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Sector(models.Model):
    """A creative-industry sector, seeded from the UK DCMS creative industries groups."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("creative sector")
        verbose_name_plural = _("creative sectors")

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    """A creative or technical skill people pick from, curated by platform admins."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("main sector"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="skills",
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive skills are hidden from pickers.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="core_skill_name_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name
