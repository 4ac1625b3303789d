"""The stories panel of a dashboard, computing its own data in a constant number of queries.

Usage: ``{% load stories_participate %}{% stories_dashboard_panel %}``. It shows what the person
is asked to do (answer a testimonial request, approve a story, consent to a quote) and, for
platform admins, how many stories wait in the curation queue; nothing when there is nothing.
"""

from django import template

from .. import permissions, selectors_manage

register = template.Library()

PANEL_ROWS = 5


@register.inclusion_tag("stories/participate/_dashboard_panel.html", takes_context=True)
def stories_dashboard_panel(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"visible": False}
    requests = list(selectors_manage.my_open_testimonial_requests(user)[: PANEL_ROWS + 1])
    approvals = selectors_manage.awaiting_my_approval(user)
    quotes = list(selectors_manage.quotes_awaiting_my_consent(user)[: PANEL_ROWS + 1])
    data = {
        "requests": requests[:PANEL_ROWS],
        "more_requests": len(requests) > PANEL_ROWS,
        "approvals": approvals[:PANEL_ROWS],
        "more_approvals": len(approvals) > PANEL_ROWS,
        "quotes": quotes[:PANEL_ROWS],
        "more_quotes": len(quotes) > PANEL_ROWS,
        "is_curator": permissions.is_curator(user),
    }
    if data["is_curator"]:
        data["counts"] = selectors_manage.status_counts()
    data["visible"] = bool(requests or approvals or quotes or data["is_curator"])
    return data
