"""The completion prompt: completed projects and placements ask both sides for a testimonial.

Registered as outbox handlers (after the notification handlers for the same events). A failure
here is logged and contained in a savepoint so it never blocks anybody's notifications.
"""

import logging

from django.db import transaction

from partnerships.activity.models import DomainEvent
from partnerships.notifications.outbox import handles
from partnerships.placements.models import Application
from partnerships.projects.models import Opportunity

from . import services

logger = logging.getLogger(__name__)


def _prompt(event: DomainEvent, model) -> int:
    target = model.objects.filter(pk=event.target_id).first()
    if target is None:
        return 0
    try:
        with transaction.atomic():
            services.request_testimonials_for_completion(target)
    except Exception:
        logger.exception("Could not ask for testimonials after domain event %s", event.pk)
    return 0  # no notifications written here


@handles("opportunity.completed")
def opportunity_completed(event: DomainEvent) -> int:
    return _prompt(event, Opportunity)


@handles("placement.completed")
def placement_completed(event: DomainEvent) -> int:
    return _prompt(event, Application)
