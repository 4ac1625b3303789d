"""Opportunities (calls), the proposals that answer them, and the partnerships they produce."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerships.core.files import PrivateUploadPath
from partnerships.core.validators import validate_pdf_upload

from .search import TextSearchVectorField

currency_validator = RegexValidator(
    r"^[A-Z]{3}\Z", _("Give a three-letter currency code in capitals, such as GBP.")
)


class OpportunityKind(models.TextChoices):
    RESEARCH = "research", _("Research collaboration")
    LIVE_BRIEF = "live_brief", _("Live brief / student challenge")
    WORKSHOP = "workshop", _("Joint workshop")
    GUEST_LECTURE = "guest_lecture", _("Guest lecture request")
    CONSULTANCY = "consultancy", _("Consultancy / knowledge exchange")
    CURRICULUM_REVIEW = "curriculum_review", _("Curriculum review")


class Mode(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    HYBRID = "hybrid", _("Hybrid")
    REMOTE = "remote", _("Remote")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public: anyone can read it")
    MEMBERS = "members", _("Signed-in members only")


class OpportunityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for proposals")
    REVIEWING = "reviewing", _("Reviewing proposals")
    AGREED = "agreed", _("Agreed")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class Opportunity(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("posted by"),
        on_delete=models.CASCADE,
        related_name="opportunities",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact person"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="opportunities_to_contact",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OpportunityKind.choices)
    title = models.CharField(_("title"), max_length=160)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), max_length=20000)
    sectors = models.ManyToManyField("core.Sector", verbose_name=_("sectors"), blank=True)
    skills = models.ManyToManyField("core.Skill", verbose_name=_("skills sought"), blank=True)
    timeline = models.CharField(_("timeline"), max_length=200, blank=True)
    commitment = models.CharField(_("commitment"), max_length=200, blank=True)
    location = models.CharField(_("location"), max_length=120, blank=True)
    mode = models.CharField(_("where"), max_length=10, choices=Mode.choices, default=Mode.HYBRID)
    deadline = models.DateTimeField(_("deadline for proposals"))
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    # Terms stated up front for live briefs and student challenges.
    ip_ownership = models.TextField(_("who owns the resulting IP"), max_length=2000, blank=True)
    student_credit = models.TextField(_("how students are credited"), max_length=2000, blank=True)
    is_paid = models.BooleanField(_("students are paid"), default=False)
    payment_details = models.CharField(_("payment"), max_length=200, blank=True)
    deliverables = models.TextField(_("deliverables"), max_length=4000, blank=True)

    status = models.CharField(
        _("status"),
        max_length=12,
        choices=OpportunityStatus.choices,
        default=OpportunityStatus.DRAFT,
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    partnership = models.ForeignKey(
        "Partnership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    search_vector = TextSearchVectorField(null=True, editable=False)

    SEARCH_WEIGHTS = {"title": "A", "summary": "B", "description": "C", "location": "D"}

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            models.Index(fields=["status", "deadline"], name="opp_status_deadline_idx"),
            models.Index(fields=["organisation", "status"], name="opp_org_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="live_brief")
                | (~Q(ip_ownership="") & ~Q(student_credit="") & ~Q(deliverables="")),
                name="opp_live_brief_states_terms",
            ),
            models.CheckConstraint(
                condition=Q(is_paid=False) | ~Q(payment_details=""),
                name="opp_paid_states_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:opportunity", kwargs={"pk": self.pk})

    @property
    def states_terms(self) -> bool:
        return self.kind == OpportunityKind.LIVE_BRIEF

    @property
    def accepts_proposals(self) -> bool:
        return self.status == OpportunityStatus.OPEN and self.deadline > timezone.now()


class OpportunityTransition(models.Model):
    """Who moved an opportunity from which status to which, and when."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(max_length=12, choices=OpportunityStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=OpportunityStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_status or '—'} → {self.to_status}"


class ProposalStatus(models.TextChoices):
    NEW = "new", _("New")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


LIVE_PROPOSAL_STATUSES = [ProposalStatus.NEW, ProposalStatus.SHORTLISTED, ProposalStatus.ACCEPTED]


class ProposalContent(models.Model):
    """The structured answer to a call; shared by proposals and reusable saved drafts."""

    team = models.TextField(_("who would work on it"), max_length=4000)
    approach = models.TextField(_("approach"), max_length=8000)
    experience = models.TextField(_("relevant experience"), max_length=8000)
    availability = models.CharField(_("availability"), max_length=300)

    class Meta:
        abstract = True


class Proposal(ProposalContent):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="proposals")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("proposing organisation"),
        on_delete=models.CASCADE,
        related_name="proposals",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="proposals"
    )
    attachment = models.FileField(
        _("attachment (PDF)"),
        upload_to=PrivateUploadPath("proposals"),
        blank=True,
        validators=[validate_pdf_upload],
    )
    status = models.CharField(
        max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.NEW
    )
    message_to_proposer = models.TextField(
        _("message to the proposer"), max_length=4000, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    nudged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "organisation"],
                condition=Q(status__in=LIVE_PROPOSAL_STATUSES),
                name="proposal_one_live_per_org",
            ),
            models.UniqueConstraint(
                fields=["opportunity"],
                condition=Q(status="accepted"),
                name="proposal_one_accepted_per_opportunity",
            ),
        ]
        indexes = [models.Index(fields=["status", "status_changed_at"], name="proposal_status_idx")]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.opportunity}"

    def get_absolute_url(self) -> str:
        return reverse("projects:proposal", kwargs={"pk": self.pk})


class ProposalTransition(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=ProposalStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ProposalStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.from_status or '—'} → {self.to_status}"


class SavedProposal(ProposalContent):
    """A person's reusable proposal text, to start new proposals from."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_proposals"
    )
    name = models.CharField(_("name"), max_length=120)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="savedproposal_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class PartnershipStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


LIVE_PARTNERSHIP_STATUSES = [
    PartnershipStatus.PROPOSED,
    PartnershipStatus.ACTIVE,
    PartnershipStatus.PAUSED,
]


class Partnership(models.Model):
    """The formal relationship between one institution and one industry partner."""

    institution = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="partnerships_as_institution",
        limit_choices_to={"kind": "institution"},
    )
    industry_partner = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="partnerships_as_partner",
        limit_choices_to={"kind": "industry"},
    )
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), max_length=8000, blank=True)
    status = models.CharField(
        max_length=10, choices=PartnershipStatus.choices, default=PartnershipStatus.PROPOSED
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    # Impact reporting: external money the partnership brought in; empty until someone records it.
    funding_amount = models.DecimalField(
        _("funding attracted"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_(
            "Grants, contracts or sponsorship the partnership brought in, in total. Leave empty "
            "if not known."
        ),
    )
    funding_currency = models.CharField(
        _("currency"),
        max_length=3,
        default="GBP",
        validators=[currency_validator],
        help_text=_("Three-letter code, such as GBP or EUR."),
    )
    agreement = models.FileField(
        _("agreement (PDF)"),
        upload_to=PrivateUploadPath("agreements"),
        blank=True,
        validators=[validate_pdf_upload],
    )
    institution_contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("institution contacts"),
    )
    industry_contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("industry contacts")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_by_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "industry_partner"],
                condition=Q(status__in=LIVE_PARTNERSHIP_STATUSES),
                name="partnership_one_live_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="partnership_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(funding_amount__isnull=True) | Q(funding_amount__gte=0),
                name="partnership_funding_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:partnership", kwargs={"pk": self.pk})

    def side_of(self, organisation_id: int) -> str | None:
        if organisation_id == self.institution_id:
            return "institution"
        if organisation_id == self.industry_partner_id:
            return "industry"
        return None
