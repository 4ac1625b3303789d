"""Dashboard panel for placements, computing its own data, and the plain pay line.

Usage: ``{% load placements_tags %}{% placements_dashboard_panel %}`` and
``{{ placement|pay_line }}`` (“Paid: £450.00 per week” or “Unpaid”).
"""

from django import template
from django.utils.translation import gettext as _

from .. import selectors
from ..models import PayPeriod

register = template.Library()

PANEL_ROWS = 5
SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


@register.filter
def pay_line(placement) -> str:
    if not placement.is_paid or placement.pay_amount is None:
        return _("Unpaid")
    symbol = SYMBOLS.get(placement.pay_currency)
    amount = f"{placement.pay_amount:,.2f}"
    money = f"{symbol}{amount}" if symbol else f"{placement.pay_currency} {amount}"
    period = PayPeriod(placement.pay_period).label if placement.pay_period else ""
    return (_("Paid: %(money)s %(period)s") % {"money": money, "period": period}).strip()


@register.inclusion_tag("placements/dashboard_panel.html", takes_context=True)
def placements_dashboard_panel(context, kind: str):
    request = context.get("request")
    user = getattr(request, "user", None)
    data = {"kind": kind, "visible": bool(user and user.is_authenticated)}
    if not data["visible"]:
        return data
    if kind == "student":
        data["applications"] = list(selectors.student_applications(user)[:PANEL_ROWS])
    elif kind == "industry":
        data["placements"] = list(selectors.organisation_placements(user)[:PANEL_ROWS])
    elif kind == "university":
        data["approvals"] = list(selectors.pending_approvals(user)[:PANEL_ROWS])
        data["is_officer"] = selectors.officer_institution_ids(user).exists()
    return data
