"""Periodic matching jobs (Celery beat; see settings)."""

from celery import shared_task

from . import services


@shared_task
def refresh_skill_weights() -> int:
    """Nightly: skills grow rarer or commoner as students edit their profiles."""
    return services.refresh_skill_weights()
