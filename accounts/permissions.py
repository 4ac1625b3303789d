"""Who may see a person's profile."""

from partnerships.organisations.permissions import is_platform_admin

from .models import Profile, Role


def can_view_profile(user, profile: Profile) -> bool:
    """Staff and industry profiles are visible to members; students' are protected.

    A student's profile is seen by the student, platform admins, staff of the student's own
    institution, and (only if the student opted in) members of verified industry partners.
    """
    if not user.is_authenticated:
        return False
    if user.pk == profile.user_id or is_platform_admin(user):
        return True
    if profile.user.role != Role.STUDENT:
        return True
    if (
        profile.institution_id
        and user.memberships.filter(organisation_id=profile.institution_id).exists()
    ):
        return True
    return (
        profile.discoverable
        and user.memberships.filter(
            organisation__kind="industry", organisation__status="verified"
        ).exists()
    )


def can_edit_profile(user, profile: Profile) -> bool:
    return user.is_authenticated and (user.pk == profile.user_id or is_platform_admin(user))
