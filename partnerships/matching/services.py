"""Writes for matching: refreshing skill rarity weights."""

from math import log

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import Profile, Role
from partnerships.core.models import Skill

from .models import SkillWeight


@transaction.atomic
def refresh_skill_weights() -> int:
    """Recount how many students list each skill (one grouped query over 387-odd skills) and
    store ln((N + 1) / (n + 1)) + 1 for every skill. Returns the number of skills weighed."""
    students = Profile.objects.filter(user__role=Role.STUDENT).count()
    counts = dict(
        Profile.skills.through.objects.filter(profile__user__role=Role.STUDENT)
        .values("skill_id")
        .annotate(n=Count("profile_id"))
        .values_list("skill_id", "n")
    )
    now = timezone.now()
    rows = [
        SkillWeight(
            skill_id=pk,
            students=counts.get(pk, 0),
            weight=log((students + 1) / (counts.get(pk, 0) + 1)) + 1,
            updated_at=now,
        )
        for pk in Skill.objects.values_list("pk", flat=True)
    ]
    SkillWeight.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["skill"],
        update_fields=["students", "weight", "updated_at"],
        batch_size=1000,
    )
    return len(rows)


def prune_recommendations(*, now=None) -> int:
    """Delete stored recommendations of placements that closed or passed their deadline."""
    from django.db.models import Q

    from partnerships.placements.models import PlacementStatus

    from .models import PlacementRecommendation

    now = now or timezone.now()
    stale = PlacementRecommendation.objects.filter(
        ~Q(placement__status=PlacementStatus.OPEN) | Q(placement__deadline__lte=now)
    )
    deleted, _by_model = stale.delete()
    return deleted
