"""The audit trail: one append-only row per sensitive change.

Rows keep their own copies of who, what and where (``actor_label``, ``target_label``,
``organisation_label``) so they still read correctly after the person, the organisation or the
changed object is deleted. The foreign keys to people and organisations have no database
constraint and are never cascaded or nulled: deleting a user or an organisation leaves its audit
rows exactly as they were written (and never blocks the deletion).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """Audit entries are written once and never changed or deleted by the application."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit entries cannot be deleted.")

    # Django's bulk paths that would rewrite rows.
    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Audit entries cannot be changed.")

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        raise AppendOnlyError("Audit entries cannot be changed.")


class AuditEntry(models.Model):
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=60)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # covered by the composite indexes below
        null=True,
        blank=True,
        related_name="+",
    )
    # The actor's email when the change was made; empty for the system (tasks, commands).
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    target_type = models.CharField(_("target type"), max_length=100)  # "app_label.model"
    target_id = models.BigIntegerField(_("target id"))
    target_label = models.CharField(_("target"), max_length=300, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # covered by the composite indexes below
        null=True,
        blank=True,
        related_name="+",
    )
    organisation_label = models.CharField(_("organisation"), max_length=160, blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["action", "-created_at"], name="audit_action_idx"),
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["organisation", "-created_at"], name="audit_org_idx"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}#{self.target_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries cannot be deleted.")

    @property
    def actor_display(self) -> str:
        return self.actor_label or str(_("System"))

    @property
    def action_display(self) -> str:
        from .display import action_label

        return action_label(self.action)

    @property
    def target_type_display(self) -> str:
        from .display import target_type_label

        return target_type_label(self.target_type)

    @property
    def changes(self):
        """The fields this entry recorded, each with its label and readable before and after."""
        from .display import changes_of

        return changes_of(self)
