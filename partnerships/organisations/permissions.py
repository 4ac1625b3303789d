"""Who may do what with an organisation: plain predicates shared by views, API and templates."""

from accounts.models import Role

from .models import MANAGER_ROLES, Kind, Membership, Organisation

ROLE_FOR_KIND = {Kind.INSTITUTION: Role.UNIVERSITY, Kind.INDUSTRY: Role.INDUSTRY}


def _memberships(user) -> dict[int, Membership]:
    """The person's memberships by organisation id, read once per request (the user object
    lives as long as the request; ``forget_memberships`` drops them after a change)."""
    cache = getattr(user, "_membership_cache", None)
    if cache is None:
        cache = {m.organisation_id: m for m in Membership.objects.filter(user=user)}
        user._membership_cache = cache
    return cache


def membership_of(user, organisation: Organisation) -> Membership | None:
    """The user's membership, from the per-request cache of ``_memberships``."""
    if not user.is_authenticated:
        return None
    return _memberships(user).get(organisation.pk)


def member_organisation_ids(user) -> list[int]:
    """The ids of the person's organisations (none for most students), from the same cache:
    panels that only concern members skip their queries for everyone else."""
    return list(_memberships(user)) if user.is_authenticated else []


def is_platform_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_platform_admin)


def role_fits_kind(user, kind: str) -> bool:
    """University staff belong to institutions, industry members to industry partners."""
    return is_platform_admin(user) or user.role == ROLE_FOR_KIND.get(kind)


def can_view_organisation(user, organisation: Organisation) -> bool:
    return (
        organisation.is_verified
        or is_platform_admin(user)
        or membership_of(user, organisation) is not None
    )


def can_create_organisation(user, kind: str | None = None) -> bool:
    if not user.is_authenticated:
        return False
    if kind is None:
        return is_platform_admin(user) or user.role in (Role.UNIVERSITY, Role.INDUSTRY)
    return role_fits_kind(user, kind)


def can_manage_organisation(user, organisation: Organisation) -> bool:
    """Owners and admins edit the organisation and manage its people (even while pending)."""
    membership = membership_of(user, organisation)
    return is_platform_admin(user) or (membership is not None and membership.role in MANAGER_ROLES)


def can_act_for(user, organisation: Organisation) -> bool:
    """Only members of a verified organisation act on its behalf (post, offer, host)."""
    return organisation.is_verified and membership_of(user, organisation) is not None


def can_verify_organisations(user) -> bool:
    return is_platform_admin(user)


def can_request_to_join(user, organisation: Organisation) -> bool:
    return (
        user.is_authenticated
        and organisation.is_verified
        and role_fits_kind(user, organisation.kind)
        and membership_of(user, organisation) is None
    )


def forget_memberships(user) -> None:
    """Drop the cached memberships after a change, so the next check reads the database."""
    if hasattr(user, "_membership_cache"):
        del user._membership_cache
