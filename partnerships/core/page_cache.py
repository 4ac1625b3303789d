"""Browse, search and detail pages for anonymous visitors, served from the cache (Redis in
production).

Anonymous visitors all see the same page for the same URL, and they are most of the traffic on
the public lists, which cost 20–50 ms to render against about 1 ms for a bare view
(docs/performance.md, "Load test"). So their HTML is kept for ``PAGE_CACHE_SECONDS`` under the
full URL. A page is served from or stored in the cache only when nothing in it can be personal:

* the request carries no session, no messages cookie and no ``Authorization`` header (so nobody
  is signed in, and no flash message is waiting to be shown; no database query is needed to know);
* the response is a plain 200 that set no cookie and used no CSRF token.

Freshness: every page of a scope (``"placements"``, ``"events"``, ``"stories"``) is stored under
the scope's generation number, which ``touch()`` raises after a change is committed — saving or
deleting the models listed in ``SCOPES`` does it, and the services that write with ``update()``
call it themselves. What a ``touch()`` misses is at most ``PAGE_CACHE_SECONDS`` old.

If the cache is unreachable the page is rendered as usual: a cache outage costs speed, never a
page.
"""

from __future__ import annotations

import hashlib
import logging
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
        "events.EventSession",
        "events.Speaker",
        "organisations.Organisation",
        "core.Sector",
    ),
    "stories": ("stories.Story", "organisations.Organisation"),
}


def _generation_key(scope: str) -> str:
    return f"page-cache:{scope}:generation"


def touch(*scopes: str) -> None:
    """Make the cached pages of these scopes stale: now, and again once the transaction commits
    (a request rendering between the two would otherwise store the old rows as new)."""

    def bump() -> None:
        for scope in scopes:
            key = _generation_key(scope)
            try:
                if not cache.add(key, 1, timeout=None):
                    cache.incr(key)
            except Exception:
                logger.warning("page cache unreachable; %s pages stay cached until expiry", scope)

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


def _page_key(scope: str, generation: int, part: str, vary: str) -> str:
    digest = hashlib.sha256(vary.encode()).hexdigest()
    where = f"{get_language()}:{get_current_timezone_name()}"
    return f"page-cache:{scope}:{generation}:{part}:{where}:{digest}"


def _lookup(
    request: HttpRequest, scope: str, part: str, vary: str | None = None
) -> tuple[str | None, object]:
    """The cache key for this URL (or ``vary``) under the scope's current generation, and what
    is stored there; ``(None, None)`` when the cache is unreachable (render without it)."""
    vary = request.get_full_path() if vary is None else vary
    try:
        key = _page_key(scope, cache.get(_generation_key(scope), 0), part, vary)
        return key, cache.get(key)
    except Exception:
        logger.warning("page cache unreachable; rendering %s", request.path)
        return None, None


def _store(request: HttpRequest, key: str | None, value: object) -> None:
    if key is None:
        return
    try:
        cache.set(key, value, settings.PAGE_CACHE_SECONDS)
    except Exception:
        logger.warning("page cache unreachable; %s not stored", request.path)


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
    if settings.PAGE_CACHE_SECONDS <= 0:
        return tuple(mark_safe(html) for html in render())  # noqa: S308 - our own templates
    key, stored = _lookup(request, scope, "fragments:" + part, vary)
    if stored is None:
        stored = tuple(render())
        _store(request, key, stored)
    return tuple(mark_safe(html) for html in stored)  # noqa: S308 - rendered by our templates


def kept(scope: str, key: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept for ``PAGE_CACHE_SECONDS`` under the scope's generation and ``key``
    (which must name everything the value depends on besides the scope's rows: the person, say).
    Picklable values only; computed afresh when the cache is off or unreachable."""
    if settings.PAGE_CACHE_SECONDS <= 0:
        return compute()
    try:
        full_key = f"page-cache:{scope}:{cache.get(_generation_key(scope), 0)}:kept:{key}"
        stored = cache.get(full_key)
    except Exception:
        logger.warning("page cache unreachable; computing %s", key)
        return compute()
    if stored is None:
        stored = compute()
        try:
            cache.set(full_key, stored, settings.PAGE_CACHE_SECONDS)
        except Exception:
            logger.warning("page cache unreachable; %s not stored", key)
    return stored


def shared_filter_fields(
    scope: str, request: HttpRequest, form: Form, template: str, *, own: tuple[str, ...] = ("q",)
) -> SafeString:
    """A browse page's filter fields, drawn once for each choice of filters and shared by
    everyone who makes it: the fields in ``own`` (the search box) change with nearly every
    search and are left to the page, as is the page number. A form with errors is drawn for
    this request alone. ``template`` gets the form as ``form`` and draws the fields not in
    ``own``."""

    def draw() -> tuple[str]:
        return (render_to_string(template, {"form": form}),)

    if form.is_bound and form.errors:
        return mark_safe(draw()[0])  # noqa: S308 - our own template
    chosen = sorted(
        (name, value)
        for name, value in request.GET.items()
        if name in form.fields and name not in own
    )
    part = f"filters:{template}"
    return shared_fragments(scope, request, part, draw, vary=urlencode(chosen))[0]


def shared_items(
    scope: str,
    part: str,
    ids: list[int],
    render: Callable[[list[int]], dict[int, str]],
) -> list[SafeString]:
    """One fragment per object (say a placement's card), the same for everyone, kept for
    ``PAGE_CACHE_SECONDS`` under the scope's generation and fetched in one round trip.

    A search the cache has not seen yet still finds its rows in the database, but most of the
    cards it shows were drawn for an earlier page: only the missing ones are passed to
    ``render`` (``{id: html}``), which must not depend on who is asking."""
    if not ids:
        return []
    stored: dict[str, str] = {}
    keys: dict[int, str] = {}
    if settings.PAGE_CACHE_SECONDS > 0:
        try:
            generation = cache.get(_generation_key(scope), 0)
            where = f"{get_language()}:{get_current_timezone_name()}"
            keys = {pk: f"page-cache:{scope}:{generation}:{part}:{where}:{pk}" for pk in ids}
            stored = cache.get_many(list(keys.values()))
        except Exception:
            logger.warning("page cache unreachable; rendering %s", part)
            keys = {}
    missing = [pk for pk in ids if keys.get(pk) not in stored]
    drawn = render(missing) if missing else {}
    if keys and drawn:
        try:
            cache.set_many(
                {keys[pk]: html for pk, html in drawn.items()}, settings.PAGE_CACHE_SECONDS
            )
        except Exception:
            logger.warning("page cache unreachable; %s not stored", part)
    html = {pk: stored[key] for pk, key in keys.items() if key in stored}
    html.update(drawn)  # an object gone since the ids were read has no card: left out
    return [mark_safe(html[pk]) for pk in ids if pk in html]  # noqa: S308 - our own templates


def anonymous_page_cache(scope: str) -> Callable:
    """Serve the decorated view's page to anonymous visitors from the cache (module docstring)."""
    if scope not in SCOPES:
        raise ValueError(f"Unknown page cache scope: {scope}")

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _cacheable(request):
                return view(request, *args, **kwargs)
            key, stored = _lookup(request, scope, "page")
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
                _store(request, key, (response.content, response["Content-Type"]))
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
