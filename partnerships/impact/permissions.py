"""Who sees which impact figures: an organisation's are for its members and platform admins;
the platform's for platform admins only. The figures themselves never look at the user."""

from partnerships.organisations.models import Organisation
from partnerships.organisations.permissions import is_platform_admin, membership_of


def can_view_organisation_impact(user, organisation: Organisation) -> bool:
    return is_platform_admin(user) or membership_of(user, organisation) is not None


def can_view_platform_impact(user) -> bool:
    return is_platform_admin(user)
