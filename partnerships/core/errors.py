"""One error type for rule violations a person can cause, with a message meant for people.

HTML views turn it into a form error or a message; the API turns it into a 4xx response.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule was broken. ``status`` is the HTTP status the API answers with."""

    status = 400

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class PermissionDenied(DomainError):
    status = 403

    def __init__(self, message: str = "", **kwargs):
        message = message or str(_("You are not allowed to do that."))
        super().__init__(message, code=kwargs.pop("code", "forbidden"), **kwargs)


class Conflict(DomainError):
    status = 409

    def __init__(self, message: str, **kwargs):
        super().__init__(message, code=kwargs.pop("code", "conflict"), **kwargs)


class Gone(DomainError):
    """What was asked for existed but has been deleted for good (a retention policy, an erasure)."""

    status = 410

    def __init__(self, message: str, **kwargs):
        super().__init__(message, code=kwargs.pop("code", "gone"), **kwargs)


class RateLimited(DomainError):
    status = 429

    def __init__(self, message: str, **kwargs):
        super().__init__(message, code=kwargs.pop("code", "rate_limited"), **kwargs)
