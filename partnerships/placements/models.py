"""Internships and work placements: postings, applications, university sign-off, evaluations.

Capacity rule (see ``services/applications.py``): an offer reserves a seat. Offers are limited to
free positions (positions − accepted − outstanding offers), so accepting an offer always fits;
the accepting service still re-counts under the placement row lock as a second guard.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerships.core.files import PrivateUploadPath
from partnerships.projects.models import Mode
from partnerships.projects.search import TextSearchVectorField

from .validators import validate_cv_upload

MIN_RATING = 1
MAX_RATING = 5


class PlacementKind(models.TextChoices):
    INTERNSHIP = "internship", _("Internship")
    WORK_PLACEMENT = "work_placement", _("Work placement (sandwich / year in industry)")
    GRADUATE_ROLE = "graduate_role", _("Graduate role")
    MICRO_PLACEMENT = "micro_placement", _("Micro-placement or short paid project")


class PayPeriod(models.TextChoices):
    HOUR = "hour", _("per hour")
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")
    YEAR = "year", _("per year")
    TOTAL = "total", _("in total")


class PlacementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for applications")
    CLOSED = "closed", _("Closed")
    FILLED = "filled", _("Filled")


class Placement(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("posted by"),
        on_delete=models.CASCADE,
        related_name="placements",
        limit_choices_to={"kind": "industry"},
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact / supervisor"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="placements_to_contact",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PlacementKind.choices)
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), max_length=20000)
    required_skills = models.ManyToManyField(
        "core.Skill", verbose_name=_("required skills"), blank=True, related_name="+"
    )
    nice_skills = models.ManyToManyField(
        "core.Skill", verbose_name=_("nice-to-have skills"), blank=True, related_name="+"
    )
    sector = models.ForeignKey(
        "core.Sector",
        verbose_name=_("sector"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="placements",
    )
    location = models.CharField(_("location"), max_length=120, blank=True)
    mode = models.CharField(_("where"), max_length=10, choices=Mode.choices, default=Mode.ON_SITE)
    is_paid = models.BooleanField(_("paid"), default=True)
    pay_amount = models.DecimalField(
        _("pay"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    pay_currency = models.CharField(_("currency"), max_length=3, default="GBP")
    pay_period = models.CharField(
        _("pay period"), max_length=5, choices=PayPeriod.choices, blank=True
    )
    hours_per_week = models.PositiveSmallIntegerField(_("hours per week"), null=True, blank=True)
    duration = models.CharField(_("duration"), max_length=120, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    positions = models.PositiveSmallIntegerField(_("number of positions"), default=1)
    deadline = models.DateTimeField(_("application deadline"))
    eligible_levels = models.JSONField(
        _("eligible levels"), default=list, blank=True, help_text=_("Empty: every level.")
    )
    eligible_institutions = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("eligible institutions"),
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "institution"},
        help_text=_("Empty: students of every institution."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PlacementStatus.choices, default=PlacementStatus.DRAFT
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    search_vector = TextSearchVectorField(null=True, editable=False)

    SEARCH_WEIGHTS = {"title": "A", "description": "C", "location": "D", "duration": "D"}

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        indexes = [
            models.Index(fields=["status", "deadline"], name="placement_status_deadline_idx"),
            models.Index(fields=["organisation", "status"], name="placement_org_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(is_paid=False) & Q(pay_amount__isnull=True))
                | (Q(is_paid=True) & Q(pay_amount__isnull=False) & Q(pay_amount__gt=0)),
                name="placement_pay_consistent",
            ),
            models.CheckConstraint(condition=Q(positions__gte=1), name="placement_positions_min"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="placement_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("placements:detail", kwargs={"pk": self.pk})

    @property
    def accepts_applications(self) -> bool:
        return self.status == PlacementStatus.OPEN and self.deadline > timezone.now()

    @property
    def pay_display(self) -> str:
        """Pay shown plainly on every list and card."""
        if not self.is_paid:
            return str(_("Unpaid"))
        period = PayPeriod(self.pay_period).label if self.pay_period else ""
        return f"{self.pay_currency} {self.pay_amount:,.2f} {period}".strip()


class PlacementQuestion(models.Model):
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=500)
    required = models.BooleanField(_("answer required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text


class PlacementTransition(models.Model):
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=10, choices=PlacementStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=PlacementStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.placement_id}: {self.from_status or '—'} → {self.to_status}"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    INTERVIEW = "interview", _("Interview")
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


A = ApplicationStatus
# Submitted and still in the studio's pipeline (an offer is live until answered).
LIVE_APPLICATION_STATUSES = [A.SUBMITTED, A.UNDER_REVIEW, A.SHORTLISTED, A.INTERVIEW, A.OFFERED]
# Hold a position for good.
TAKEN_STATUSES = [A.ACCEPTED, A.COMPLETED]


class Application(models.Model):
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="applications")
    # Empty once the student deleted their account: the studio keeps the anonymised application.
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="placement_applications",
    )
    # The student's institution when they submitted: whose placement officers follow it.
    institution = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cover_letter = models.TextField(_("cover letter"), max_length=8000, blank=True)
    cv = models.FileField(
        _("CV (PDF)"),
        upload_to=PrivateUploadPath("cvs"),
        blank=True,
        validators=[validate_cv_upload],
    )
    # Set when the CV file was deleted under the retention policy (``CV_RETENTION_DAYS``).
    cv_deleted_at = models.DateTimeField(_("CV deleted"), null=True, blank=True, editable=False)
    portfolio_url = models.URLField(_("portfolio link"), blank=True)
    for_credit = models.BooleanField(_("counts for academic credit"), default=False)
    # Recorded by the host organisation once the placement is completed: did the student get a
    # job with it afterwards? Empty means nobody has said yet (not "no").
    hired_after_placement = models.BooleanField(
        _("hired after the placement"), null=True, blank=True
    )
    status = models.CharField(max_length=12, choices=ApplicationStatus.choices, default=A.DRAFT)
    status_changed_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "student"], name="application_one_per_student"
            ),
            models.CheckConstraint(
                condition=Q(hired_after_placement__isnull=True) | Q(status="completed"),
                name="application_hire_after_completion",
            ),
        ]
        indexes = [
            models.Index(fields=["placement", "status"], name="application_stage_idx"),
            models.Index(fields=["institution", "status"], name="application_inst_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student_name} → {self.placement}"

    @property
    def student_name(self) -> str:
        """The applicant's name, or a placeholder once they deleted their account."""
        return self.student.display_name if self.student_id else str(_("Deleted account"))

    @property
    def student_email(self) -> str:
        """Empty once the student deleted their account (``send_templated_email`` skips it)."""
        return self.student.email if self.student_id else ""


class ApplicationAnswer(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        PlacementQuestion, on_delete=models.CASCADE, related_name="answers"
    )
    text = models.TextField(_("answer"), max_length=4000, blank=True)

    class Meta:
        ordering = ["question__order", "question_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "question"], name="answer_one_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id}/{self.question_id}"


class ApplicationTransition(models.Model):
    """The student's timeline: who moved the application where, when, with what message."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(max_length=12, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status or '—'} → {self.to_status}"


class ApplicationNote(models.Model):
    """A private note of the studio about an applicant; never shown to the student."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("note"), max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Note on {self.application_id}"


class PlacementOfficer(models.Model):
    """University staff who follow their institution's students' placements."""

    institution = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="placement_officers",
        limit_choices_to={"kind": "institution"},
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="placement_officer_roles"
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "user"], name="placement_officer_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.institution}"


class ApprovalChecklistItem(models.Model):
    institution = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="approval_checklist"
    )
    text = models.CharField(_("item"), max_length=200)
    required_for_low_risk = models.BooleanField(_("required for low-risk placements"), default=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class PlacementApproval(models.Model):
    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="approval"
    )
    institution = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    low_risk = models.BooleanField(_("low risk"), default=False)
    checked_items = models.ManyToManyField(ApprovalChecklistItem, blank=True, related_name="+")
    reason = models.TextField(_("reason"), max_length=4000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(reason=""), name="approval_refusal_reason"
            )
        ]

    def __str__(self) -> str:
        return f"Approval of {self.application_id}: {self.status}"


def _rating_check(fields: list[str], prefix: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(**{f"{name}__gte": MIN_RATING, f"{name}__lte": MAX_RATING}),
            name=f"{prefix}_{name}_1_5",
        )
        for name in fields
    ]


STUDENT_RATINGS = ["overall", "learning", "support"]
SUPERVISOR_RATINGS = ["overall", "skills", "professionalism", "communication"]


class StudentEvaluation(models.Model):
    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="student_evaluation"
    )
    overall = models.PositiveSmallIntegerField(_("overall"))
    learning = models.PositiveSmallIntegerField(_("what I learned"))
    support = models.PositiveSmallIntegerField(_("support from the studio"))
    comments = models.TextField(_("comments"), max_length=4000, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = _rating_check(STUDENT_RATINGS, "student_eval")

    def __str__(self) -> str:
        return f"Student evaluation of {self.application_id}"


class SupervisorEvaluation(models.Model):
    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="supervisor_evaluation"
    )
    supervisor_name = models.CharField(_("supervisor"), max_length=120)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    via_link = models.BooleanField(default=False)
    overall = models.PositiveSmallIntegerField(_("overall"))
    skills = models.PositiveSmallIntegerField(_("skills"))
    professionalism = models.PositiveSmallIntegerField(_("professionalism"))
    communication = models.PositiveSmallIntegerField(_("communication"))
    comments = models.TextField(_("comments"), max_length=4000, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = _rating_check(SUPERVISOR_RATINGS, "supervisor_eval")

    def __str__(self) -> str:
        return f"Supervisor evaluation of {self.application_id}"
