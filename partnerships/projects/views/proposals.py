"""Proposals: answer a call, follow its stages, decide; and reusable saved proposal text."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnerships.core.errors import Conflict, DomainError
from partnerships.core.files import serve_private_file
from partnerships.core.http import domain_error_response
from partnerships.organisations.models import Kind

from .. import selectors, services
from ..forms import DecisionForm, ProposalForm, SavedProposalForm
from ..models import Proposal, ProposalStatus, SavedProposal
from ..permissions import can_decide_proposal, can_withdraw_proposal, proposing_organisations
from ..services.proposals import CONTENT_FIELDS, PROPOSAL_TRANSITIONS
from ._common import DECISIONS, bound, decisions_for, keep_on_form, run_action
from .opportunities import _visible_or_404 as visible_opportunity_or_404

P = ProposalStatus
PAGE_SIZE = 20


def _visible_or_404(request, pk: int) -> Proposal:
    """Only the call's organisation and the proposing organisation see a proposal."""
    return get_object_or_404(
        selectors.visible_proposals(request.user).select_related(
            "submitted_by__profile", "opportunity__partnership"
        ),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request, pk: int):
    opportunity = visible_opportunity_or_404(request, pk)
    organisations = proposing_organisations(request.user, opportunity)
    if not organisations:
        side = (
            _("a verified industry partner")
            if opportunity.organisation.kind == Kind.INSTITUTION
            else _("a verified institution")
        )
        raise PermissionDenied(_("Only members of %(side)s can answer this call.") % {"side": side})
    if not opportunity.accepts_proposals:
        return domain_error_response(
            request,
            Conflict(_("This call is not taking proposals any more.")),
            back_url=opportunity.get_absolute_url(),
        )
    saved_proposals = SavedProposal.objects.filter(owner=request.user).order_by("name")
    initial, started_from = {}, None
    source = request.GET.get("from", "")
    if source and request.method == "GET":
        if not source.isdigit():
            raise Http404
        started_from = get_object_or_404(saved_proposals, pk=int(source))
        initial = {name: getattr(started_from, name) for name in CONTENT_FIELDS}
    form = ProposalForm(*bound(request), organisations=organisations, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            save_as = data.pop("save_as", "").strip()
            content = {name: data[name] for name in CONTENT_FIELDS}
            try:
                with transaction.atomic():
                    # Text first: a name clash then stops before the attachment is stored.
                    if save_as:
                        try:
                            services.saved_proposal_save(
                                actor=request.user, name=save_as, **content
                            )
                        except DomainError as exc:
                            exc.field = "save_as"
                            raise
                    proposal = services.proposal_submit(
                        actor=request.user,
                        opportunity=opportunity,
                        organisation=data["organisation"],
                        attachment=data.get("attachment"),
                        **content,
                    )
            except DomainError as exc:
                status = keep_on_form(form, exc)
            else:
                text = _(
                    "Your proposal has been sent to %(org)s. We will email you when they answer."
                ) % {"org": opportunity.organisation.name}
                if save_as:
                    text += " " + _("Its text is saved as “%(name)s”.") % {"name": save_as}
                messages.success(request, text)
                return redirect(proposal)
    return render(
        request,
        "projects/proposal_form.html",
        {
            "form": form,
            "opportunity": opportunity,
            "saved_proposals": saved_proposals,
            "started_from": started_from,
        },
        status=status,
    )


@login_required
@require_GET
def detail(request, pk: int):
    proposal = _visible_or_404(request, pk)
    user = request.user
    can_decide = can_decide_proposal(user, proposal)
    context = {
        "proposal": proposal,
        "opportunity": proposal.opportunity,
        "transitions": proposal.transitions.select_related("actor__profile"),
        "decisions": decisions_for(proposal) if can_decide else [],
        "can_decide": can_decide,
        "can_withdraw": can_withdraw_proposal(user, proposal)
        and P.WITHDRAWN in PROPOSAL_TRANSITIONS[proposal.status],
        "decision_form": DecisionForm(),
    }
    return render(request, "projects/proposal_detail.html", context)


@login_required
@require_POST
def decide(request, pk: int):
    proposal = _visible_or_404(request, pk)
    back = (
        proposal.opportunity.get_absolute_url()
        if request.POST.get("return_to") == "opportunity"
        else proposal.get_absolute_url()
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return domain_error_response(
            request, DomainError(_("Choose to shortlist, accept or decline.")), back_url=back
        )
    decision, message = form.cleaned_data["decision"], form.cleaned_data["message"]
    service = DECISIONS[decision][0]
    org = proposal.organisation.name
    success = {
        "shortlist": _("%(org)s is shortlisted and has been emailed.") % {"org": org},
        "accept": _(
            "You accepted the proposal from %(org)s. The call is agreed, the other proposers have "
            "been told, and the partnership is set up."
        )
        % {"org": org},
        "decline": _("You declined the proposal from %(org)s; they have been emailed.")
        % {"org": org},
    }[decision]
    return run_action(
        request,
        lambda: service(actor=request.user, proposal=proposal, message=message),
        success=success,
        redirect_to=back,
    )


@login_required
@require_POST
def withdraw(request, pk: int):
    proposal = _visible_or_404(request, pk)
    return run_action(
        request,
        lambda: services.proposal_withdraw(actor=request.user, proposal=proposal),
        success=_("Your proposal has been withdrawn."),
        redirect_to=proposal.get_absolute_url(),
    )


@login_required
@require_GET
def attachment(request, pk: int):
    proposal = _visible_or_404(request, pk)
    return serve_private_file(
        proposal.attachment, title=f"{proposal.organisation.name} proposal {proposal.pk}"
    )


@login_required
@require_GET
def mine(request):
    page = Paginator(selectors.my_proposals(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "projects/my_proposals.html", {"page": page})


# --- Saved proposals ------------------------------------------------------------------------


@login_required
@require_GET
def saved_list(request):
    saved = SavedProposal.objects.filter(owner=request.user).order_by("name", "pk")
    return render(request, "projects/saved_proposals.html", {"saved_proposals": saved})


@login_required
@require_http_methods(["GET", "POST"])
def saved_edit(request, pk: int | None = None):
    saved = get_object_or_404(SavedProposal, pk=pk, owner=request.user) if pk else None
    initial = (
        {"name": saved.name, **{f: getattr(saved, f) for f in CONTENT_FIELDS}} if saved else {}
    )
    form = SavedProposalForm(bound(request)[0], initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.saved_proposal_save(actor=request.user, saved=saved, **form.cleaned_data)
            except DomainError as exc:
                if exc.field is None and isinstance(exc, Conflict):
                    exc.field = "name"
                status = keep_on_form(form, exc)
            else:
                messages.success(
                    request, _("“%(name)s” is saved.") % {"name": form.cleaned_data["name"]}
                )
                return redirect("projects:saved_proposals")
    return render(
        request, "projects/saved_proposal_form.html", {"form": form, "saved": saved}, status=status
    )


@login_required
@require_POST
def saved_delete(request, pk: int):
    saved = get_object_or_404(SavedProposal, pk=pk, owner=request.user)
    name = saved.name
    return run_action(
        request,
        lambda: services.saved_proposal_delete(actor=request.user, saved=saved),
        success=_("“%(name)s” has been deleted.") % {"name": name},
        redirect_to=reverse("projects:saved_proposals"),
    )
