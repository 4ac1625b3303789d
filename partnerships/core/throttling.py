"""API rate limits: writes get their own, tighter budget than reads."""

from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle


class WriteRateThrottle(SimpleRateThrottle):
    """Every POST, PUT, PATCH and DELETE counts against ``write`` per person (per address when
    signed out), whichever endpoint it hits, so a script cannot flood proposals, applications,
    registrations or messages by spreading them over endpoints. Reads are not counted here."""

    scope = "write"

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        user = getattr(request, "user", None)
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
