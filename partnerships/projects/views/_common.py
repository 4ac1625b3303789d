"""Helpers shared by the project pages."""

from django.contrib import messages
from django.shortcuts import redirect

from partnerships.core.errors import DomainError
from partnerships.core.http import domain_error_response
from partnerships.organisations.models import Organisation

from .. import services
from ..models import OpportunityStatus, Proposal, ProposalStatus
from ..services.proposals import PROPOSAL_TRANSITIONS

P = ProposalStatus

DECISIONS = {
    "shortlist": (services.proposal_shortlist, P.SHORTLISTED),
    "accept": (services.proposal_accept, P.ACCEPTED),
    "decline": (services.proposal_decline, P.DECLINED),
}


def run_action(request, action, *, success: str, redirect_to: str):
    """Run a service for a POST action: a message on success, a clear 4xx page on failure."""
    try:
        action()
    except DomainError as exc:
        return domain_error_response(request, exc, back_url=redirect_to)
    messages.success(request, success)
    return redirect(redirect_to)


def bound(request) -> tuple:
    """Form data for a POST (even an empty one, which must fail validation), else unbound."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def keep_on_form(form, exc: DomainError) -> int:
    """Put a service refusal on the form, so nothing typed is lost; return the status to answer.

    An error naming one of the form's fields goes next to that field, anything else at the top.
    """
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
    return exc.status


def verified_organisations(user, kind: str | None = None) -> list[Organisation]:
    """The verified organisations this person belongs to (and so may act for)."""
    if not user.is_authenticated:
        return []
    qs = Organisation.objects.verified().filter(memberships__user=user)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.order_by("name"))


def decisions_for(proposal: Proposal) -> list[str]:
    """The decisions the call's owners can still make about this proposal."""
    allowed = PROPOSAL_TRANSITIONS[proposal.status]
    names = [name for name, (_service, target) in DECISIONS.items() if target in allowed]
    if proposal.opportunity.status not in (OpportunityStatus.OPEN, OpportunityStatus.REVIEWING):
        names = [n for n in names if n != "accept"]
    return names
