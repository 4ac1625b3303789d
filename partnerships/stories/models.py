"""Success stories about collaborations, and what they are made of.

A story links to at least one collaboration (partnership, project, placement, event) and to the
organisations on its sides. It is invisible outside curators and those organisations until it is
published.
"""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerships.core.markdown import render_markdown
from partnerships.core.uploads import random_name
from partnerships.core.validators import validate_image_upload


class StoryStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class StorySource(models.TextChoices):
    NOMINATION = "nomination", _("Nominated by a member")
    COMPLETION = "completion", _("Prompted by a completed collaboration")


class CollaborationKind(models.TextChoices):
    PARTNERSHIP = "partnership", _("Partnership")
    PROJECT = "project", _("Project")
    PLACEMENT = "placement", _("Placement")
    EVENT = "event", _("Event")


# The story field holding each kind of collaboration.
COLLABORATION_FIELDS = {
    CollaborationKind.PARTNERSHIP: "partnership",
    CollaborationKind.PROJECT: "opportunity",
    CollaborationKind.PLACEMENT: "placement",
    CollaborationKind.EVENT: "event",
}


def image_path(instance, filename: str) -> str:
    return random_name("stories", filename)


def rendition_path(instance, filename: str) -> str:
    return random_name("stories/renditions", filename)


class Story(models.Model):
    title = models.CharField(_("title"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=180, unique=True)
    summary = models.CharField(_("summary"), max_length=400, blank=True)
    body = models.TextField(_("body (Markdown)"), max_length=20000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=StoryStatus.choices, default=StoryStatus.NOMINATED
    )
    source = models.CharField(
        max_length=10, choices=StorySource.choices, default=StorySource.NOMINATION
    )
    featured = models.BooleanField(_("featured"), default=False)
    feature_order = models.PositiveIntegerField(_("feature order"), default=0)
    sectors = models.ManyToManyField(
        "core.Sector", verbose_name=_("sectors"), blank=True, related_name="stories"
    )
    partnership = models.ForeignKey(
        "projects.Partnership",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stories",
    )
    opportunity = models.ForeignKey(
        "projects.Opportunity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stories",
        verbose_name=_("project"),
    )
    placement = models.ForeignKey(
        "placements.Placement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stories",
    )
    event = models.ForeignKey(
        "events.Event", on_delete=models.PROTECT, null=True, blank=True, related_name="stories"
    )
    organisations = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("organisations"),
        blank=True,
        related_name="stories",
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    nomination_reason = models.TextField(_("why it is a story"), max_length=4000, blank=True)
    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        indexes = [
            models.Index(fields=["status", "-published_at"], name="story_status_pub_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(partnership__isnull=False)
                | Q(opportunity__isnull=False)
                | Q(placement__isnull=False)
                | Q(event__isnull=False),
                name="story_links_a_collaboration",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="story_published_has_date",
            ),
            # The completion prompt makes one story per completed project or placement.
            models.UniqueConstraint(
                fields=["opportunity"],
                condition=Q(source="completion"),
                name="story_one_prompt_per_opportunity",
            ),
            models.UniqueConstraint(
                fields=["placement"],
                condition=Q(source="completion"),
                name="story_one_prompt_per_placement",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == StoryStatus.PUBLISHED

    @property
    def kinds(self) -> list[str]:
        """The kinds of collaboration this story links to."""
        return [
            kind for kind, field in COLLABORATION_FIELDS.items() if getattr(self, f"{field}_id")
        ]

    def body_html(self):
        """The body rendered from Markdown and sanitised (never store or trust raw HTML)."""
        return render_markdown(self.body)


class StoryImage(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to=image_path, validators=[validate_image_upload])
    thumbnail = models.ImageField(upload_to=rendition_path, blank=True, editable=False)
    social_card = models.ImageField(upload_to=rendition_path, blank=True, editable=False)
    alt_text = models.CharField(_("alternative text"), max_length=250)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(alt_text=""), name="story_image_has_alt_text"),
        ]

    def __str__(self) -> str:
        return self.alt_text


class StoryQuote(models.Model):
    """Words of a named person; published only once that person's consent is recorded."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="quotes")
    text = models.TextField(_("quote"), max_length=2000)
    person_name = models.CharField(_("name"), max_length=120)
    person_role = models.CharField(_("role"), max_length=160, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The person quoted, when they have an account: only they may consent."),
    )
    consent_given_at = models.DateTimeField(null=True, blank=True)
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.person_name}: {self.text[:40]}"

    @property
    def has_consent(self) -> bool:
        return self.consent_given_at is not None


class Metric(models.TextChoices):
    HIRES = "hires", _("Hires made")
    FUNDING = "funding", _("Funding attracted")
    REVENUE = "revenue", _("Revenue")
    AUDIENCE = "audience", _("Audience reached")
    STUDENTS_INVOLVED = "students_involved", _("Students involved")
    OTHER = "other", _("Other")


class OutcomeFigure(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="figures")
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    value = models.DecimalField(
        _("value"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit or label"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The side that reported the figure, if any."),
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="outcome_value_not_negative"),
            models.CheckConstraint(
                condition=~Q(metric="other") | ~Q(unit=""), name="outcome_other_has_label"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()}: {self.value} {self.unit}".strip()


class StoryApproval(models.Model):
    """One linked organisation approved the story's text as it stood."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="approvals")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["story", "organisation"], name="story_approval_once_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} approved {self.story}"


def new_token() -> str:
    return uuid.uuid4().hex


class TestimonialRequest(models.Model):
    """A completed collaboration asks one side for a testimonial, figures and consent.

    Addressed to the members of ``organisation``; ``token`` identifies the request in links.
    """

    __test__ = False  # not a pytest test class, whatever its name

    story = models.ForeignKey(
        Story,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="testimonial_requests",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    opportunity = models.ForeignKey(
        "projects.Opportunity", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    placement = models.ForeignKey(
        "placements.Placement", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    text = models.TextField(_("testimonial"), max_length=2000, blank=True)
    person_role = models.CharField(_("your role"), max_length=160, blank=True)
    figures = models.JSONField(_("outcome figures"), default=dict, blank=True)
    consent_to_publish = models.BooleanField(_("consent to publish"), default=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opportunity__isnull=False) | Q(placement__isnull=False),
                name="testimonial_links_a_collaboration",
            ),
            models.UniqueConstraint(
                fields=["story", "organisation"], name="testimonial_once_per_side"
            ),
        ]

    def __str__(self) -> str:
        return f"Testimonial from {self.organisation}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None
