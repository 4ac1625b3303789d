"""Turning domain errors into pages a person can act on."""

from django.shortcuts import render

from .errors import DomainError


def domain_error_response(request, exc: DomainError, *, back_url: str | None = None):
    """Render the error with its message and the right 4xx status, with a way back."""
    back = back_url or request.META.get("HTTP_REFERER") or "/"
    return render(
        request,
        "core/error.html",
        {"message": exc.message, "back_url": back, "status": exc.status},
        status=exc.status,
    )
