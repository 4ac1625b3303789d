"""Periodic matching jobs (Celery beat; see settings)."""

from celery import shared_task

from . import services


@shared_task
def refresh_skill_weights() -> int:
    """Nightly: skills grow rarer or commoner as students edit their profiles."""
    return services.refresh_skill_weights()


@shared_task
def prune_recommendations() -> int:
    """Nightly: drop stored recommendations of placements no longer open."""
    return services.prune_recommendations()


@shared_task
def refresh_student_recommendations(*, user_id: int) -> int:
    """After a student's profile changed: recompute their stored recommendations."""
    from accounts.models import User

    from .placements import refresh_recommendations

    user = User.objects.filter(pk=user_id).select_related("profile").first()
    return refresh_recommendations(user) if user is not None else 0
