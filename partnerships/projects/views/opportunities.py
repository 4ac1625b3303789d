"""Calls for partners: browse, read, post, edit, and move through their life cycle."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnerships.core.errors import Conflict, DomainError
from partnerships.core.http import domain_error_response
from partnerships.organisations.models import Membership
from partnerships.organisations.permissions import is_platform_admin

from .. import selectors, services
from ..forms import BrowseForm, CancelForm, DecisionForm, OpportunityForm
from ..models import LIVE_PROPOSAL_STATUSES, Opportunity, OpportunityStatus
from ..permissions import (
    can_manage_opportunity,
    can_view_opportunity,
    is_member,
    proposing_organisations,
)
from ..services.opportunities import TRANSITIONS
from ._common import bound, decisions_for, keep_on_form, run_action, verified_organisations

S = OpportunityStatus
PAGE_SIZE = 20


@dataclass(frozen=True)
class Action:
    service: object
    target: str
    label: Promise
    success: Promise
    only_from: frozenset = frozenset()


ACTIONS = {
    "publish": Action(
        services.opportunity_publish,
        S.OPEN,
        gettext_lazy("Publish"),
        gettext_lazy("The call is published and open for proposals."),
        frozenset({S.DRAFT}),
    ),
    "close": Action(
        services.opportunity_close,
        S.REVIEWING,
        gettext_lazy("Stop taking proposals"),
        gettext_lazy("The call no longer takes proposals. Review those you received."),
    ),
    "reopen": Action(
        services.opportunity_reopen,
        S.OPEN,
        gettext_lazy("Reopen for proposals"),
        gettext_lazy("The call is open for proposals again."),
        frozenset({S.REVIEWING, S.EXPIRED}),
    ),
    "start": Action(
        services.opportunity_start,
        S.IN_PROGRESS,
        gettext_lazy("Mark as started"),
        gettext_lazy("The work is marked as started."),
    ),
    "complete": Action(
        services.opportunity_complete,
        S.COMPLETED,
        gettext_lazy("Mark as completed"),
        gettext_lazy("The work is marked as completed. Well done."),
    ),
    "cancel": Action(
        services.opportunity_cancel,
        S.CANCELLED,
        gettext_lazy("Cancel the call"),
        gettext_lazy("The call is cancelled. Everyone with a live proposal has been told."),
    ),
}


def available_actions(opportunity: Opportunity) -> list[tuple[str, Action]]:
    """The status changes people can make from where the call is now (not the system's own)."""
    allowed = TRANSITIONS[opportunity.status]
    return [
        (name, action)
        for name, action in ACTIONS.items()
        if action.target in allowed
        and (not action.only_from or opportunity.status in action.only_from)
    ]


def _get(pk: int) -> Opportunity:
    return get_object_or_404(
        Opportunity.objects.select_related(
            "organisation", "contact__profile", "created_by__profile", "partnership"
        ),
        pk=pk,
    )


def _visible_or_404(request, pk: int) -> Opportunity:
    opportunity = _get(pk)
    if not can_view_opportunity(request.user, opportunity):
        raise Http404
    return opportunity


def _managed_or_deny(request, pk: int) -> Opportunity:
    opportunity = _visible_or_404(request, pk)
    if not can_manage_opportunity(request.user, opportunity):
        raise PermissionDenied(
            _("Only members of %(org)s can change this call.")
            % {"org": opportunity.organisation.name}
        )
    return opportunity


@require_GET
def browse(request):
    form = BrowseForm(request.GET or None)
    results = selectors.opportunity_browse(request.user, **form.filters())
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/browse.html",
        {
            "form": form,
            "page": page,
            "filtered": form.is_filtered(),
            "searched": bool(form.filters().get("q")),
            "can_post": bool(verified_organisations(request.user)),
        },
    )


@require_GET
def detail(request, pk: int):
    opportunity = _get(pk)
    user = request.user
    if not can_view_opportunity(user, opportunity):
        if not user.is_authenticated and opportunity.status != S.DRAFT:
            return redirect_to_login(request.get_full_path())  # a members-only call
        raise Http404
    can_manage = can_manage_opportunity(user, opportunity)
    owner_side = can_manage or is_member(user, opportunity.organisation) or is_platform_admin(user)
    own_proposals = []
    if user.is_authenticated and not owner_side:
        own_proposals = list(
            opportunity.proposals.filter(
                organisation_id__in=Membership.objects.filter(user=user).values("organisation_id")
            )
            .select_related("organisation")
            .order_by("-created_at", "-pk")
        )
    live_orgs = {p.organisation_id for p in own_proposals if p.status in LIVE_PROPOSAL_STATUSES}
    proposing = proposing_organisations(user, opportunity) if opportunity.accepts_proposals else []
    proposal_rows = []
    if owner_side:
        for proposal in selectors.proposals_for_opportunity(opportunity):
            proposal.opportunity = opportunity
            proposal_rows.append((proposal, decisions_for(proposal) if can_manage else []))
    context = {
        "opportunity": opportunity,
        "can_manage": can_manage,
        "owner_side": owner_side,
        "actions": available_actions(opportunity) if can_manage else [],
        "proposal_rows": proposal_rows,
        "show_partnership": opportunity.partnership_id
        and (owner_side or any(p.status == "accepted" for p in own_proposals)),
        "transitions": opportunity.transitions.select_related("actor__profile")
        if owner_side
        else [],
        "own_proposals": own_proposals,
        "can_propose": any(o.pk not in live_orgs for o in proposing),
        "needs_verified_org": user.is_authenticated
        and not owner_side
        and opportunity.accepts_proposals
        and not proposing,
        "cancel_form": CancelForm(),
        "decision_form": DecisionForm(),
        "sectors": opportunity.sectors.all(),
        "skills": opportunity.skills.all(),
        "editable": opportunity.status not in (S.COMPLETED, S.CANCELLED),
    }
    return render(request, "projects/opportunity_detail.html", context)


def _split(form) -> tuple[dict, list, list]:
    data = dict(form.cleaned_data)
    return data, list(data.pop("sectors", [])), list(data.pop("skills", []))


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    organisations = verified_organisations(request.user)
    if not organisations:
        raise PermissionDenied(
            _(
                "Only members of a verified organisation can post calls. Join or create your "
                "organisation first; a platform admin verifies it."
            )
        )
    form = OpportunityForm(
        *bound(request), organisations=organisations, initial={"contact": request.user.pk}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data, sectors, skills = _split(form)
            organisation = data.pop("organisation")
            publish = "publish" in request.POST
            try:
                with transaction.atomic():
                    opportunity = services.opportunity_create(
                        actor=request.user,
                        organisation=organisation,
                        sectors=sectors,
                        skills=skills,
                        **data,
                    )
                    if publish:
                        opportunity = services.opportunity_publish(
                            actor=request.user, opportunity=opportunity
                        )
            except DomainError as exc:
                status = keep_on_form(form, exc)
            else:
                messages.success(
                    request,
                    _("Your call is published and open for proposals.")
                    if publish
                    else _(
                        "Your draft is saved. Only your organisation can see it until you "
                        "publish it."
                    ),
                )
                return redirect(opportunity)
    return render(
        request,
        "projects/opportunity_form.html",
        {"form": form, "creating": True, "organisations": organisations},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    opportunity = _managed_or_deny(request, pk)
    if opportunity.status in (S.COMPLETED, S.CANCELLED):
        return domain_error_response(
            request,
            Conflict(
                _("A %(status)s call can no longer be edited.")
                % {"status": opportunity.get_status_display().lower()}
            ),
            back_url=opportunity.get_absolute_url(),
        )
    form = OpportunityForm(*bound(request), instance=opportunity)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data, sectors, skills = _split(form)
            publish = "publish" in request.POST and opportunity.status == S.DRAFT
            try:
                with transaction.atomic():
                    updated = services.opportunity_update(
                        actor=request.user,
                        opportunity=opportunity,
                        sectors=sectors,
                        skills=skills,
                        **data,
                    )
                    if publish:
                        updated = services.opportunity_publish(
                            actor=request.user, opportunity=updated
                        )
            except DomainError as exc:
                status = keep_on_form(form, exc)
            else:
                messages.success(
                    request,
                    _("Your call is published and open for proposals.")
                    if publish
                    else _("Your changes are saved."),
                )
                return redirect(updated)
    opportunity.refresh_from_db()
    return render(
        request,
        "projects/opportunity_form.html",
        {"form": form, "opportunity": opportunity, "creating": False},
        status=status,
    )


@login_required
@require_POST
def transition(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    opportunity = _visible_or_404(request, pk)
    chosen = ACTIONS[action]
    extra = {}
    if action == "cancel":
        form = CancelForm(request.POST)
        extra["reason"] = form.cleaned_data["reason"] if form.is_valid() else ""
    return run_action(
        request,
        lambda: chosen.service(actor=request.user, opportunity=opportunity, **extra),
        success=str(chosen.success),
        redirect_to=opportunity.get_absolute_url(),
    )
