from django.conf import settings
from django.db import models


class DomainEvent(models.Model):
    """Something that happened (an opportunity published, a proposal accepted …).

    Written in the same transaction as the change it records, so it exists exactly when the change
    does. It is both the audit trail (who, what, when, with data) and the outbox that the
    notification pipeline drains: ``dispatched_at`` stays empty until a consumer has handled it.
    """

    name = models.CharField(max_length=80, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    target_type = models.CharField(max_length=60)
    target_id = models.BigIntegerField()
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="event_target_idx"),
            models.Index(
                fields=["created_at"],
                name="event_undispatched_idx",
                condition=models.Q(dispatched_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.target_type}#{self.target_id}"
