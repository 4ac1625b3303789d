"""Attendees: register, cancel their place, and see the events they are going to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from partnerships.core.errors import DomainError

from .. import selectors, services
from ..models import Registration, RegistrationStatus
from ._common import event_or_404, waitlist_positions

R = RegistrationStatus


@login_required
@require_GET
def my_events(request):
    upcoming = list(selectors.my_registrations(request.user, upcoming=True))
    past = list(selectors.my_registrations(request.user, upcoming=False)[:50])
    positions = waitlist_positions(upcoming)
    for registration in upcoming:
        registration.position = positions.get(registration.pk)
    return render(request, "events/my_events.html", {"upcoming": upcoming, "past": past})


def _registered_message(registration: Registration) -> str:
    title = registration.event.title
    if registration.status == R.CONFIRMED:
        return _("You have a place at “%(title)s”. We have emailed you the details.") % {
            "title": title
        }
    if registration.status == R.WAITLISTED:
        return _(
            "“%(title)s” is full, so you are on the waitlist at position %(position)d. "
            "If a place frees up it is yours, and we will email you."
        ) % {"title": title, "position": services.waitlist_position(registration)}
    return _(
        "The organisers of “%(title)s” approve each registration; we will email you when they "
        "decide."
    ) % {"title": title}


@require_POST
def register(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("events:detail", args=[pk]))
    event = event_or_404(request, pk)
    try:
        registration = services.register(actor=request.user, event=event)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        registration.event = event
        messages.success(request, _registered_message(registration))
    return redirect(event)


@login_required
@require_POST
def cancel(request, pk: int):
    event = event_or_404(request, pk)
    registration = selectors.registration_of(request.user, event)
    if registration is None:
        raise Http404
    try:
        services.cancel_registration(actor=request.user, registration=registration)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You cancelled your place. Thank you for letting us know."))
    return redirect(event)
