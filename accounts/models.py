"""People: an email-login user with one role, and the profile others see."""

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerships.core.uploads import avatar_path
from partnerships.core.validators import validate_image_upload


class Role(models.TextChoices):
    STUDENT = "student", _("Student")
    UNIVERSITY = "university", _("University staff")
    INDUSTRY = "industry", _("Industry member")
    ADMIN = "admin", _("Platform admin")


SIGNUP_ROLES = [Role.STUDENT, Role.UNIVERSITY, Role.INDUSTRY]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STUDENT)
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("Can log into the Django admin.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="accounts_user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def is_platform_admin(self) -> bool:
        return self.is_active and (self.role == Role.ADMIN or self.is_superuser)

    @property
    def display_name(self) -> str:
        profile = getattr(self, "profile", None)
        return (profile.display_name if profile else "") or self.email.split("@")[0]


class StudyLevel(models.TextChoices):
    FOUNDATION = "foundation", _("Foundation")
    UNDERGRADUATE = "undergraduate", _("Undergraduate")
    POSTGRADUATE = "postgraduate", _("Postgraduate")
    DOCTORAL = "doctoral", _("Doctoral")


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a time zone we know."), params={"value": value})


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(_("display name"), max_length=80)
    headline = models.CharField(_("headline"), max_length=140, blank=True)
    bio = models.TextField(_("bio"), max_length=4000, blank=True)
    location = models.CharField(_("location"), max_length=120, blank=True)
    website = models.URLField(_("website or portfolio"), blank=True)
    skills = models.ManyToManyField(
        "core.Skill", verbose_name=_("skills"), blank=True, related_name="profiles"
    )
    sectors = models.ManyToManyField(
        "core.Sector",
        verbose_name=_("creative sectors of interest"),
        blank=True,
        related_name="profiles",
    )
    avatar = models.ImageField(
        _("avatar"), upload_to=avatar_path, blank=True, validators=[validate_image_upload]
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default=settings.TIME_ZONE, validators=[validate_timezone]
    )
    # Student-only fields.
    institution = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("institution"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="students",
        limit_choices_to={"kind": "institution"},
    )
    course = models.CharField(_("course"), max_length=160, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=StudyLevel.choices, blank=True)
    expected_graduation = models.DateField(_("expected graduation"), null=True, blank=True)
    discoverable = models.BooleanField(
        _("let verified studios discover my profile"),
        default=False,
        help_text=_("Off by default. When on, studios may find you and suggest opportunities."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        indexes = [models.Index(fields=["discoverable"], name="accounts_profile_discover_idx")]

    def __str__(self) -> str:
        return self.display_name
