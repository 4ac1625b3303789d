"""Reads about people, filtered to what the viewer may see."""

from django.db.models import Exists, Q, QuerySet

from partnerships.organisations.models import Membership
from partnerships.organisations.permissions import is_platform_admin

from .models import Profile, Role


def visible_profiles(user) -> QuerySet[Profile]:
    """The same rule as ``can_view_profile``, as one query, so lists never leak more."""
    qs = Profile.objects.select_related("user", "institution").prefetch_related("skills", "sectors")
    if not user.is_authenticated:
        return qs.none()
    if is_platform_admin(user):
        return qs
    own_institutions = Membership.objects.filter(user=user).values("organisation_id")
    is_verified_industry = Membership.objects.filter(
        user=user, organisation__kind="industry", organisation__status="verified"
    )
    return qs.annotate(_viewer_in_industry=Exists(is_verified_industry)).filter(
        Q(user=user)
        | ~Q(user__role=Role.STUDENT)
        | Q(institution__in=own_institutions)
        | Q(discoverable=True, _viewer_in_industry=True)
    )


def profile_completeness(profile: Profile) -> tuple[int, list[str]]:
    """A percentage and the list of missing pieces, to nudge people to finish their profile."""
    checks = {
        "headline": bool(profile.headline),
        "bio": bool(profile.bio),
        "location": bool(profile.location),
        "skills": profile.skills.exists(),
        "sectors": profile.sectors.exists(),
        "avatar": bool(profile.avatar),
    }
    if profile.user.role == Role.STUDENT:
        checks.update(
            institution=profile.institution_id is not None,
            course=bool(profile.course),
            level=bool(profile.level),
        )
    missing = [name for name, ok in checks.items() if not ok]
    return round(100 * (len(checks) - len(missing)) / len(checks)), missing
