"""Find events (a filtered list and a month calendar) and read one."""

import datetime

from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.selectors import visible_profiles
from partnerships.core.errors import DomainError
from partnerships.core.http import domain_error_response
from partnerships.core.page_cache import anonymous_page_cache, shared_filter_fields, shared_items

from .. import selectors, services
from ..forms import BrowseForm, MonthFilterForm
from ..models import EventKind, Registration, RegistrationStatus
from ..permissions import can_manage_event, can_register, can_see_online_link
from ._common import event_or_404, hosting_organisations

PAGE_SIZE = 20
MIN_YEAR, MAX_YEAR = services.MIN_YEAR, services.MAX_YEAR


@require_GET
@anonymous_page_cache("events", also=("event-seats",))
def browse(request):
    form = BrowseForm(request.GET or None)
    filters, when = {}, "upcoming"
    if form.is_bound and form.is_valid():
        filters = form.filters()
        when = form.cleaned_data["when"] or "upcoming"
    # Which events a person may see depends on who they are, so the query is theirs; it
    # reads ids (and seats taken) only, and each card (the same for everyone who may see the
    # event) is drawn once and shared by every list it is on, until its seats change.
    found = selectors.event_browse(request.user, when=when, **filters)
    rows = found.prefetch_related(None).values_list("pk", "seats_taken")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    seats_taken = dict(page.object_list)
    return render(
        request,
        "events/browse.html",
        {
            "form": form,
            "page": page,
            "cards": shared_items(
                "events", "card", list(seats_taken), _draw_cards, versions=seats_taken
            ),
            "filter_fields_html": shared_filter_fields(
                "events", request, form, "events/_browse_filter_fields.html"
            ),
            "when": when,
            "filtered": bool(form.is_bound and any(filters.values())),
            "can_host": bool(hosting_organisations(request.user)),
        },
    )


def _draw_cards(ids: list[int]) -> dict[int, tuple[str, int]]:
    """Each card with the seats taken it shows (read again here, so maybe newer than the list's)."""
    return {
        event.pk: (render_to_string("events/_card.html", {"event": event}), event.seats_taken)
        for event in selectors.event_cards(ids)
    }


def _month_param(request, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise DomainError(
            _("Choose a month from 1 to 12 and a year from %(low)d to %(high)d.")
            % {"low": MIN_YEAR, "high": MAX_YEAR},
            field=name,
        )
    return value


@require_GET
def month(request):
    today = timezone.localdate()
    try:
        year = _month_param(request, "year", today.year, MIN_YEAR, MAX_YEAR)
        number = _month_param(request, "month", today.month, 1, 12)
    except DomainError as exc:
        return domain_error_response(request, exc, back_url=reverse("events:month"))
    form = MonthFilterForm(request.GET)
    filters = form.filters() if form.is_valid() else {}
    weeks, by_day = selectors.month_grid(request.user, year, number, **filters)
    first = datetime.date(year, number, 1)
    previous = first - datetime.timedelta(days=1)
    following = first + datetime.timedelta(days=32)
    rows = [[(day, by_day.get(day, [])) for day in week] for week in weeks]
    return render(
        request,
        "events/month.html",
        {
            "form": form,
            "first": first,
            "today": today,
            "weekdays": weeks[0],
            "weeks": rows,
            "days_with_events": [
                (day, events) for day, events in sorted(by_day.items()) if day.month == number
            ],
            "previous": previous if previous.year >= MIN_YEAR else None,
            "following": following if following.year <= MAX_YEAR else None,
        },
    )


@require_GET
@anonymous_page_cache("events", also=("event-seats",))
def detail(request, pk: int):
    event = event_or_404(request, pk, detail=True)
    user = request.user
    registration = selectors.registration_of(user, event)
    manages = can_manage_event(user, event)
    waitlisted = Registration.objects.filter(
        event=event, status=RegistrationStatus.WAITLISTED
    ).count()
    sessions = list(event.sessions.all())
    event_speakers = [s for s in event.speakers.all() if s.session_id is None]
    on_tandem = [s.user_id for s in event_speakers if s.user_id]
    # A speaker's name links to their profile only for those allowed to open it.
    linked_speakers = (
        set(visible_profiles(user).filter(user_id__in=on_tandem).values_list("user_id", flat=True))
        if on_tandem
        else set()
    )
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "registration": registration,
            "position": services.waitlist_position(registration) if registration else None,
            "waitlisted": waitlisted,
            "state": event.registration_state(),
            "may_register": can_register(user, event),
            "show_link": can_see_online_link(user, event, registration),
            "can_manage": manages,
            "counts": selectors.registration_counts(event) if manages else None,
            "sessions": sessions,
            "event_speakers": event_speakers,
            "linked_speakers": linked_speakers,
            "show_agenda": bool(sessions) or event.kind == EventKind.CONFERENCE,
            "started": event.starts_at <= timezone.now(),
        },
    )
