from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import Sector, Skill


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "name", "slug", "description"]


class SkillSerializer(serializers.ModelSerializer):
    sector = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Skill
        fields = ["id", "name", "slug", "sector"]


class SlugListField(serializers.SlugRelatedField):
    """Refer to taxonomy entries by slug, with an error that names the unknown one."""

    default_error_messages = {
        "does_not_exist": _("“{value}” is not a known {name}. See /api/{name}s/ for the list."),
        "invalid": _("Give the {name} as its slug, a string."),
    }

    def __init__(self, *, name: str, **kwargs):
        self.entity_name = name
        super().__init__(slug_field="slug", **kwargs)

    def fail(self, key, **kwargs):
        kwargs.setdefault("name", self.entity_name)
        return super().fail(key, **kwargs)
