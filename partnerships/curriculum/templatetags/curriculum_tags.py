"""The "Curriculum reviews" panel on every dashboard, computing its own data.

Usage: ``{% load curriculum_tags %}{% curriculum_dashboard_panel %}``.
"""

from django import template

from accounts.models import Role
from partnerships.organisations.models import Kind
from partnerships.organisations.permissions import is_platform_admin

from .. import selectors
from ..models import CurriculumReview, ReviewStatus
from ..permissions import can_request_review, verified_organisations

register = template.Library()

PANEL_ROWS = 5


def _counts(qs) -> list[dict]:
    counts = selectors.status_counts(qs)
    return [
        {"status": value, "label": label, "count": counts.get(value, 0)}
        for value, label in ReviewStatus.choices
    ]


@register.inclusion_tag("curriculum/dashboard_panel.html", takes_context=True)
def curriculum_dashboard_panel(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    data = {"request": request, "user": user, "visible": False}
    if user is None or not user.is_authenticated:
        return data
    admin = is_platform_admin(user)
    data["visible"] = True
    data["is_admin"] = admin
    if admin:
        data["all_counts"] = _counts(CurriculumReview.objects.all())
    if user.role == Role.UNIVERSITY or verified_organisations(user, Kind.INSTITUTION):
        requested = selectors.institution_reviews(user)
        data["show_requested"] = True
        data["can_request"] = can_request_review(user)
        data["requested"] = list(requested[:PANEL_ROWS])
        data["requested_counts"] = _counts(selectors.institution_reviews(user, counted=False))
    if user.role == Role.INDUSTRY or verified_organisations(user, Kind.INDUSTRY):
        data["show_reviewing"] = True
        data["can_volunteer"] = bool(verified_organisations(user, Kind.INDUSTRY))
        data["reviewing"] = list(selectors.my_reviewing(user)[: PANEL_ROWS * 2])
        calls = selectors.open_calls(user)
        data["open_calls"] = list(calls[:PANEL_ROWS])
        data["open_call_count"] = calls.count()
    return data
