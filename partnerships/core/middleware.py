"""Request id and one structured access line per request; NUL characters refused by the API."""

from __future__ import annotations

import logging
import time

from django.db import DatabaseError
from django.http import JsonResponse

from .logging import clean_request_id, new_request_id, reset_request_id, set_request_id

logger = logging.getLogger("tandem.request")
HEADER = "X-Request-ID"


def _user_id(request) -> int | None:
    """The signed-in person's id for the log line; none while the database (holding the
    session) is down, so ``/healthz`` still answers 503 to someone signed in."""
    user = getattr(request, "user", None)
    try:
        return user.pk if user is not None and user.is_authenticated else None
    except DatabaseError:
        return None


class RequestIdMiddleware:
    """Tags the request (and every log line written while serving it) with an id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = clean_request_id(request.headers.get(HEADER)) or new_request_id()
        request.request_id = request_id
        token = set_request_id(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": _user_id(request),
                },
            )
            return response
        finally:
            reset_request_id(token)


class RejectNulCharactersMiddleware:
    """Under /api/, a NUL character in the path or the query string answers a JSON 400.
    PostgreSQL cannot compare text holding one, so a parameter that reaches a query unvalidated
    (``?status=%00``) would otherwise fail there, as a server error. (The pages validate their
    parameters with forms, which name the field at fault.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/") and (
            "\x00" in request.path_info
            or any(
                "\x00" in key or any("\x00" in value for value in values)
                for key, values in request.GET.lists()
            )
        ):
            return JsonResponse({"detail": "NUL characters are not allowed."}, status=400)
        return self.get_response(request)


class StorageUnavailableMiddleware:
    """A storage outage raised anywhere (``files.StorageUnavailable``: pictures, private
    downloads, the personal-data ZIP) is answered 503 "try again in a minute", never 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from .files import StorageUnavailable, storage_unavailable_response

        if isinstance(exception, StorageUnavailable):
            return storage_unavailable_response()
        return None
