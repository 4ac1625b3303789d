"""Who is acting: the signed-in person of the current request, or whoever a task says it is.

``AuditContextMiddleware`` keeps the request in a context variable for the length of the request;
the recorder reads ``request.user`` only when it writes an entry (so an API request authenticated
by Django REST framework, which sets the user in the view, is attributed too). Celery tasks and
management commands have no request: their entries say "system", unless the code wraps the work
in ``acting_as(user)``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from partnerships.core.logging import get_request_id

_request: contextvars.ContextVar = contextvars.ContextVar("audit_request", default=None)
_actor: contextvars.ContextVar = contextvars.ContextVar("audit_actor", default=None)


@dataclass(frozen=True)
class Context:
    actor: object | None  # a user, or None for the system
    request_id: str
    ip: str | None


class AuditContextMiddleware:
    """Makes the current request known to the audit recorder. Place after authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


@contextmanager
def acting_as(user) -> Iterator[None]:
    """Attribute the changes made inside the block to ``user`` (for tasks and commands)."""
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


def _client_ip(request) -> str | None:
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured, ValueError):
        return None


def current() -> Context:
    """The actor, request id and client address to record now."""
    request = _request.get()
    actor = _actor.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    request_id = get_request_id()
    return Context(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        request_id="" if request_id == "-" else request_id,
        ip=_client_ip(request) if request is not None else None,
    )
