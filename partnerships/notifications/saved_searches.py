"""Saved searches: a browse page's filters kept by a person, alerting them about new matches.

``save_search`` takes the browse page's GET parameters and validates them with the browse page's
own form, so a saved search means exactly what the page showed. Parameters that only shape the
page (``page``) or a moment (``deadline_soon``, ``date_from``, ``date_to``, ``when``) are checked
like the page checks them but not kept: alerts are about what is new. Anything else is refused.

Alerts are written by ``saved_search_alerts`` when a placement or event is published.
"""

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import StudyLevel
from events.forms import BrowseForm as EventBrowseForm
from events.models import EventKind
from partnerships.core.errors import DomainError, PermissionDenied
from partnerships.placements.forms import BrowseForm as PlacementBrowseForm
from partnerships.placements.models import PlacementKind
from partnerships.projects.models import Mode

from .models import Frequency, SavedSearch, SavedSearchScope

MAX_SAVED_SEARCHES = 20
ALERT_FREQUENCIES = [f.value for f in SavedSearch.ALERT_FREQUENCIES]
# Browse parameters checked like the page checks them, but not part of a saved search.
TRANSIENT = {
    SavedSearchScope.PLACEMENTS: {"page", "deadline_soon"},
    SavedSearchScope.EVENTS: {"page", "date_from", "date_to", "when"},
}
# The filters a saved search keeps, per scope (the model's columns).
FILTERS = {
    SavedSearchScope.PLACEMENTS: (
        "q", "kind", "sector", "skill", "mode", "paid_only", "location", "level",
    ),
    SavedSearchScope.EVENTS: ("q", "kind", "sector", "organiser", "attendance"),
}  # fmt: skip
FOREIGN = ("sector", "skill", "organiser")


FORMS = {SavedSearchScope.PLACEMENTS: PlacementBrowseForm, SavedSearchScope.EVENTS: EventBrowseForm}

FREQUENCY_PHRASES = {
    Frequency.INSTANT: gettext_lazy("by email at once"),
    Frequency.DAILY: gettext_lazy("daily digest"),
    Frequency.WEEKLY: gettext_lazy("weekly digest"),
}


def frequency_phrase(frequency: str) -> str:
    return str(FREQUENCY_PHRASES.get(frequency, frequency))


# --- Reading -------------------------------------------------------------------------------


def saved_searches_of(user) -> QuerySet[SavedSearch]:
    """The person's own saved searches, newest first, with what their labels and links need."""
    if not user.is_authenticated:
        return SavedSearch.objects.none()
    return SavedSearch.objects.filter(user=user).select_related("sector", "skill", "organiser")


def filter_params(search: SavedSearch) -> dict[str, str]:
    """The browse page's GET parameters for the search (only the filters that are set)."""
    params: dict[str, str] = {}
    for name in FILTERS[search.scope]:
        if name in FOREIGN:
            related = getattr(search, name)
            if related is not None:
                params[name] = related.slug
        elif name == "paid_only":
            if search.paid_only:
                params[name] = "on"
        elif getattr(search, name):
            params[name] = getattr(search, name)
    return params


def browse_url(search: SavedSearch) -> str:
    """The browse page showing what the search looks for."""
    name = "placements:browse" if search.scope == SavedSearchScope.PLACEMENTS else "events:browse"
    query = urlencode(filter_params(search))
    return f"{reverse(name)}?{query}" if query else reverse(name)


# --- Labels --------------------------------------------------------------------------------

PLACEMENT_NOUNS = {
    PlacementKind.INTERNSHIP: gettext_lazy("internships"),
    PlacementKind.WORK_PLACEMENT: gettext_lazy("work placements"),
    PlacementKind.GRADUATE_ROLE: gettext_lazy("graduate roles"),
    PlacementKind.MICRO_PLACEMENT: gettext_lazy("micro-placements"),
}
EVENT_NOUNS = {
    EventKind.NETWORKING: gettext_lazy("networking events"),
    EventKind.WORKSHOP: gettext_lazy("workshops"),
    EventKind.GUEST_LECTURE: gettext_lazy("guest lectures"),
    EventKind.SEMINAR: gettext_lazy("seminars"),
    EventKind.CONFERENCE: gettext_lazy("conferences"),
    EventKind.SHOWCASE: gettext_lazy("showcases and exhibitions"),
    EventKind.CAREERS_FAIR: gettext_lazy("careers fairs"),
}
MODE_WORDS = {
    Mode.REMOTE: gettext_lazy("remote"),
    Mode.HYBRID: gettext_lazy("hybrid"),
    Mode.ON_SITE: gettext_lazy("on-site"),
}
ATTENDANCE_WORDS = {"online": gettext_lazy("online"), "in_person": gettext_lazy("in-person")}


def make_label(scope: str, filters: dict) -> str:
    """Words for the filters, e.g. "Paid remote internships in Animation matching “unity”"."""
    words: list[str] = []
    if scope == SavedSearchScope.PLACEMENTS:
        if filters.get("paid_only"):
            words.append(_("paid"))
        if filters.get("mode"):
            words.append(str(MODE_WORDS[filters["mode"]]))
        words.append(str(PLACEMENT_NOUNS.get(filters.get("kind"), _("placements"))))
    else:
        if filters.get("attendance"):
            words.append(str(ATTENDANCE_WORDS[filters["attendance"]]))
        words.append(str(EVENT_NOUNS.get(filters.get("kind"), _("events"))))
    if filters.get("sector"):
        words.append(_("in %(sector)s") % {"sector": filters["sector"].name})
    if filters.get("skill"):
        words.append(_("using %(skill)s") % {"skill": filters["skill"].name})
    if filters.get("level"):
        words.append(_("for %(level)s students") % {"level": StudyLevel(filters["level"]).label})
    if filters.get("location"):
        words.append(_("near %(place)s") % {"place": filters["location"]})
    if filters.get("organiser"):
        words.append(_("by %(organiser)s") % {"organiser": filters["organiser"].name})
    if filters.get("q"):
        q = filters["q"] if len(filters["q"]) <= 60 else filters["q"][:59] + "…"
        words.append(_("matching “%(q)s”") % {"q": q})
    label = " ".join(words)
    label = label[:1].upper() + label[1:]
    return label if len(label) <= 200 else label[:199] + "…"


# --- Writing -------------------------------------------------------------------------------


def _refuse_anonymous(user) -> None:
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Sign in to save searches."), code="sign_in")


def _check_frequency(frequency: str) -> str:
    if frequency not in ALERT_FREQUENCIES:
        raise DomainError(
            _("Choose how often to hear about new matches: at once, daily or weekly."),
            field="frequency",
            code="frequency",
        )
    return frequency


def _plain(params) -> dict:
    """A QueryDict (last value of each name, as the browse form reads it) or a dict."""
    if hasattr(params, "lists"):
        return {name: values[-1] if values else "" for name, values in params.lists()}
    return dict(params or {})


def clean_filters(scope: str, params) -> dict:
    """Validate browse parameters with the browse page's form; the filters a search keeps
    (model instances for sector, skill and organiser). Raises ``DomainError``."""
    if scope not in FILTERS:
        raise DomainError(_("Choose placements or events."), field="scope", code="scope")
    data = _plain(params)
    for name, value in data.items():
        if value is not None and not isinstance(value, str | bool | int):
            raise DomainError(
                _("“%(name)s” must be a single value.") % {"name": name}, field=name, code="invalid"
            )
    form = FORMS[scope](data)
    unknown = sorted(set(data) - set(form.fields) - TRANSIENT[scope])
    if unknown:
        raise DomainError(
            _("These are not filters of this page: %(names)s.") % {"names": ", ".join(unknown)},
            field=unknown[0],
            code="unknown_filter",
        )
    if not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        label = form.fields[name].label if name in form.fields else ""
        message = f"{label}: {errors[0]}" if label else errors[0]
        raise DomainError(message, field=name if name in form.fields else None, code="invalid")
    cleaned = form.cleaned_data
    filters = {}
    for name in FILTERS[scope]:
        value = cleaned.get(name)
        if isinstance(value, str):
            value = " ".join(value.split())
        filters[name] = value if value not in (None, "") else None
    if not any(filters.values()):
        raise DomainError(
            _("Choose at least one filter or search term before saving a search."),
            code="no_filters",
        )
    return filters


def _columns(filters: dict) -> dict:
    """Every filter column: "any" is empty text, null or false (the other scope's stay so)."""
    columns = {"q": "", "kind": "", "sector": None, "skill": None, "mode": "", "paid_only": False,
               "location": "", "level": "", "attendance": "", "organiser": None}  # fmt: skip
    for name, value in filters.items():
        if name in FOREIGN:
            columns[name] = value
        elif name == "paid_only":
            columns[name] = bool(value)
        else:
            columns[name] = value or ""
    return columns


def _same_search(user, scope: str, columns: dict) -> SavedSearch | None:
    """The person's search with these filters (text compared case-insensitively)."""
    lookup = {}
    for name, value in columns.items():
        if name in ("q", "location"):
            lookup[f"{name}_lower"] = value.lower()
        elif value is None:
            lookup[f"{name}__isnull"] = True
        else:
            lookup[name] = value
    return (
        SavedSearch.objects.filter(user=user, scope=scope)
        .annotate(q_lower=Lower("q"), location_lower=Lower("location"))
        .filter(**lookup)
        .order_by("pk")
        .first()
    )


def save_search(user, scope: str, params, frequency: str = Frequency.DAILY) -> SavedSearch:
    """Keep the browse page's filters for ``user``; saving the same search again returns the
    one already saved (with the frequency now chosen). ``search.created`` tells which."""
    _refuse_anonymous(user)
    _check_frequency(frequency)
    filters = clean_filters(scope, params)
    columns = _columns(filters)
    with transaction.atomic():
        # One save at a time per person, so the limit holds under concurrent requests.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        existing = _same_search(user, scope, columns)
        if existing is None:
            if SavedSearch.objects.filter(user=user).count() >= MAX_SAVED_SEARCHES:
                raise DomainError(
                    _(
                        "You can keep at most %(max)d saved searches. Delete one you no longer "
                        "need to save this one."
                    )
                    % {"max": MAX_SAVED_SEARCHES},
                    code="too_many_saved_searches",
                )
            try:
                with transaction.atomic():
                    search = SavedSearch.objects.create(
                        user=user,
                        scope=scope,
                        label=make_label(scope, filters),
                        frequency=frequency,
                        **columns,
                    )
                search.created = True
                return search
            except IntegrityError:
                existing = _same_search(user, scope, columns)
                if existing is None:
                    raise
        if existing.frequency != frequency:
            existing.frequency = frequency
            existing.save(update_fields=["frequency"])
        existing.created = False
        return existing


def _refuse_unless_owner(user, search: SavedSearch) -> None:
    _refuse_anonymous(user)
    if search.user_id != user.pk:
        raise PermissionDenied(_("This is someone else's saved search."))


def set_frequency(user, search: SavedSearch, frequency: str) -> SavedSearch:
    """Change how often the owner hears about new matches."""
    _refuse_unless_owner(user, search)
    _check_frequency(frequency)
    if search.frequency != frequency:
        search.frequency = frequency
        search.save(update_fields=["frequency"])
    return search


def delete_search(user, search: SavedSearch) -> None:
    """Stop the alerts (the notifications already sent stay in the inbox)."""
    _refuse_unless_owner(user, search)
    search.delete()
