"""Private calendar feeds: one secret address per person, revoked by issuing a new one."""

from django.db import transaction
from django.utils import timezone

from ..models import CalendarFeed, _new_feed_token


def feed_for(user) -> CalendarFeed:
    """The person's feed, created on first use."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def feed_reset(user) -> CalendarFeed:
    """Replace the token: calendars subscribed to the old address stop updating."""
    feed = feed_for(user)
    feed.token = _new_feed_token()
    feed.created_at = timezone.now()
    feed.last_fetched_at = None
    feed.save()
    return feed
