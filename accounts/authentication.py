"""API authentication: tokens, refused for platform admins without two-factor authentication."""

from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .middleware import admin_needs_mfa


class TwoFactorAwareTokenAuthentication(TokenAuthentication):
    """A token made before two-factor authentication became required must not let an admin
    around it."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if admin_needs_mfa(user):
            raise AuthenticationFailed(
                _("Platform admins must turn on two-factor authentication to use the API.")
            )
        return user, token
