from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """In-app notifications, email preferences, digests and the outbox dispatcher."""

    name = "partnerships.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from . import handlers  # noqa: F401 - registers the domain-event handlers
