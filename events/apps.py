from django.apps import AppConfig


class EventsConfig(AppConfig):
    """Events, sessions, registrations and check-in (the events capability builds here)."""

    name = "events"
    verbose_name = "Events"
