"""Institutions and industry partners, their members, invitations and requests to join."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerships.core.uploads import logo_path
from partnerships.core.validators import validate_image_upload


class Kind(models.TextChoices):
    INSTITUTION = "institution", _("Institution")
    INDUSTRY = "industry", _("Industry partner")


class Category(models.TextChoices):
    UNIVERSITY = "university", _("University")
    ART_SCHOOL = "art_school", _("Art school")
    COLLEGE = "college", _("College")
    STUDIO = "studio", _("Studio")
    AGENCY = "agency", _("Agency")
    CREATIVE_BUSINESS = "creative_business", _("Creative business")
    CULTURAL_ORGANISATION = "cultural_organisation", _("Cultural organisation")
    FREELANCER_COLLECTIVE = "freelancer_collective", _("Freelancer collective")


CATEGORIES_BY_KIND = {
    Kind.INSTITUTION: [Category.UNIVERSITY, Category.ART_SCHOOL, Category.COLLEGE],
    Kind.INDUSTRY: [
        Category.STUDIO,
        Category.AGENCY,
        Category.CREATIVE_BUSINESS,
        Category.CULTURAL_ORGANISATION,
        Category.FREELANCER_COLLECTIVE,
    ],
}


class SizeBand(models.TextChoices):
    MICRO = "1-9", _("1–9 people")
    SMALL = "10-49", _("10–49 people")
    MEDIUM = "50-249", _("50–249 people")
    LARGE = "250+", _("250 or more people")


class Status(models.TextChoices):
    PENDING = "pending", _("Pending verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    _("Use lowercase letters, numbers and single hyphens, e.g. “northern-light-studio”."),
)


class OrganisationQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(status=Status.VERIFIED)


class Organisation(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    category = models.CharField(_("type"), max_length=30, choices=Category.choices)
    name = models.CharField(_("name"), max_length=160)
    slug = models.SlugField(
        _("web address"),
        max_length=80,
        unique=True,
        validators=[slug_validator],
        help_text=_("Used in the organisation's page address."),
    )
    description = models.TextField(_("description"), max_length=8000, blank=True)
    website = models.URLField(_("website"), blank=True)
    location = models.CharField(_("location"), max_length=120, blank=True)
    sectors = models.ManyToManyField(
        "core.Sector", verbose_name=_("sectors"), blank=True, related_name="organisations"
    )
    size_band = models.CharField(_("size"), max_length=10, choices=SizeBand.choices, blank=True)
    logo = models.ImageField(
        _("logo"), upload_to=logo_path, blank=True, validators=[validate_image_upload]
    )
    status = models.CharField(
        _("verification"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    status_reason = models.TextField(_("reason"), blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisations_created",
    )
    created_at = models.DateTimeField(default=timezone.now)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["status", "kind"], name="org_status_kind_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="org_kind_valid"),
            models.CheckConstraint(
                condition=(
                    Q(kind=Kind.INSTITUTION, category__in=CATEGORIES_BY_KIND[Kind.INSTITUTION])
                    | Q(kind=Kind.INDUSTRY, category__in=CATEGORIES_BY_KIND[Kind.INDUSTRY])
                ),
                name="org_category_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:detail", kwargs={"slug": self.slug})

    @property
    def is_verified(self) -> bool:
        return self.status == Status.VERIFIED


class MemberRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MEMBER = "member", _("Member")


MANAGER_ROLES = (MemberRole.OWNER, MemberRole.ADMIN)


class Membership(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation__name", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=MemberRole.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"

    @property
    def can_manage(self) -> bool:
        return self.role in MANAGER_ROLES


class Invitation(models.Model):
    """An email invitation to join. The link carries a signed token; each can be used once."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(
        _("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
            models.CheckConstraint(
                condition=Q(role__in=[MemberRole.ADMIN, MemberRole.MEMBER]),
                name="invitation_role_not_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class JoinRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class JoinRequest(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="join_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    message = models.TextField(_("message"), max_length=2000, blank=True)
    status = models.CharField(
        max_length=10, choices=JoinRequestStatus.choices, default=JoinRequestStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(status=JoinRequestStatus.PENDING),
                name="joinrequest_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation} ({self.status})"
