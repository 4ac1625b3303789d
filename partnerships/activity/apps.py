from django.apps import AppConfig


class ActivityConfig(AppConfig):
    """Domain events: the audit trail of state changes, and the outbox notifications drain."""

    name = "partnerships.activity"
    label = "activity"
    verbose_name = "Activity and domain events"
