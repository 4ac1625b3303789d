from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit trail of sensitive changes: who changed what, when, from what to what."""

    name = "partnerships.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from . import signals

        signals.connect()
