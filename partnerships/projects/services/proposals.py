"""Proposals: the other side's structured answer to a call, and its review in stages."""

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.activity.services import record_event
from partnerships.core.errors import Conflict, DomainError, PermissionDenied, RateLimited
from partnerships.core.mail import send_templated_email
from partnerships.organisations.models import Organisation
from partnerships.organisations.permissions import can_act_for

from ..models import (
    Opportunity,
    OpportunityStatus,
    Proposal,
    ProposalStatus,
    ProposalTransition,
    SavedProposal,
)
from ..permissions import OTHER_SIDE, can_decide_proposal, can_withdraw_proposal
from .opportunities import opportunity_transition
from .partnerships import link_or_create_partnership

P = ProposalStatus
CONTENT_FIELDS = ("team", "approach", "experience", "availability")

PROPOSAL_TRANSITIONS = {
    P.NEW: {P.SHORTLISTED, P.ACCEPTED, P.DECLINED, P.WITHDRAWN},
    P.SHORTLISTED: {P.ACCEPTED, P.DECLINED, P.WITHDRAWN},
    P.ACCEPTED: set(),
    P.DECLINED: set(),
    P.WITHDRAWN: set(),
}


def _url(obj) -> str:
    return f"{settings.SITE_URL}{obj.get_absolute_url()}"


def _proposer_emails(proposal: Proposal) -> list[str]:
    return [proposal.submitted_by.email] if proposal.submitted_by_id else []


def _owner_emails(opportunity: Opportunity) -> list[str]:
    emails = set()
    for user in (opportunity.contact, opportunity.created_by):
        if user is not None:
            emails.add(user.email)
    return sorted(emails)


def _move(proposal: Proposal, *, to: str, actor, message: str = "") -> Proposal:
    if to not in PROPOSAL_TRANSITIONS[proposal.status]:
        raise Conflict(
            _("A proposal that is %(current)s cannot become %(target)s.")
            % {"current": proposal.get_status_display().lower(), "target": P(to).label.lower()},
            code="invalid_transition",
        )
    from_status = proposal.status
    proposal.status = to
    proposal.status_changed_at = timezone.now()
    if to in (P.ACCEPTED, P.DECLINED, P.SHORTLISTED):
        proposal.decided_by = actor
    if message:
        proposal.message_to_proposer = message
    proposal.save(
        update_fields=["status", "status_changed_at", "decided_by", "message_to_proposer"]
    )
    ProposalTransition.objects.create(
        proposal=proposal,
        from_status=from_status,
        to_status=to,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        message=message,
    )
    return proposal


def _lock(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("opportunity__organisation", "organisation", "submitted_by")
        .get(pk=proposal.pk)
    )


def _check_proposal_rate(actor) -> None:
    """A person sends at most ``PROPOSALS_PER_DAY`` proposals in 24 hours: enough for any real
    bid-writing day, and a stop to scripted spam landing in other organisations' inboxes."""
    limit = settings.PROPOSALS_PER_DAY
    since = timezone.now() - timezone.timedelta(hours=24)
    if Proposal.objects.filter(submitted_by=actor, created_at__gte=since).count() >= limit:
        raise RateLimited(
            _("You have sent %(n)d proposals in the last 24 hours. Try again tomorrow.")
            % {"n": limit}
        )


@transaction.atomic
def proposal_submit(
    *,
    actor,
    opportunity: Opportunity,
    organisation: Organisation,
    attachment=None,
    **content: Any,
) -> Proposal:
    """Answer a call for an organisation on the other side. One live proposal per organisation."""
    if not can_act_for(actor, organisation):
        raise PermissionDenied(
            _("Only members of a verified organisation can propose on its behalf.")
        )
    if organisation.kind != OTHER_SIDE[opportunity.organisation.kind]:
        raise DomainError(
            _("This call is for %(kind)s to answer.")
            % {"kind": _("industry partners") if opportunity.organisation.kind == "institution"
               else _("institutions")},
            field="organisation",
        )  # fmt: skip
    _check_proposal_rate(actor)
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if not locked.accepts_proposals:
        raise Conflict(
            _("This call is not taking proposals any more (its deadline has passed or it was "
              "closed)."),
            code="closed",
        )  # fmt: skip
    missing = [f for f in CONTENT_FIELDS if not (content.get(f) or "").strip()]
    if missing:
        raise DomainError(_("Fill in every part of the proposal."), field=missing[0])
    proposal = Proposal(
        opportunity=locked,
        organisation=organisation,
        submitted_by=actor,
        attachment=attachment or "",
        **{f: content[f] for f in CONTENT_FIELDS},
    )
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError:
        if proposal.attachment:  # stored before the refused INSERT: do not leave it behind
            proposal.attachment.storage.delete(proposal.attachment.name)
        raise Conflict(
            _("%(org)s already has a live proposal for this call. Withdraw it to send another.")
            % {"org": organisation.name},
            code="duplicate",
        ) from None
    ProposalTransition.objects.create(proposal=proposal, to_status=P.NEW, actor=actor)
    record_event(
        "proposal.submitted", target=proposal, actor=actor, organisation=organisation,
        opportunity_id=locked.pk,
    )  # fmt: skip
    send_templated_email(
        to=_owner_emails(locked),
        template="projects/proposal_received",
        context={"proposal": proposal, "opportunity": locked, "url": _url(proposal)},
    )
    return proposal


@transaction.atomic
def proposal_shortlist(*, actor, proposal: Proposal, message: str = "") -> Proposal:
    locked = _lock(proposal)
    if not can_decide_proposal(actor, locked):
        raise PermissionDenied()
    _move(locked, to=P.SHORTLISTED, actor=actor, message=message)
    record_event("proposal.shortlisted", target=locked, actor=actor)
    send_templated_email(
        to=_proposer_emails(locked),
        template="projects/proposal_shortlisted",
        context={"proposal": locked, "message": message, "url": _url(locked)},
    )
    return locked


@transaction.atomic
def proposal_decline(*, actor, proposal: Proposal, message: str = "") -> Proposal:
    locked = _lock(proposal)
    if not can_decide_proposal(actor, locked):
        raise PermissionDenied()
    _move(locked, to=P.DECLINED, actor=actor, message=message)
    record_event("proposal.declined", target=locked, actor=actor)
    send_templated_email(
        to=_proposer_emails(locked),
        template="projects/proposal_declined",
        context={"proposal": locked, "message": message, "url": _url(locked)},
    )
    return locked


def decline_remaining(opportunity: Opportunity, *, actor, message: str, keep=None) -> int:
    """Decline every other live proposal kindly (after an acceptance or a cancellation)."""
    others = (
        Proposal.objects.select_for_update(of=("self",))
        .filter(opportunity=opportunity, status__in=[P.NEW, P.SHORTLISTED])
        .select_related("submitted_by", "opportunity", "organisation")
    )
    if keep is not None:
        others = others.exclude(pk=keep.pk)
    count = 0
    for other in others:
        _move(other, to=P.DECLINED, actor=actor, message=message)
        send_templated_email(
            to=_proposer_emails(other),
            template="projects/proposal_declined",
            context={"proposal": other, "message": message, "url": _url(other)},
        )
        count += 1
    return count


@transaction.atomic
def proposal_accept(*, actor, proposal: Proposal, message: str = "") -> Proposal:
    """Accept one proposal: the call is agreed, the others are declined kindly, and the two
    organisations' partnership is created (or the existing one is linked)."""
    opportunity = Opportunity.objects.select_for_update().get(pk=proposal.opportunity_id)
    locked = _lock(proposal)
    if not can_decide_proposal(actor, locked):
        raise PermissionDenied()
    if opportunity.status not in (OpportunityStatus.OPEN, OpportunityStatus.REVIEWING):
        raise Conflict(
            _("Proposals can be accepted while the call is open or being reviewed; it is %(s)s.")
            % {"s": opportunity.get_status_display().lower()},
            code="invalid_transition",
        )
    _move(locked, to=P.ACCEPTED, actor=actor, message=message)
    institution, industry = (
        (opportunity.organisation, locked.organisation)
        if opportunity.organisation.kind == "institution"
        else (locked.organisation, opportunity.organisation)
    )
    partnership = link_or_create_partnership(
        actor=actor,
        institution=institution,
        industry_partner=industry,
        title=f"{institution.name} × {industry.name}",
        contacts=[u for u in (opportunity.contact, locked.submitted_by) if u is not None],
    )
    opportunity = opportunity_transition(
        actor=actor, opportunity=opportunity, to=OpportunityStatus.AGREED, system=True
    )
    opportunity.partnership = partnership
    opportunity.save(update_fields=["partnership"])
    decline_remaining(
        opportunity,
        actor=actor,
        keep=locked,
        message=_("Thank you for your proposal. %(org)s has chosen another partner for this call.")
        % {"org": opportunity.organisation.name},
    )
    record_event(
        "proposal.accepted", target=locked, actor=actor, organisation=opportunity.organisation,
        partnership_id=partnership.pk,
    )  # fmt: skip
    send_templated_email(
        to=_proposer_emails(locked),
        template="projects/proposal_accepted",
        context={
            "proposal": locked,
            "message": message,
            "partnership": partnership,
            "url": _url(partnership),
        },
    )
    return locked


@transaction.atomic
def proposal_withdraw(*, actor, proposal: Proposal) -> Proposal:
    locked = _lock(proposal)
    if not can_withdraw_proposal(actor, locked):
        raise PermissionDenied()
    _move(locked, to=P.WITHDRAWN, actor=actor)
    record_event("proposal.withdrawn", target=locked, actor=actor)
    return locked


def proposals_nudge_owners(*, days: int | None = None) -> int:
    """Remind owners of calls with proposals left unanswered for ``days`` (once per proposal).

    Claims proposals with a conditional update, so a second run, or a second worker, sends
    nothing twice.
    """
    from ..selectors import unanswered_proposals

    days = settings.PROPOSAL_NUDGE_DAYS if days is None else days
    nudged = 0
    by_opportunity: dict[int, list[Proposal]] = {}
    for proposal in unanswered_proposals(days):
        claimed = Proposal.objects.filter(pk=proposal.pk, nudged_at__isnull=True, status=P.NEW)
        if claimed.update(nudged_at=timezone.now()):
            by_opportunity.setdefault(proposal.opportunity_id, []).append(proposal)
            nudged += 1
    for proposals in by_opportunity.values():
        opportunity = proposals[0].opportunity
        send_templated_email(
            to=_owner_emails(opportunity),
            template="projects/proposals_waiting",
            context={
                "opportunity": opportunity,
                "proposals": proposals,
                "days": days,
                "url": _url(opportunity),
            },
        )
    return nudged


@transaction.atomic
def saved_proposal_save(*, actor, name: str, saved: SavedProposal | None = None, **content):
    """Save proposal text under a name, to reuse for later calls."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the saved proposal a name."), field="name")
    if saved is not None and saved.owner_id != actor.pk:
        raise PermissionDenied()
    fields = {f: content.get(f, "") for f in CONTENT_FIELDS}
    try:
        with transaction.atomic():
            if saved is None:
                return SavedProposal.objects.create(owner=actor, name=name, **fields)
            saved.name = name
            for key, value in fields.items():
                setattr(saved, key, value)
            saved.save()
            return saved
    except IntegrityError:
        raise Conflict(_("You already have a saved proposal called “%s”.") % name) from None


@transaction.atomic
def saved_proposal_delete(*, actor, saved: SavedProposal) -> None:
    if saved.owner_id != actor.pk:
        raise PermissionDenied()
    saved.delete()
