import zoneinfo

from django.contrib import messages
from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _


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

    allauth re-renders an invalid form (sign-in, sign-up, two-factor codes…) with 200; clients,
    tests and monitoring should see 400, and 429 when the failed-login rate limit stopped it.
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
            or not (match.url_name or "").startswith(("account_", "mfa_"))
        ):
            return response
        form = (response.context_data or {}).get("form")
        if form is None or not form.is_bound or not form.errors:
            return response
        codes = {error.code for error in form.non_field_errors().as_data()}
        response.status_code = 429 if "too_many_login_attempts" in codes else 400
        return response


def admin_needs_mfa(user) -> bool:
    """A platform admin who has not turned on two-factor authentication (when it is required)."""
    from allauth.mfa.utils import is_mfa_enabled
    from django.conf import settings

    return bool(
        settings.MFA_REQUIRED_FOR_ADMINS
        and user is not None
        and user.is_authenticated
        and user.is_platform_admin
        and not is_mfa_enabled(user)
    )


class RequireAdminMFAMiddleware:
    """Platform admins verify organisations and see everyone's data: until they turn on
    two-factor authentication, every page except the account pages sends them to set it up
    (the API answers 403)."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(self.ALLOWED_PREFIXES) or not admin_needs_mfa(
            getattr(request, "user", None)
        ):
            return self.get_response(request)
        message = _("Platform admins must turn on two-factor authentication before using Tandem.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": str(message), "code": "mfa_required"}, status=403)
        messages.warning(request, message)
        return redirect("mfa_activate_totp")
