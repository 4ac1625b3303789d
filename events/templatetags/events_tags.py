"""Dashboard panel for events, computing its own data in a constant number of queries, and the
``organisers`` filter.

Usage: ``{% load events_tags %}{% events_dashboard_panel "student" %}`` (or ``"industry"``,
``"university"``); ``{{ event|organisers }}``.
"""

from django import template

from .. import selectors
from ..permissions import organiser_organisations
from ..views._common import hosting_organisations, waitlist_positions

register = template.Library()


@register.filter
def organisers(event) -> list:
    """Who runs the event: its organisation, and the other side of its partnership while that
    lasts (``permissions.organiser_organisations``)."""
    return organiser_organisations(event)


PANEL_ROWS = 5


@register.inclusion_tag("events/dashboard_panel.html", takes_context=True)
def events_dashboard_panel(context, kind: str):
    request = context.get("request")
    user = getattr(request, "user", None)
    data = {"kind": kind, "visible": bool(user and user.is_authenticated)}
    if not data["visible"]:
        return data
    if kind == "student":
        registrations = list(selectors.my_registrations(user, upcoming=True)[:PANEL_ROWS])
        positions = waitlist_positions(registrations)
        for registration in registrations:
            registration.position = positions.get(registration.pk)
        data["registrations"] = registrations
    else:
        data["events"] = list(selectors.hosted_events(user, upcoming=True)[:PANEL_ROWS])
        data["can_host"] = bool(hosting_organisations(user))
    return data
