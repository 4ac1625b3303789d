"""Writes about people: completing sign-up and editing profiles."""

from django.db import transaction
from django.utils.translation import gettext as _

from partnerships.core.errors import DomainError, PermissionDenied

from .models import SIGNUP_ROLES, Profile, Role
from .permissions import can_edit_profile


@transaction.atomic
def user_complete_signup(*, user, role: str, display_name: str) -> None:
    """Record the role chosen at sign-up. Platform admin is never self-chosen."""
    if role not in SIGNUP_ROLES:
        raise DomainError(_("Choose student, university staff or industry member."), field="role")
    user.role = role
    user.save(update_fields=["role"])
    Profile.objects.update_or_create(user=user, defaults={"display_name": display_name.strip()})


@transaction.atomic
def profile_update(*, actor, profile: Profile, skills=None, sectors=None, **fields) -> Profile:
    if not can_edit_profile(actor, profile):
        raise PermissionDenied()
    if profile.user.role != Role.STUDENT:
        student_only = {"institution", "course", "level", "expected_graduation", "discoverable"}
        for name in student_only & set(fields):
            fields.pop(name)
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save()
    if skills is not None:
        profile.skills.set(skills)
    if sectors is not None:
        profile.sectors.set(sectors)
    if profile.user.role == Role.STUDENT:
        # What suits them may have changed: recompute their stored recommendations.
        from partnerships.core.mail import enqueue_after_commit
        from partnerships.matching.tasks import refresh_student_recommendations

        enqueue_after_commit(refresh_student_recommendations, user_id=profile.user_id)
    return profile
