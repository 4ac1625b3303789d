"""Platform admins hold every permission in the Django admin, without being superusers."""

from django.contrib.auth.backends import BaseBackend


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
