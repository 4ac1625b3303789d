"""Events: networking evenings, workshops, guest lectures, seminars, conferences, showcases, fairs.

Capacity is a database guarantee. ``Event.seats_taken`` counts confirmed registrations and a check
constraint keeps it within ``capacity``; every change of a registration's seat happens in
``services.registrations`` with the event row locked (SELECT … FOR UPDATE), so simultaneous
registrations and cancellations are serialised per event and can never overbook, and a bug that
skipped the lock would hit the constraint instead of adding a seat.
"""

import secrets
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import now as timezone_now
from django.utils.translation import gettext_lazy as _

from accounts.models import validate_timezone
from partnerships.projects.search import TextSearchVectorField


class EventKind(models.TextChoices):
    NETWORKING = "networking", _("Networking")
    WORKSHOP = "workshop", _("Workshop")
    GUEST_LECTURE = "guest_lecture", _("Guest lecture")
    SEMINAR = "seminar", _("Seminar")
    CONFERENCE = "conference", _("Conference")
    SHOWCASE = "showcase", _("Showcase / exhibition")
    CAREERS_FAIR = "careers_fair", _("Careers fair")


class EventFormat(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("In person and online")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")


class Admission(models.TextChoices):
    """HE-BCI Table 5 splits attendees and staff time between free and chargeable events."""

    FREE = "free", _("Free")
    CHARGEABLE = "chargeable", _("Chargeable (people pay to attend)")


class Audience(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    STUDENTS = "students", _("Students only")
    MEMBERS = "members", _("Members of chosen organisations")


class Event(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organised by"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    # When set, both sides of the partnership manage the event.
    partnership = models.ForeignKey(
        "projects.Partnership",
        verbose_name=_("partnership"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=160)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(
        _("description"), max_length=20000, help_text=_("Markdown: headings, lists, links.")
    )
    sectors = models.ManyToManyField(
        "core.Sector", verbose_name=_("sectors"), blank=True, related_name="events"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    timezone = models.CharField(
        _("time zone"), max_length=64, default=settings.TIME_ZONE, validators=[validate_timezone]
    )
    format = models.CharField(
        _("format"), max_length=10, choices=EventFormat.choices, default=EventFormat.IN_PERSON
    )
    venue_name = models.CharField(_("venue"), max_length=160, blank=True)
    venue_address = models.CharField(_("venue address"), max_length=300, blank=True)
    online_url = models.URLField(
        _("online link"),
        max_length=500,
        blank=True,
        help_text=_("Shown only to people with a confirmed place."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    seats_taken = models.PositiveIntegerField(default=0, editable=False)
    registration_opens_at = models.DateTimeField(
        _("registration opens"), null=True, blank=True, help_text=_("Empty: when published.")
    )
    registration_closes_at = models.DateTimeField(
        _("registration closes"), null=True, blank=True, help_text=_("Empty: when it starts.")
    )
    requires_approval = models.BooleanField(
        _("organisers approve each registration"), default=False
    )
    audience = models.CharField(
        _("who may attend"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC
    )
    audience_organisations = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("organisations invited"),
        blank=True,
        related_name="+",
        help_text=_("Their members, and students of invited institutions, may attend."),
    )
    admission = models.CharField(
        _("admission"), max_length=10, choices=Admission.choices, default=Admission.FREE
    )
    # Knowledge-exchange reporting (HE-BCI Table 5): academic staff time given to the event
    # itself, in days of eight hours; empty until the organisers record it.
    academic_staff_days = models.DecimalField(
        _("academic staff time (days)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_(
            "Time academic staff gave to the event itself, in days of eight hours (preparation "
            "not included). Leave empty if not known yet."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    status_changed_at = models.DateTimeField(default=timezone_now)
    published_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    # RFC 5545 SEQUENCE: raised whenever the time, place, link or status changes.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone_now)
    updated_at = models.DateTimeField(auto_now=True)
    search_vector = TextSearchVectorField(null=True, editable=False)

    SEARCH_WEIGHTS = {
        "title": "A",
        "summary": "B",
        "description": "C",
        "venue_name": "D",
        "venue_address": "D",
    }

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["status", "starts_at"], name="event_status_start_idx"),
            models.Index(fields=["organisation", "status"], name="event_org_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1), name="event_capacity_min"
            ),
            models.CheckConstraint(
                condition=Q(academic_staff_days__isnull=True) | Q(academic_staff_days__gte=0),
                name="event_staff_days_not_negative",
            ),
            # The guarantee: confirmed places never exceed the capacity.
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(seats_taken__lte=F("capacity")),
                name="event_never_overbooked",
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__lte=F("ends_at")),
                name="event_registration_closes_in_time",
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="event_registration_window_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        """Never write ``seats_taken`` from a loaded copy: only the registration services change
        it, with relative updates under the event lock. A stale copy saved elsewhere (an admin
        form opened before someone registered) must not rewind the count."""
        if (
            self.pk is not None
            and kwargs.get("update_fields") is None
            and not kwargs.get("force_insert")
        ):
            kwargs["update_fields"] = [
                f.attname
                for f in self._meta.concrete_fields
                if not f.primary_key and f.attname != "seats_taken"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"pk": self.pk})

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_starts_at(self):
        return timezone.localtime(self.starts_at, self.tzinfo)

    @property
    def local_ends_at(self):
        return timezone.localtime(self.ends_at, self.tzinfo)

    @property
    def spans_days(self) -> bool:
        """Ends on a later day than it starts, in its own time zone."""
        return self.local_starts_at.date() != self.local_ends_at.date()

    @property
    def is_online(self) -> bool:
        return self.format in (EventFormat.ONLINE, EventFormat.HYBRID)

    @property
    def is_in_person(self) -> bool:
        return self.format in (EventFormat.IN_PERSON, EventFormat.HYBRID)

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.seats_taken >= self.capacity

    @property
    def registration_closes(self):
        return self.registration_closes_at or self.starts_at

    def registration_state(self, now=None) -> str:
        """``open``, ``not_yet``, ``closed`` or ``unavailable`` (draft, cancelled, completed)."""
        now = now or timezone.now()
        if self.status != EventStatus.PUBLISHED:
            return "unavailable"
        if self.registration_opens_at and now < self.registration_opens_at:
            return "not_yet"
        if now >= self.registration_closes:
            return "closed"
        return "open"

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()


class EventSession(models.Model):
    """One slot of a conference agenda, with its own times and speakers."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    room = models.CharField(_("room or stream"), max_length=120, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Speaker(models.Model):
    """A person on the platform, or just a name, speaking at the event or at one session."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="speakers")
    session = models.ForeignKey(
        EventSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="speakers",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person on Tandem"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=120, blank=True)
    affiliation = models.CharField(_("role and affiliation"), max_length=160, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="speaker_named"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        return self.user.display_name if self.user_id else ""


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waitlist")
    CANCELLED = "cancelled", _("Cancelled")
    DECLINED = "declined", _("Not approved")


R = RegistrationStatus
# Registrations that still count as "coming" in some way (shown on dashboards, messaged).
ACTIVE_REGISTRATION_STATUSES = [R.PENDING, R.CONFIRMED, R.WAITLISTED]


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    # Empty once the person deleted their account: the row still counts for the organisers.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="event_registrations",
    )
    status = models.CharField(max_length=10, choices=RegistrationStatus.choices)
    # The waitlist is served in the order people joined it.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    promoted_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Claimed by the reminder job before sending, so each person is reminded once.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone_now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="registration_one_per_person"),
            models.CheckConstraint(
                condition=Q(checked_in_at__isnull=True) | Q(status=R.CONFIRMED),
                name="registration_checked_in_is_confirmed",
            ),
            models.CheckConstraint(
                condition=~Q(status=R.WAITLISTED) | Q(waitlisted_at__isnull=False),
                name="registration_waitlist_has_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["event", "status", "waitlisted_at"], name="registration_queue_idx"
            ),
            models.Index(fields=["user", "status"], name="registration_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.event}"


class EventMessage(models.Model):
    """A message organisers sent to registrants; kept so co-organisers see what went out."""

    class Recipients(models.TextChoices):
        CONFIRMED = "confirmed", _("Everyone with a confirmed place")
        WAITLISTED = "waitlisted", _("Everyone on the waitlist")
        ALL = "all", _("Everyone registered, waitlisted or awaiting approval")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recipients = models.CharField(
        _("send to"), max_length=10, choices=Recipients.choices, default=Recipients.CONFIRMED
    )
    subject = models.CharField(_("subject"), max_length=160)
    body = models.TextField(_("message"), max_length=5000)
    recipient_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone_now)

    class Meta:
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return self.subject


def _new_feed_token() -> str:
    return secrets.token_hex(32)


class CalendarFeed(models.Model):
    """A person's private calendar subscription. Resetting the token revokes the old address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=_new_feed_token)
    created_at = models.DateTimeField(default=timezone_now)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("events:feed", kwargs={"token": self.token})
