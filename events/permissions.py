"""Who may see, run and attend an event: plain predicates shared by views, API and templates.

Organisers are the members of the organising organisation and, when the event belongs to a
partnership that has not ended, of the other side of it too (once a partnership ends, the former
partner no longer edits its events or sees who registered). Only members of *verified*
organisations act as organisers; members of a pending one may still see their drafts. The
audience decides who may see and register: everyone (also signed-out visitors), students only,
or members of chosen organisations (students count as members of their institution).
"""

from accounts.models import Role
from partnerships.organisations.models import Organisation
from partnerships.organisations.permissions import can_act_for, is_platform_admin, membership_of
from partnerships.projects.models import LIVE_PARTNERSHIP_STATUSES

from .models import Audience, Event, EventStatus, RegistrationStatus


def organiser_organisations(event: Event) -> list[Organisation]:
    """The organising organisation, plus the other side of the event's partnership while that
    partnership lasts (a paused one included: it may resume)."""
    organisations = [event.organisation]
    partnership = event.partnership
    if partnership is not None and partnership.status in LIVE_PARTNERSHIP_STATUSES:
        for side in (partnership.institution, partnership.industry_partner):
            if side.pk != event.organisation_id:
                organisations.append(side)
    return organisations


def can_host_event(user, organisation: Organisation) -> bool:
    """Verified institutions and industry partners both host events."""
    return can_act_for(user, organisation)


def can_manage_event(user, event: Event) -> bool:
    """Edit, publish, cancel, see registrants, message them, check people in."""
    return is_platform_admin(user) or any(
        can_act_for(user, org) for org in organiser_organisations(event)
    )


def is_organiser_member(user, event: Event) -> bool:
    """Belongs to an organising organisation (also while it awaits verification)."""
    return any(membership_of(user, org) is not None for org in organiser_organisations(event))


def in_audience(user, event: Event) -> bool:
    if event.audience == Audience.PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if event.audience == Audience.STUDENTS:
        return user.role == Role.STUDENT
    invited = list(event.audience_organisations.all())
    if any(membership_of(user, org) is not None for org in invited):
        return True
    profile = getattr(user, "profile", None)
    return (
        user.role == Role.STUDENT
        and profile is not None
        and profile.institution_id in {org.pk for org in invited}
    )


def holds_registration(user, event: Event) -> bool:
    """Registered in any way (also cancelled): they keep seeing what they signed up for."""
    from .models import Registration

    return user.is_authenticated and Registration.objects.filter(event=event, user=user).exists()


def can_view_event(user, event: Event) -> bool:
    """Organisers and admins always; others a non-draft event in their audience, or one they
    registered for (so narrowing the audience never locks a registrant out of their place)."""
    if is_platform_admin(user) or is_organiser_member(user, event):
        return True
    if event.status == EventStatus.DRAFT:
        return False
    return in_audience(user, event) or holds_registration(user, event)


def can_register(user, event: Event) -> bool:
    """In the audience and signed in; the state of registration is checked by the service."""
    return user.is_authenticated and in_audience(user, event)


def can_see_online_link(user, event: Event, registration=None) -> bool:
    """Organisers, platform admins and people holding a confirmed place."""
    if not user.is_authenticated:
        return False
    if can_manage_event(user, event) or is_organiser_member(user, event):
        return True
    return (
        registration is not None
        and registration.user_id == user.pk
        and registration.status == RegistrationStatus.CONFIRMED
    )
