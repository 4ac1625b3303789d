"""Calendar files: one event's ``.ics``, and each person's private subscription feed."""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import calendar, selectors, services
from ..models import CalendarFeed
from ..permissions import can_see_online_link
from ._common import event_or_404

FEED_TOKEN = re.compile(r"[0-9a-f]{64}")


def _ics_response(body: bytes, *, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(body, content_type=calendar.CONTENT_TYPE)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def event_ics(request, pk: int):
    event = event_or_404(request, pk)
    registration = selectors.registration_of(request.user, event)
    with_link = can_see_online_link(request.user, event, registration)
    body = calendar.build_calendar([event], links_for=[event.pk] if with_link else [])
    response = _ics_response(body, filename=calendar.event_filename(event))
    if with_link:
        response["Cache-Control"] = "private, no-store"
    return response


def feed_urls(feed: CalendarFeed) -> tuple[str, str]:
    """The feed's https address, and the same as ``webcal://`` (opens calendar apps)."""
    url = f"{settings.SITE_URL}{feed.get_absolute_url()}"
    return url, "webcal://" + url.split("://", 1)[-1]


@login_required
@require_http_methods(["GET", "POST"])
def feed_settings(request):
    if request.method == "POST":
        services.feed_reset(request.user)
        messages.success(
            request,
            _(
                "Your calendar feed has a new address. The old one no longer works: "
                "subscribe again."
            ),
        )
        return redirect("events:feed_settings")
    feed = services.feed_for(request.user)
    url, webcal = feed_urls(feed)
    return render(
        request, "events/feed_settings.html", {"feed": feed, "feed_url": url, "webcal_url": webcal}
    )


@require_GET
def feed(request, token: str):
    """The person's confirmed events for calendar apps; the secret address is the only key."""
    if not FEED_TOKEN.fullmatch(token):
        raise Http404
    row = (
        CalendarFeed.objects.select_related("user__profile")
        .filter(token=token, user__is_active=True)
        .first()
    )
    if row is None:
        raise Http404
    CalendarFeed.objects.filter(pk=row.pk).update(last_fetched_at=timezone.now())
    events = list(selectors.feed_events(row.user))
    body = calendar.build_calendar(
        events,
        links_for=[event.pk for event in events],
        name=_("Tandem — %(name)s") % {"name": row.user.display_name},
    )
    response = _ics_response(body)
    response["Cache-Control"] = "private, max-age=300"
    return response
