"""Skill rarity: rarer skills weigh more when two sides share them."""

from django.db import models
from django.utils import timezone


class SkillWeight(models.Model):
    """Inverse document frequency of a skill among student profiles, refreshed by Celery beat
    (``matching.tasks.refresh_skill_weights``): weight = ln((N + 1) / (n + 1)) + 1, where N is
    the number of students and n those listing the skill. A skill nobody lists yet weighs most."""

    skill = models.OneToOneField(
        "core.Skill", on_delete=models.CASCADE, primary_key=True, related_name="weight"
    )
    students = models.PositiveIntegerField(default=0)
    weight = models.FloatField()
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.skill_id}: {self.weight:.2f}"
