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


class PlacementRecommendation(models.Model):
    """A student's stored match with an open placement, so "Recommended for you" is one indexed
    read. Written set-based by the fan-out when a placement is published (every student scoring
    ``MATCHING_RECOMMEND_MIN_SCORE`` or more) and recomputed for one student when their profile
    changes (their best ``MATCHING_RECOMMEND_KEEP``). Closed placements are filtered out when
    read and pruned nightly."""

    student = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="placement_recommendations"
    )
    placement = models.ForeignKey(
        "placements.Placement", on_delete=models.CASCADE, related_name="recommendations"
    )
    score = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=dict)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["student", "placement"], name="recommendation_once_per_pair"
            ),
        ]
        indexes = [
            models.Index(fields=["student", "-score"], name="recommendation_best_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} ↔ {self.placement_id}: {self.score}"
