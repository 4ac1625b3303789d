"""Browse, search and detail pages for anonymous visitors, served from the cache (Redis in
production).

Anonymous visitors all see the same page for the same URL, and they are most of the traffic on
the public lists, which cost 20–50 ms to render against about 1 ms for a bare view
(docs/performance.md, "Load test"). So their HTML is kept for ``PAGE_CACHE_SECONDS`` under the
full URL. A page is served from or stored in the cache only when nothing in it can be personal:

* the request carries no session, no messages cookie and no ``Authorization`` header (so nobody
  is signed in, and no flash message is waiting to be shown; no database query is needed to know);
* the response is a plain 200 that set no cookie and used no CSRF token.

Freshness: every page of a scope (``"placements"``, ``"events"``, ``"stories"``) is stored with
the scope's generation number, which ``touch()`` raises after a change is committed — saving or
deleting the models listed in ``SCOPES`` does it, and the services that write with ``update()``
call it themselves. A stored value is used only while its generation is the scope's current one;
both are read in the same round trip. What a ``touch()`` misses is at most
``PAGE_CACHE_SECONDS`` old.

A seat taken or given up changes only what shows the seats left: it raises ``"event-seats"``,
under which the events' whole pages are also stored (``also=``), and each event card is kept under
its own count of seats taken (``versions=``). So a busy event's registrations redraw its card and
the visitors' event pages, not every other card, the filters or the dashboards' rankings.

If the cache is unreachable the page is rendered as usual, and the process leaves the cache alone
for ``OUTAGE_PAUSE`` seconds rather than wait out the connection timeout on every call: a cache
outage costs speed, never a page.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

logger = logging.getLogger(__name__)
T = TypeVar("T")
Drawn = tuple[str, object]  # a fragment's HTML and the version it shows (``shared_items``)

# Scope -> "app_label.Model" whose changes make the scope's cached pages stale.
SCOPES: dict[str, tuple[str, ...]] = {
    "placements": (
        "placements.Placement",
        "placements.PlacementQuestion",
        "organisations.Organisation",
        "core.Skill",
        "core.Sector",
    ),
    "events": (
        "events.Event",
        "projects.Partnership",  # its end changes who runs its events (cards, filters)
        "events.EventSession",
        "events.Speaker",
        "organisations.Organisation",
        "core.Sector",
    ),
    "stories": ("stories.Story", "organisations.Organisation"),
    # Raised by the registration services themselves when seats are taken or given up.
    "event-seats": (),
}


# Part of every key but the generations': raise it when the shape of a stored value changes, so
# that during a deploy the new code never reads what the old one stored (nor the reverse).
KEY_VERSION = 3
# After a failed call this process leaves the cache alone for this many seconds: a request
# makes up to seven cache calls, and each would otherwise wait out the connection timeout.
OUTAGE_PAUSE = 5.0
_down_until = 0.0


def _attempt(what: str, call: Callable[[], T]) -> tuple[bool, T | None]:
    """``(True, call())``, or ``(False, None)`` when the cache is unreachable or was a moment
    ago: the caller renders without it. A cache outage costs speed, never a page."""
    global _down_until
    if time.monotonic() < _down_until:
        return False, None
    try:
        return True, call()
    except Exception:
        _down_until = time.monotonic() + OUTAGE_PAUSE
        logger.warning("page cache unreachable (%s); not used for %.0f s", what, OUTAGE_PAUSE)
        return False, None


def _generation_key(scope: str) -> str:
    return f"page-cache:{scope}:generation"


def _read(
    scopes: tuple[str, ...], keys: list[str], what: str
) -> tuple[str | None, dict[str, object]]:
    """The current generation of ``scopes`` (joined: a value stored with it goes stale when any
    of them changes) and the values under ``keys`` that were stored with that generation, in one
    round trip. ``(None, {})`` when the page cache is off or unreachable: render without it."""
    if settings.PAGE_CACHE_SECONDS <= 0:
        return None, {}
    generation_keys = [_generation_key(scope) for scope in scopes]
    ok, found = _attempt(what, lambda: cache.get_many([*generation_keys, *keys]))
    if not ok:
        return None, {}
    generation = ".".join(str(found.get(key, 0)) for key in generation_keys)
    current = {}
    for key in keys:
        stored = found.get(key)
        if stored is not None and stored[0] == generation:
            current[key] = stored[1]
    return generation, current


def _write(values: dict[str, object], generation: str | None, what: str) -> None:
    """Store ``values`` with the generation they were drawn under (``None``: the cache is off or
    was unreachable when it was read, so leave it alone)."""
    if generation is not None and values:
        stamped = {key: (generation, value) for key, value in values.items()}
        _attempt(what, lambda: cache.set_many(stamped, settings.PAGE_CACHE_SECONDS))


def _key(scope: str, part: str, name: str, *, localised: bool = True) -> str:
    """Every stored value's key: format version, scope, part, and, for HTML, the language and
    time zone it was drawn in."""
    where = f"{get_language()}:{get_current_timezone_name()}:" if localised else ""
    return f"page-cache:v{KEY_VERSION}:{scope}:{part}:{where}{name}"


def touch(*scopes: str) -> None:
    """Make the cached pages of these scopes stale: now, and again once the transaction commits
    (a request rendering between the two would otherwise store the old rows as new)."""

    def bump() -> None:
        for scope in scopes:
            key = _generation_key(scope)
            # If it fails, what is stored stays until PAGE_CACHE_SECONDS run out.
            _attempt(f"touch {scope}", lambda k=key: cache.add(k, 1, timeout=None) or cache.incr(k))

    bump()
    transaction.on_commit(bump)


def _cacheable(request: HttpRequest) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _lookup(
    request: HttpRequest,
    scope: str,
    part: str,
    vary: str | None = None,
    also: tuple[str, ...] = (),
) -> tuple[str, str | None, object]:
    """The cache key for this URL (or ``vary``), the current generation of the scope (and of
    those in ``also``) and what is stored for it, if anything (``_read``)."""
    vary = request.get_full_path() if vary is None else vary
    key = _key(scope, part, hashlib.sha256(vary.encode()).hexdigest())
    generation, found = _read((scope, *also), [key], request.path)
    return key, generation, found.get(key)


def shared_fragments(
    scope: str,
    request: HttpRequest,
    part: str,
    render: Callable[[], tuple[str, ...]],
    *,
    vary: str | None = None,
) -> tuple[SafeString, ...]:
    """Parts of a page that are the same for everyone who asks for the same URL (in the same
    language and time zone), signed in or not — say a list of open placements — rendered once
    and shared for ``PAGE_CACHE_SECONDS``, under the scope's generation like whole pages.
    ``vary``, when given, replaces the URL: the fragment depends on that alone (say the filter
    values other than the search words). ``render`` must not depend on who is asking: that is
    the caller's promise."""
    key, generation, stored = _lookup(request, scope, "fragments:" + part, vary)
    if stored is None:
        stored = tuple(render())
        _write({key: stored}, generation, request.path)
    return tuple(mark_safe(html) for html in stored)  # noqa: S308 - rendered by our templates


def kept(scope: str, key: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept for ``PAGE_CACHE_SECONDS`` under the scope's generation and ``key``
    (which must name everything the value depends on besides the scope's rows: the person, say).
    Picklable values only; computed afresh when the cache is off or unreachable."""
    full_key = _key(scope, "kept", key, localised=False)
    generation, found = _read((scope,), [full_key], key)
    if full_key in found:
        return found[full_key]
    stored = compute()
    _write({full_key: stored}, generation, key)
    return stored


def shared_filter_fields(
    scope: str, request: HttpRequest, form: Form, template: str, *, own: tuple[str, ...] = ("q",)
) -> SafeString:
    """A browse page's filter fields, drawn once for each choice of filters and shared by
    everyone who makes it: the fields in ``own`` (the search box) change with nearly every
    search and are left to the page, as is the page number. A form with errors is drawn for
    this request alone. ``template`` gets ``form`` and ``own``, and draws the fields not in
    ``own``."""

    def draw() -> tuple[str]:
        return (render_to_string(template, {"form": form, "own": own}),)

    if form.is_bound and form.errors:
        return mark_safe(draw()[0])  # noqa: S308 - our own template
    chosen = sorted(  # an empty value draws the same fields as none: one entry for both
        (name, value)
        for name, value in request.GET.items()
        if value and name in form.fields and name not in own
    )
    part = f"filters:{template}"
    return shared_fragments(scope, request, part, draw, vary=urlencode(chosen))[0]


def shared_items(
    scope: str,
    part: str,
    ids: list[int],
    render: Callable[[list[int]], dict[int, str]] | Callable[[list[int]], dict[int, Drawn]],
    *,
    versions: dict[int, object] | None = None,
) -> list[SafeString]:
    """One fragment per object (say a placement's card), the same for everyone, kept for
    ``PAGE_CACHE_SECONDS`` under the scope's generation and fetched in one round trip.

    A search the cache has not seen yet still finds its rows in the database, but most of the
    cards it shows were drawn for an earlier page: only the missing ones are passed to
    ``render`` (``{id: html}``), which must not depend on who is asking.

    ``versions`` names, per id, what else a fragment shows that changes without the scope's
    generation (an event's seats taken, read with the ids): a fragment is used only for the
    version it was drawn at. ``render`` then returns ``{id: (html, version drawn)}``, and each
    fragment is kept under the version it shows, which may be newer than the one read."""
    if not ids:
        return []

    def key_of(pk: int, version: object = None) -> str:
        return _key(scope, part, str(pk) if versions is None else f"{pk}@{version}")

    keys = {pk: key_of(pk, (versions or {}).get(pk)) for pk in ids}
    generation, stored = _read((scope,), list(keys.values()), part)
    missing = [pk for pk in ids if keys[pk] not in stored]
    drawn = render(missing) if missing else {}
    if versions is None:
        fresh = {keys[pk]: html for pk, html in drawn.items()}
    else:
        fresh = {key_of(pk, version): html for pk, (html, version) in drawn.items()}
        drawn = {pk: html for pk, (html, _version) in drawn.items()}
    _write(fresh, generation, part)
    html = {pk: stored[key] for pk, key in keys.items() if key in stored}
    html.update(drawn)  # an object gone since the ids were read has no card: left out
    return [mark_safe(html[pk]) for pk in ids if pk in html]  # noqa: S308 - our own templates


def anonymous_page_cache(scope: str, *, also: tuple[str, ...] = ()) -> Callable:
    """Serve the decorated view's page to anonymous visitors from the cache (module docstring).
    The page goes stale with a change in ``scope`` or in any scope of ``also``."""
    for name in (scope, *also):
        if name not in SCOPES:
            raise ValueError(f"Unknown page cache scope: {name}")

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _cacheable(request):
                return view(request, *args, **kwargs)
            key, generation, stored = _lookup(request, scope, "page", also=also)
            if stored is not None:
                content, content_type = stored
                return HttpResponse(content, content_type=content_type)
            response = view(request, *args, **kwargs)
            if (
                response.status_code == 200
                and not response.streaming
                and not response.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # no CSRF token in it
            ):
                page = (response.content, response["Content-Type"])
                _write({key: page}, generation, request.path)
            return response

        return wrapped

    return decorator


def connect_signals() -> None:
    """Raise the generations of a model's scopes whenever it is saved or deleted: one receiver
    per model, so an organisation saved bumps its three scopes in one round, not three."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    scopes_of: dict[str, list[str]] = {}
    for scope, labels in SCOPES.items():
        for label in labels:
            scopes_of.setdefault(label, []).append(scope)
    for label, scopes in scopes_of.items():

        def receiver(sender, scopes=tuple(scopes), **kwargs) -> None:
            touch(*scopes)

        model = apps.get_model(label)
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"pc-{label}")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"pc-{label}-d")
