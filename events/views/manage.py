"""Organisers: create and edit events, run their life cycle and agenda, and look after the
people registered (approve, decline, remove, export, check in at the door, message)."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnerships.core.errors import DomainError
from partnerships.core.http import domain_error_response
from partnerships.curriculum.exports import neutralise
from partnerships.organisations.models import Organisation, Status

from .. import selectors, services
from ..forms import (
    CancelEventForm,
    EventForm,
    MessageForm,
    RegistrantFilterForm,
    ReportingForm,
    SessionForm,
    SpeakerForm,
)
from ..models import (
    Audience,
    EventFormat,
    EventSession,
    EventStatus,
    Registration,
    RegistrationStatus,
    Speaker,
)
from ..services.registrations import CHECK_IN_OPENS_BEFORE
from ._common import bound, hosting_organisations, keep_on_form, managed_or_deny, run_action

S = EventStatus
R = RegistrationStatus
PAGE_SIZE = 50

ACTIONS = {
    "publish": (services.event_publish, gettext_lazy("The event is published and open.")),
    "complete": (services.event_complete, gettext_lazy("The event is marked as held.")),
}
ROW_ACTIONS = {
    "approve": (services.approve_registration, gettext_lazy("%(name)s: approved.")),
    "decline": (services.decline_registration, gettext_lazy("%(name)s: not approved.")),
    "cancel": (services.cancel_registration, gettext_lazy("%(name)s: place cancelled.")),
}


# --- Create and edit --------------------------------------------------------------------------


def _cannot_host(request):
    if request.method == "POST":
        raise PermissionDenied
    waiting = Organisation.objects.filter(memberships__user=request.user).exclude(
        status=Status.VERIFIED
    )
    return render(request, "events/cannot_host.html", {"waiting": list(waiting.order_by("name"))})


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    organisations = hosting_organisations(request.user)
    if not organisations:
        return _cannot_host(request)
    profile = getattr(request.user, "profile", None)
    initial = {
        "organisation": organisations[0].pk,
        "timezone": getattr(profile, "timezone", "") or timezone.get_current_timezone_name(),
        "format": EventFormat.IN_PERSON,
        "audience": Audience.PUBLIC,
    }
    form = EventForm(bound(request), organisations=organisations, initial=initial)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                event = services.event_create(
                    actor=request.user,
                    organisation=form.cleaned_data["organisation"],
                    **form.service_data(),
                )
            except DomainError as exc:
                status = keep_on_form(form, exc)
            else:
                messages.success(request, _("Draft saved. Publish it when it is ready."))
                return redirect(event)
    return render(
        request,
        "events/form.html",
        {"form": form, "organisations": organisations},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    event = managed_or_deny(request, pk)
    if event.status in (S.CANCELLED, S.COMPLETED):
        messages.info(
            request,
            _("A %(status)s event can no longer be edited.")
            % {"status": event.get_status_display().lower()},
        )
        return redirect(event)
    form = EventForm(bound(request), event=event, initial=EventForm.initial_for(event))
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            data = form.service_data()
            if "partnership" in data and data["partnership"] == event.partnership:
                del data["partnership"]  # unchanged: no need to re-check the partnership
            try:
                services.event_update(actor=request.user, event=event, **data)
            except DomainError as exc:
                status = keep_on_form(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect(event)
    return render(request, "events/form.html", {"form": form, "event": event}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def transition(request, pk: int, action: str):
    event = managed_or_deny(request, pk)
    if action == "cancel":
        return _cancel(request, event)
    if action not in ACTIONS:
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    service, success = ACTIONS[action]
    return run_action(
        request,
        lambda: service(actor=request.user, event=event),
        success=success,
        redirect_to=event.get_absolute_url(),
    )


def _cancel(request, event):
    """Cancelling asks for a reason first: everyone registered is told why."""
    form = CancelEventForm(bound(request))
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                services.event_cancel(
                    actor=request.user, event=event, reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                status = keep_on_form(form, exc)
            else:
                messages.success(request, _("The event is cancelled. Everyone registered is told."))
                return redirect(event)
    registered = event.registrations.filter(status__in=[R.CONFIRMED, R.WAITLISTED, R.PENDING])
    return render(
        request,
        "events/cancel.html",
        {"form": form, "event": event, "registered": registered.count()},
        status=status,
    )


# --- Agenda -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def agenda(request, pk: int):
    event = managed_or_deny(request, pk)
    which = request.POST.get("form") if request.method == "POST" else None
    session_form = SessionForm(
        request.POST if which == "session" else None, event=event, prefix="session"
    )
    speaker_form = SpeakerForm(
        request.POST if which == "speaker" else None,
        event=event,
        viewer=request.user,
        prefix="speaker",
    )
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if which == "session" and session_form.is_valid():
                data = session_form.cleaned_data
                services.session_save(
                    actor=request.user,
                    event=event,
                    title=data["title"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    description=data["description"],
                    room=data["room"],
                )
                messages.success(request, _("Session added to the agenda."))
                return redirect("events:agenda", pk=event.pk)
            if which == "speaker" and speaker_form.is_valid():
                data = speaker_form.cleaned_data
                services.speaker_add(
                    actor=request.user,
                    event=event,
                    user=data["email"],
                    name=data["name"],
                    affiliation=data["affiliation"],
                    session=data.get("session"),
                )
                messages.success(request, _("Speaker added."))
                return redirect("events:agenda", pk=event.pk)
        except DomainError as exc:
            status = keep_on_form(session_form if which == "session" else speaker_form, exc)
    sessions = event.sessions.prefetch_related("speakers__user__profile")
    speakers = Speaker.objects.filter(event=event).select_related("user__profile", "session")
    return render(
        request,
        "events/agenda.html",
        {
            "event": event,
            "sessions": list(sessions),
            "speakers": list(speakers),
            "session_form": session_form,
            "speaker_form": speaker_form,
            "editable": event.status in (S.DRAFT, S.PUBLISHED),
        },
        status=status,
    )


@login_required
@require_POST
def session_delete(request, pk: int, session_pk: int):
    event = managed_or_deny(request, pk)
    session = get_object_or_404(EventSession, pk=session_pk, event=event)
    return run_action(
        request,
        lambda: services.session_delete(actor=request.user, session=session),
        success=_("Session removed from the agenda."),
        redirect_to=reverse("events:agenda", args=[event.pk]),
    )


@login_required
@require_POST
def speaker_delete(request, pk: int, speaker_pk: int):
    event = managed_or_deny(request, pk)
    speaker = get_object_or_404(Speaker, pk=speaker_pk, event=event)
    return run_action(
        request,
        lambda: services.speaker_remove(actor=request.user, speaker=speaker),
        success=_("Speaker removed."),
        redirect_to=reverse("events:agenda", args=[event.pk]),
    )


# --- Registrants ------------------------------------------------------------------------------


def _back(name: str, event, request, keys=("q", "status", "page"), anchor: str = "") -> str:
    """The list the action came from, with its search and page kept."""
    params = {key: request.POST.get(key, "")[:200] for key in keys}
    query = urlencode({key: value for key, value in params.items() if value})
    url = reverse(name, args=[event.pk])
    return url + (f"?{query}" if query else "") + anchor


def _labelled(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return [(value, label, counts.get(value, 0)) for value, label in R.choices]


@login_required
@require_GET
def registrants(request, pk: int):
    event = managed_or_deny(request, pk)
    form = RegistrantFilterForm(request.GET or None)
    q = status = ""
    if form.is_bound and form.is_valid():
        q, status = form.cleaned_data["q"].strip(), form.cleaned_data["status"]
    rows = selectors.registrants(event, q=q, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.registration_counts(event)
    return render(
        request,
        "events/registrants.html",
        {
            "event": event,
            "form": form,
            "page": page,
            "q": q,
            "status": status,
            "counts": counts,
            "statuses": _labelled(counts),
            "filtered": bool(q or status),
        },
    )


@login_required
@require_POST
def registration_action(request, pk: int, registration_pk: int, action: str):
    event = managed_or_deny(request, pk)
    if action not in ROW_ACTIONS:
        raise Http404
    registration = get_object_or_404(
        Registration.objects.select_related("user__profile"),
        pk=registration_pk,
        event=event,
        user__isnull=False,  # an erased person's row is counted, never acted on
    )
    service, success = ROW_ACTIONS[action]
    kwargs = {"actor": request.user, "registration": registration}
    if action == "decline":
        kwargs["reason"] = request.POST.get("reason", "")[:500]
    return run_action(
        request,
        lambda: service(**kwargs),
        success=success % {"name": registration.user.display_name},
        redirect_to=_back("events:registrants", event, request),
    )


@login_required
@require_GET
def export_csv(request, pk: int):
    event = managed_or_deny(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}-registrants.csv"'
    response["Cache-Control"] = "private, no-store"
    writer = csv.writer(response)
    writer.writerow(
        [_("Name"), _("Email"), _("Institution"), _("Status"), _("Registered at"),
         _("Confirmed at"), _("Checked in at")]
    )  # fmt: skip

    def when(moment) -> str:
        return moment.astimezone(event.tzinfo).isoformat(timespec="minutes") if moment else ""

    for row in selectors.registrants(event):
        profile = getattr(row.user, "profile", None)
        institution = profile.institution if profile is not None else None
        cells = [
            row.user.display_name,
            row.user.email,
            institution.name if institution else "",
            row.get_status_display(),
            when(row.created_at),
            when(row.confirmed_at),
            when(row.checked_in_at),
        ]
        writer.writerow([neutralise(str(cell)) for cell in cells])
    return response


# --- Check-in at the door ---------------------------------------------------------------------


@login_required
@require_GET
def check_in(request, pk: int):
    event = managed_or_deny(request, pk)
    q = request.GET.get("q", "").strip()[:200]
    if "\x00" in q:
        return domain_error_response(
            request,
            DomainError(_("Search for a name or an email address without control characters.")),
            back_url=reverse("events:check_in", args=[event.pk]),
        )
    rows = selectors.registrants(event, q=q, status=R.CONFIRMED)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.registration_counts(event)
    opens_at = event.starts_at - CHECK_IN_OPENS_BEFORE
    return render(
        request,
        "events/check_in.html",
        {
            "event": event,
            "page": page,
            "q": q,
            "checked_in": counts["checked_in"],
            "confirmed": counts[R.CONFIRMED],
            "is_open": event.status in (S.PUBLISHED, S.COMPLETED) and timezone.now() >= opens_at,
            "opens_at": opens_at,
        },
    )


@login_required
@require_POST
def check_in_toggle(request, pk: int, registration_pk: int):
    event = managed_or_deny(request, pk)
    registration = get_object_or_404(
        Registration.objects.select_related("user__profile"),
        pk=registration_pk,
        event=event,
        user__isnull=False,  # an erased person's row is counted, never acted on
    )
    undo = request.POST.get("undo") == "1"
    back = _back("events:check_in", event, request, keys=("q", "page"))
    try:
        services.check_in(actor=request.user, registration=registration, undo=undo)
    except DomainError as exc:
        return domain_error_response(request, exc, back_url=back)
    name = registration.user.display_name
    if undo:
        messages.success(request, _("Check-in undone for %(name)s.") % {"name": name})
    else:
        messages.success(request, _("%(name)s is checked in.") % {"name": name})
    return redirect(back + f"#registrant-{registration.pk}")


# --- Knowledge-exchange reporting ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def reporting(request, pk: int):
    """Free or chargeable, and academic staff time: still editable once the event is held."""
    event = managed_or_deny(request, pk)
    initial = {"admission": event.admission, "academic_staff_days": event.academic_staff_days}
    form = ReportingForm(bound(request), initial=initial)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                services.event_record_reporting(
                    actor=request.user,
                    event=event,
                    admission=form.cleaned_data["admission"],
                    academic_staff_days=form.cleaned_data["academic_staff_days"],
                )
            except DomainError as exc:
                status = keep_on_form(form, exc)
            else:
                messages.success(request, _("Saved for the impact figures."))
                return redirect("events:reporting", pk=event.pk)
    return render(request, "events/reporting.html", {"event": event, "form": form}, status=status)


# --- Messages ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def message(request, pk: int):
    event = managed_or_deny(request, pk)
    form = MessageForm(bound(request))
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                sent = services.message_registrants(
                    actor=request.user,
                    event=event,
                    subject=data["subject"],
                    body=data["body"],
                    recipients=data["recipients"],
                )
            except DomainError as exc:
                status = keep_on_form(form, exc)
            else:
                count = sent.recipient_count
                messages.success(
                    request,
                    ngettext(
                        "Message sent to %(count)d person.",
                        "Message sent to %(count)d people.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect("events:message", pk=event.pk)
    history = event.messages.select_related("sender__profile")
    return render(
        request,
        "events/message.html",
        {"event": event, "form": form, "history": list(history)},
        status=status,
    )
