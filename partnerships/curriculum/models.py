"""Curriculum reviews: a university asks industry people to review a course or module.

A review goes draft → open → closed → completed (or cancelled). Industry members volunteer; the
requesting institution accepts at most ``reviewers_wanted`` of them; each accepted reviewer answers
one structured response, final once submitted.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import StudyLevel
from partnerships.core.files import PrivateUploadPath
from partnerships.core.validators import validate_pdf_upload

MIN_REVIEWERS = 1
MAX_REVIEWERS = 20
MIN_RELEVANCE = 1
MAX_RELEVANCE = 5


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for reviewers")
    CLOSED = "closed", _("Closed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class CloseReason(models.TextChoices):
    COMPLETE = "complete", _("Every reviewer has answered")
    DEADLINE = "deadline", _("The deadline passed")
    BY_HAND = "by_hand", _("Closed by the institution")


class CurriculumReview(models.Model):
    institution = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="curriculum_reviews",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="curriculum_reviews_requested",
    )
    title = models.CharField(_("title"), max_length=160)
    course_name = models.CharField(_("course or module"), max_length=160)
    level = models.CharField(_("level"), max_length=20, choices=StudyLevel.choices)
    learning_outcomes = models.TextField(_("learning outcomes"), max_length=8000)
    syllabus = models.FileField(
        _("syllabus"),
        upload_to=PrivateUploadPath("syllabi"),
        blank=True,
        validators=[validate_pdf_upload],
    )
    questions = models.TextField(_("questions for reviewers"), max_length=4000, blank=True)
    reviewers_wanted = models.PositiveSmallIntegerField(
        _("number of reviewers wanted"),
        default=3,
        validators=[MinValueValidator(MIN_REVIEWERS), MaxValueValidator(MAX_REVIEWERS)],
    )
    deadline = models.DateField(_("deadline"))
    sectors = models.ManyToManyField(
        "core.Sector", verbose_name=_("sectors"), blank=True, related_name="curriculum_reviews"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    close_reason = models.CharField(
        _("reason for closing"), max_length=10, choices=CloseReason.choices, blank=True
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("curriculum review")
        verbose_name_plural = _("curriculum reviews")
        indexes = [
            models.Index(fields=["status", "deadline"], name="curriculum_status_deadline_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReviewStatus.values), name="curriculum_review_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(level__in=StudyLevel.values), name="curriculum_review_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(reviewers_wanted__gte=MIN_REVIEWERS)
                & Q(reviewers_wanted__lte=MAX_REVIEWERS),
                name="curriculum_review_reviewers_wanted_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("curriculum:detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == ReviewStatus.OPEN


class ReviewTransition(models.Model):
    """The log of status changes: who moved the review from what to what, and when."""

    review = models.ForeignKey(
        CurriculumReview, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(max_length=10, choices=ReviewStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=ReviewStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the platform made the change (deadline, every reviewer done)."),
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.review_id}: {self.from_status} → {self.to_status}"


class ReviewerStatus(models.TextChoices):
    VOLUNTEERED = "volunteered", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


LIVE_REVIEWER_STATUSES = (ReviewerStatus.VOLUNTEERED, ReviewerStatus.ACCEPTED)


class Reviewer(models.Model):
    """An industry member who volunteered for a review, on behalf of one industry organisation."""

    review = models.ForeignKey(CurriculumReview, on_delete=models.CASCADE, related_name="reviewers")
    # Empty once the reviewer deleted their account: a submitted response stays with the review.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="curriculum_reviewing",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("on behalf of"),
        on_delete=models.CASCADE,
        related_name="curriculum_reviewers",
    )
    note = models.TextField(_("note to the institution"), max_length=2000, blank=True)
    status = models.CharField(
        max_length=12, choices=ReviewerStatus.choices, default=ReviewerStatus.VOLUNTEERED
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="curriculum_reviewer_unique"),
            models.CheckConstraint(
                condition=Q(status__in=ReviewerStatus.values), name="curriculum_reviewer_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_name} → {self.review} ({self.status})"

    @property
    def person_name(self) -> str:
        """The reviewer's name, or a placeholder once they deleted their account."""
        return self.user.display_name if self.user_id else str(_("Deleted account"))


class ReviewResponse(models.Model):
    """One accepted reviewer's answers. Editable until submitted; final afterwards."""

    reviewer = models.OneToOneField(Reviewer, on_delete=models.CASCADE, related_name="response")
    relevance = models.PositiveSmallIntegerField(
        _("relevance to current practice"),
        validators=[MinValueValidator(MIN_RELEVANCE), MaxValueValidator(MAX_RELEVANCE)],
    )
    missing_skills = models.ManyToManyField(
        "core.Skill",
        verbose_name=_("skills the course misses"),
        blank=True,
        related_name="curriculum_missing_in",
    )
    missing_skills_other = models.TextField(_("other missing skills"), max_length=2000, blank=True)
    overweighted_skills = models.ManyToManyField(
        "core.Skill",
        verbose_name=_("skills the course over-weights"),
        blank=True,
        related_name="curriculum_overweighted_in",
    )
    overweighted_skills_other = models.TextField(
        _("other over-weighted skills"), max_length=2000, blank=True
    )
    suggested_changes = models.TextField(_("suggested changes"), max_length=8000, blank=True)
    comments = models.TextField(_("other comments"), max_length=8000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("review response")
        verbose_name_plural = _("review responses")
        constraints = [
            models.CheckConstraint(
                condition=Q(relevance__gte=MIN_RELEVANCE) & Q(relevance__lte=MAX_RELEVANCE),
                name="curriculum_response_relevance_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Response by {self.reviewer.person_name} to {self.reviewer.review}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None
