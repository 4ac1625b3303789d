"""Dashboard and organisation-page panels for calls, proposals and partnerships, computing their
own data so the pages that include them stay unchanged; and small display helpers.

Usage: ``{% load projects_tags %}{% projects_dashboard_panel %}`` on the dashboards,
``{% organisation_projects_panel organisation %}`` on an organisation's page, and
``{{ opportunity.deadline|closes_in }}``.
"""

from django import template
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partnerships.organisations.models import Membership
from partnerships.organisations.permissions import can_act_for, is_platform_admin

from .. import selectors
from ..models import LIVE_PARTNERSHIP_STATUSES, OpportunityStatus
from ..permissions import OTHER_SIDE
from ..views._common import verified_organisations
from ..views.partnerships import awaiting_answer_from

register = template.Library()

PANEL_ROWS = 5


@register.filter
def closes_in(deadline) -> str:
    """“closes in 3 days”, “closes today”, or “closed”, counted in the viewer's time zone."""
    if not deadline:
        return ""
    now = timezone.now()
    if deadline <= now:
        return _("closed")
    days = (timezone.localdate(deadline) - timezone.localdate(now)).days
    if days <= 0:
        return _("closes today")
    if days == 1:
        return _("closes tomorrow")
    return ngettext("closes in %(n)d day", "closes in %(n)d days", days) % {"n": days}


@register.inclusion_tag("projects/dashboard_panel.html", takes_context=True)
def projects_dashboard_panel(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    data = {"request": request, "user": user, "visible": False}
    if user is None or not user.is_authenticated:
        return data
    admin = is_platform_admin(user)
    has_memberships = Membership.objects.filter(user=user).exists()
    data.update(visible=True, is_admin=admin, has_memberships=has_memberships)
    if has_memberships or not admin:
        calls = selectors.organisation_opportunities(user)
        data["opportunities"] = list(calls[:PANEL_ROWS])
        data["opportunity_count"] = calls.count() if data["opportunities"] else 0
        data["can_post"] = bool(verified_organisations(user))
        proposals = selectors.my_proposals(user)
        data["proposals"] = list(proposals[:PANEL_ROWS])
        data["proposal_count"] = proposals.count() if data["proposals"] else 0
    partnerships = selectors.visible_partnerships(user)
    data["partnerships"] = list(partnerships[:PANEL_ROWS])
    for partnership in data["partnerships"]:
        awaiting = awaiting_answer_from(partnership)
        partnership.needs_my_answer = awaiting is not None and can_act_for(user, awaiting)
    data["partnership_count"] = partnerships.count() if data["partnerships"] else 0
    return data


@register.inclusion_tag("projects/organisation_panel.html", takes_context=True)
def organisation_projects_panel(context, organisation):
    """On an organisation's page: its open calls, and a way to propose a partnership with it."""
    request = context.get("request")
    user = getattr(request, "user", None)
    data = {"request": request, "organisation": organisation, "visible": False}
    if user is None or not organisation.is_verified:
        return data
    data["visible"] = True
    data["open_calls"] = selectors.opportunity_browse(user, organisation=organisation.slug).count()
    data["open_status"] = OpportunityStatus.OPEN
    if not user.is_authenticated:
        return data
    other_kind = OTHER_SIDE.get(organisation.kind)
    mine = [o for o in verified_organisations(user, other_kind) if o.pk != organisation.pk]
    data["can_propose"] = bool(mine)
    if mine:
        data["existing"] = (
            selectors.visible_partnerships(user)
            .filter(Q(institution=organisation) | Q(industry_partner=organisation))
            .filter(status__in=LIVE_PARTNERSHIP_STATUSES)
            .first()
        )
    return data
