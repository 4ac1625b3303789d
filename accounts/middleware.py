import zoneinfo

from django.db import DatabaseError
from django.utils import timezone


class UserTimezoneMiddleware:
    """Show times in the signed-in person's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tz_name = None
        user = getattr(request, "user", None)
        try:
            if user is not None and user.is_authenticated:
                profile = getattr(user, "profile", None)
                tz_name = profile.timezone if profile else None
        except DatabaseError:
            # The database is down: let the view answer (``/healthz`` reports 503), in UTC.
            tz_name = None
        if tz_name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(tz_name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class AccountFormStatusMiddleware:
    """Give allauth's failed form posts a 4xx status instead of 200.

    allauth re-renders an invalid form with 200; clients, tests and monitoring should see 400,
    and 429 when the failed-login rate limit is what stopped the attempt.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_template_response(self, request, response):
        match = getattr(request, "resolver_match", None)
        if (
            request.method != "POST"
            or response.status_code != 200
            or match is None
            or not (match.url_name or "").startswith("account_")
        ):
            return response
        form = (response.context_data or {}).get("form")
        if form is None or not form.is_bound or not form.errors:
            return response
        codes = {error.code for error in form.non_field_errors().as_data()}
        response.status_code = 429 if "too_many_login_attempts" in codes else 400
        return response
