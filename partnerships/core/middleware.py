"""Request id and one structured access line per request."""

from __future__ import annotations

import logging
import time

from .logging import clean_request_id, new_request_id, reset_request_id, set_request_id

logger = logging.getLogger("tandem.request")
HEADER = "X-Request-ID"


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
            user = getattr(request, "user", None)
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
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            return response
        finally:
            reset_request_id(token)
