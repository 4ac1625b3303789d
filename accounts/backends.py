"""Authentication backends: the signed-in person comes with their profile; platform admins hold
every permission in the Django admin, without being superusers."""

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend

# Sessions made before these backends existed name Django's and allauth's own; the middleware
# ``accounts.middleware.RenamedBackendMiddleware`` moves them over, so nobody is signed out.
RENAMED_BACKENDS = {
    "django.contrib.auth.backends.ModelBackend": "accounts.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": (
        "accounts.backends.AuthenticationBackend"
    ),
}


class ProfileWithUserMixin:
    """Load the person of a session with their profile, in one query: every page reads it
    (the time zone, the header), and a second query cost each signed-in request about 0.5 ms."""

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related("profile").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        model = get_user_model()
        try:
            user = await model._default_manager.select_related("profile").aget(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class ModelBackend(ProfileWithUserMixin, django_backends.ModelBackend):
    """Django's, for ``force_login`` and the admin."""


class AuthenticationBackend(ProfileWithUserMixin, allauth_backends.AuthenticationBackend):
    """allauth's: log-in by email (allauth prefers it for the sessions it starts)."""


class PlatformAdminBackend(BaseBackend):
    """Grants permissions only; never authenticates (log-in stays with allauth)."""

    def authenticate(self, request, **credentials):
        return None

    def _is_platform_admin(self, user_obj) -> bool:
        return bool(
            user_obj.is_active
            and user_obj.is_staff
            and getattr(user_obj, "is_platform_admin", False)
        )

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        return self._is_platform_admin(user_obj)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return self._is_platform_admin(user_obj)
