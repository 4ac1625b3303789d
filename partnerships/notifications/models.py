"""Notifications: one row per person and thing to tell them, written set-based by the dispatcher.

A notification is created from a domain event (``activity.DomainEvent``, the outbox). The pair
(recipient, event, type) is unique, so handling the same event twice notifies nobody twice. Email
follows the person's preference for the type: ``instant`` (sent at once), ``daily`` or ``weekly``
(gathered into a digest), or ``off`` (no notification of that type at all).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationType(models.TextChoices):
    PLACEMENT_MATCH = "placement_match", _("New placements that suit you")
    OPPORTUNITY_MATCH = "opportunity_match", _("New calls that suit your organisation")
    EVENT_MATCH = "event_match", _("New events that suit you")
    SAVED_SEARCH = "saved_search", _("Alerts from your saved searches")
    APPLICATION = "application", _("Applications: yours, and to your placements")
    PROPOSAL = "proposal", _("Proposals: yours, and to your calls")
    REGISTRATION = "registration", _("Your event places")
    APPROVAL = "approval", _("Placement approvals")
    STORY = "story", _("Success stories about your work")


class Frequency(models.TextChoices):
    INSTANT = "instant", _("Email me at once")
    DAILY = "daily", _("In a daily digest")
    WEEKLY = "weekly", _("In a weekly digest")
    OFF = "off", _("Off: don't notify me")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    type = models.CharField(max_length=20, choices=NotificationType.choices)
    event = models.ForeignKey(
        "activity.DomainEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # What the notification is about (a placement, a call, an event, an application …).
    target_type = models.CharField(max_length=60)
    target_id = models.BigIntegerField()
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=300)
    # Why: the match score and its reasons (skill ids, sector, place …), rendered in words.
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    reasons = models.JSONField(default=dict, blank=True)
    # How it is emailed, fixed when created from the person's preference.
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Claimed (set) before the instant email or the digest that carries it is queued.
    emailed_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        "Digest", on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event", "type"], name="notification_once_per_event"
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                name="notification_unread_idx",
                condition=Q(read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            models.Index(
                fields=["frequency", "created_at"],
                name="notification_email_due_idx",
                condition=Q(emailed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"


class NotificationPreference(models.Model):
    """A person's choice for one type; without a row, ``settings.NOTIFICATION_DEFAULTS`` apply."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    type = models.CharField(max_length=20, choices=NotificationType.choices)
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "type"], name="preference_one_per_type"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.type}: {self.frequency}"


class Digest(models.Model):
    """One digest email per person and period, so a digest job run twice sends it once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    period = models.DateField(help_text=_("The day (daily) or the Monday (weekly) it covers."))
    items = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "frequency", "period"], name="digest_once_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.frequency} digest for {self.user_id} ({self.period})"


# --- Saved searches ---------------------------------------------------------------------------


class SavedSearchScope(models.TextChoices):
    PLACEMENTS = "placements", _("Placements")
    EVENTS = "events", _("Events")


class SavedSearch(models.Model):
    """A browse page's filters kept by a person, who hears about new matches at ``frequency``.

    The filters are normalised columns (empty text, null or false: "any"), so every saved search
    is matched against a new placement or event in one SQL statement
    (``saved_search_alerts``). Placement-only and event-only filters stay empty for the other
    scope. Pausing is deleting: there is no ``off``.
    """

    ALERT_FREQUENCIES = (Frequency.INSTANT, Frequency.DAILY, Frequency.WEEKLY)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    scope = models.CharField(max_length=12, choices=SavedSearchScope.choices)
    label = models.CharField(max_length=200)
    q = models.CharField(max_length=200, blank=True, default="")
    kind = models.CharField(max_length=20, blank=True, default="")
    # A search is about its sector, skill or organiser: if one is deleted, so is the search
    # (never silently broadened to "any").
    sector = models.ForeignKey(
        "core.Sector", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    skill = models.ForeignKey(
        "core.Skill", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    mode = models.CharField(max_length=10, blank=True, default="")
    paid_only = models.BooleanField(default=False)
    location = models.CharField(max_length=120, blank=True, default="")
    level = models.CharField(max_length=20, blank=True, default="")
    attendance = models.CharField(max_length=10, blank=True, default="")
    organiser = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    frequency = models.CharField(
        max_length=8, choices=[(f.value, f.label) for f in ALERT_FREQUENCIES]
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        constraints = [
            # Null foreign keys count as equal (COALESCE), text case-insensitively (lower).
            models.UniqueConstraint(
                "user",
                "scope",
                Lower("q"),
                "kind",
                Coalesce("sector", Value(0)),
                Coalesce("skill", Value(0)),
                "mode",
                "paid_only",
                Lower("location"),
                "level",
                "attendance",
                Coalesce("organiser", Value(0)),
                name="saved_search_unique_filters",
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=["instant", "daily", "weekly"]),
                name="saved_search_frequency",
            ),
            models.CheckConstraint(
                condition=(
                    Q(scope="placements", attendance="", organiser__isnull=True)
                    | Q(
                        scope="events",
                        skill__isnull=True,
                        mode="",
                        paid_only=False,
                        location="",
                        level="",
                    )
                ),
                name="saved_search_filters_fit_scope",
            ),
        ]
        indexes = [models.Index(fields=["scope", "sector"], name="saved_search_scope_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.label}"
