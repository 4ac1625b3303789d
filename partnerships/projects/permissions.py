"""Who may do what with opportunities, proposals and partnerships."""

from partnerships.organisations.models import MANAGER_ROLES, Kind, Organisation
from partnerships.organisations.permissions import can_act_for, is_platform_admin, membership_of

from .models import Opportunity, OpportunityStatus, Partnership, Proposal, Visibility

OTHER_SIDE = {Kind.INSTITUTION: Kind.INDUSTRY, Kind.INDUSTRY: Kind.INSTITUTION}


def is_member(user, organisation: Organisation) -> bool:
    return membership_of(user, organisation) is not None


def is_manager(user, organisation: Organisation) -> bool:
    membership = membership_of(user, organisation)
    return membership is not None and membership.role in MANAGER_ROLES


def can_post_opportunity(user, organisation: Organisation) -> bool:
    return can_act_for(user, organisation)


def can_manage_opportunity(user, opportunity: Opportunity) -> bool:
    """Members of the posting organisation run its calls (while it is verified)."""
    return is_platform_admin(user) or can_act_for(user, opportunity.organisation)


def can_view_opportunity(user, opportunity: Opportunity) -> bool:
    if can_manage_opportunity(user, opportunity) or is_member(user, opportunity.organisation):
        return True
    if opportunity.status == OpportunityStatus.DRAFT:
        return False
    return opportunity.visibility == Visibility.PUBLIC or user.is_authenticated


def proposing_organisations(user, opportunity: Opportunity) -> list[Organisation]:
    """The verified organisations on the other side that this person may propose for."""
    if not user.is_authenticated:
        return []
    wanted = OTHER_SIDE[opportunity.organisation.kind]
    return [
        m.organisation
        for m in user.memberships.select_related("organisation").filter(
            organisation__kind=wanted, organisation__status="verified"
        )
    ]


def can_view_proposal(user, proposal: Proposal) -> bool:
    """The call's owners and the proposing organisation; competing proposers never."""
    return (
        is_platform_admin(user)
        or is_member(user, proposal.opportunity.organisation)
        or is_member(user, proposal.organisation)
    )


def can_decide_proposal(user, proposal: Proposal) -> bool:
    return can_manage_opportunity(user, proposal.opportunity)


def can_withdraw_proposal(user, proposal: Proposal) -> bool:
    return is_member(user, proposal.organisation)


def can_view_partnership(user, partnership: Partnership) -> bool:
    return (
        is_platform_admin(user)
        or is_member(user, partnership.institution)
        or is_member(user, partnership.industry_partner)
    )


def can_change_partnership(user, partnership: Partnership) -> bool:
    return (
        is_platform_admin(user)
        or can_act_for(user, partnership.institution)
        or can_act_for(user, partnership.industry_partner)
    )


def can_manage_agreement(user, partnership: Partnership) -> bool:
    return (
        is_platform_admin(user)
        or is_manager(user, partnership.institution)
        or is_manager(user, partnership.industry_partner)
    )
