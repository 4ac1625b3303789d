"""Helpers shared by the event pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect

from partnerships.core.errors import DomainError
from partnerships.core.http import domain_error_response
from partnerships.organisations.models import Organisation

from .. import selectors
from ..models import Event
from ..permissions import can_host_event, can_manage_event, can_view_event


def run_action(request, action, *, success: str, redirect_to: str):
    """Run a service for a POST action: a message on success, a clear 4xx page on failure."""
    try:
        action()
    except DomainError as exc:
        return domain_error_response(request, exc, back_url=redirect_to)
    messages.success(request, success)
    return redirect(redirect_to)


def keep_on_form(form, exc: DomainError) -> int:
    """Put a service refusal on the form, so nothing typed is lost; return the status to answer."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
    return exc.status


def bound(request):
    return request.POST if request.method == "POST" else None


def event_or_404(request, pk: int, *, detail: bool = False) -> Event:
    """The event if the person may see it; 404 otherwise (drafts, other audiences)."""
    try:
        if detail:
            event = selectors.event_detail(pk)
        else:
            event = Event.objects.select_related(
                "organisation", "partnership__institution", "partnership__industry_partner"
            ).get(pk=pk)
    except Event.DoesNotExist:
        raise Http404 from None
    if not can_view_event(request.user, event):
        raise Http404
    return event


def managed_or_deny(request, pk: int) -> Event:
    """404 when the person cannot see it; 403 when they can see it but not organise it."""
    event = event_or_404(request, pk)
    if not can_manage_event(request.user, event):
        raise PermissionDenied
    return event


def hosting_organisations(user) -> list[Organisation]:
    """Verified organisations the person may host events for, by name."""
    if not user.is_authenticated:
        return []
    orgs = Organisation.objects.verified().filter(memberships__user=user).order_by("name")
    return [org for org in orgs.distinct() if can_host_event(user, org)]


def waitlist_positions(registrations) -> dict[int, int]:
    """Waitlist positions of registrations read through ``selectors.my_registrations`` (which
    annotates ``waitlist_rank`` in the same query)."""
    return {r.pk: r.waitlist_rank for r in registrations if getattr(r, "waitlist_rank", None)}
