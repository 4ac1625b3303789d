"""Students apply (draft, then submit), follow their applications' timelines and answer offers;
placement officers follow their students and approve placements for credit; evaluations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnerships.core.errors import Conflict, DomainError
from partnerships.core.http import domain_error_response

from .. import selectors, services
from ..forms import (
    ApplicationForm,
    ApprovalForm,
    RefuseForm,
    StudentEvaluationForm,
    SupervisorEvaluationForm,
)
from ..models import ApplicationStatus, ApplicationTransition, PlacementApproval
from ..permissions import can_decide_approval, can_view_application, is_eligible
from ._common import application_or_404, bound, keep_on_form, placement_or_404, run_action

A = ApplicationStatus
STUDENT_ACTIONS = {
    "accept": (services.application_accept, A.ACCEPTED, gettext_lazy("You accepted the offer.")),
    "decline": (services.application_decline, A.DECLINED, gettext_lazy("You declined the offer.")),
    "withdraw": (
        services.application_withdraw,
        A.WITHDRAWN,
        gettext_lazy("You withdrew your application."),
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def apply(request, pk: int):
    placement = placement_or_404(request, pk)
    placement = selectors.with_questions(placement)
    draft = placement.applications.filter(student=request.user).first()
    if draft is not None and draft.status != A.DRAFT:
        return redirect("placements:my_applications")
    if not is_eligible(request.user, placement):
        raise PermissionDenied
    if request.method == "GET" and not placement.accepts_applications:
        message = _("This placement no longer takes applications.")
        return domain_error_response(
            request,
            Conflict(message, code="placement_not_open"),
            back_url=reverse("placements:detail", args=[placement.pk]),
        )
    initial = {}
    if draft is not None:
        initial = {
            "cover_letter": draft.cover_letter,
            "portfolio_url": draft.portfolio_url,
            "for_credit": draft.for_credit,
        }
        initial.update({f"q_{a.question_id}": a.text for a in draft.answers.all()})
    questions = list(placement.questions.all())
    drafting = request.method == "POST" and "submit" not in request.POST
    form = ApplicationForm(*bound(request), questions=questions, initial=initial, drafting=drafting)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                application = services.application_save_draft(
                    actor=request.user,
                    placement=placement,
                    cover_letter=data["cover_letter"],
                    cv=data["cv"],
                    portfolio_url=data["portfolio_url"],
                    for_credit=data["for_credit"],
                    answers=form.answers(),
                )
                if "submit" in request.POST:
                    services.application_submit(actor=request.user, application=application)
            except DomainError as exc:
                status = keep_on_form(form, exc)
                draft = placement.applications.filter(student=request.user).first()
            else:
                if "submit" in request.POST:
                    messages.success(request, _("Application sent. Good luck!"))
                    return redirect("placements:my_applications")
                messages.success(request, _("Draft saved. Submit it before the deadline."))
                return redirect("placements:apply", pk=placement.pk)
    return render(
        request,
        "placements/apply.html",
        {"form": form, "placement": placement, "draft": draft},
        status=status,
    )


@login_required
@require_GET
def my_applications(request):
    applications = selectors.student_applications(request.user).prefetch_related(
        Prefetch(
            "transitions",
            queryset=ApplicationTransition.objects.order_by("created_at", "pk"),
        ),
        "student_evaluation",
    )
    return render(request, "placements/my_applications.html", {"applications": list(applications)})


@login_required
@require_POST
def respond(request, pk: int, action: str):
    application = application_or_404(request, pk)
    if application.student_id != request.user.pk:
        raise PermissionDenied
    if action not in STUDENT_ACTIONS:
        raise Http404
    service, _to, success = STUDENT_ACTIONS[action]
    kwargs = {"actor": request.user, "application": application}
    if action != "accept":
        kwargs["message"] = request.POST.get("message", "")[:4000]
    return run_action(
        request,
        lambda: service(**kwargs),
        success=success,
        redirect_to=reverse("placements:my_applications"),
    )


@login_required
@require_GET
def application_detail(request, pk: int):
    application = application_or_404(request, pk)
    return render(
        request,
        "placements/application_detail.html",
        {
            "application": application,
            "timeline": selectors.application_timeline(application),
            "notes": selectors.application_notes(request.user, application),
            "answers": application.answers.select_related("question"),
        },
    )


# --- University ------------------------------------------------------------------------------


@login_required
@require_POST
def complete(request, pk: int):
    """The student's placement officer marks an ended placement completed (the studio can too,
    from its pipeline); the service checks the party and the end date."""
    application = application_or_404(request, pk)
    return run_action(
        request,
        lambda: services.application_complete(actor=request.user, application=application),
        success=_("The placement is marked completed. Both sides are asked for an evaluation."),
        redirect_to=reverse("placements:officer"),
    )


@login_required
@require_GET
def officer(request):
    applications = list(selectors.officer_applications(request.user)[:200])
    approvals = list(selectors.pending_approvals(request.user))
    if (
        not applications
        and not approvals
        and not selectors.officer_institution_ids(request.user).exists()
    ):
        raise PermissionDenied
    return render(
        request,
        "placements/officer.html",
        {
            "applications": applications,
            "approvals": approvals,
            "placements": list(selectors.officer_placements(request.user)[:100]),
            "managed_institutions": list(selectors.managed_institutions(request.user)),
        },
    )


def _approval(request, pk: int) -> PlacementApproval:
    approval = get_object_or_404(
        PlacementApproval.objects.select_related(
            "institution", "application__placement__organisation", "application__student__profile"
        ),
        pk=pk,
    )
    if not can_view_application(request.user, approval.application):
        raise Http404
    if not can_decide_approval(request.user, approval):
        raise PermissionDenied
    return approval


@login_required
@require_http_methods(["GET", "POST"])
def approval(request, pk: int):
    approval = _approval(request, pk)
    items = services.checklist_items(approval.institution)
    form = ApprovalForm(
        *bound(request),
        items=items,
        initial={"checked_items": [str(i.pk) for i in approval.checked_items.all()]},
    )
    refuse_form = RefuseForm()
    status = 200
    if form.is_bound and form.is_valid():
        try:
            services.approval_approve(
                actor=request.user,
                approval=approval,
                checked_items=form.cleaned_data["checked_items"],
                low_risk=form.cleaned_data["low_risk"],
            )
        except DomainError as exc:
            status = keep_on_form(form, exc)
        else:
            messages.success(request, _("Approved. The student and the studio are told."))
            return redirect("placements:officer")
    elif form.is_bound:
        status = 400
    return render(
        request,
        "placements/approval.html",
        {"approval": approval, "form": form, "refuse_form": refuse_form},
        status=status,
    )


@login_required
@require_POST
def approval_refuse(request, pk: int):
    approval = _approval(request, pk)
    refuse_form = RefuseForm(request.POST)
    if refuse_form.is_valid():
        try:
            services.approval_refuse(
                actor=request.user, approval=approval, reason=refuse_form.cleaned_data["reason"]
            )
        except DomainError as exc:
            status = keep_on_form(refuse_form, exc)
        else:
            messages.success(request, _("Refused. The student and the studio are told why."))
            return redirect("placements:officer")
    else:
        status = 400
    form = ApprovalForm(items=services.checklist_items(approval.institution))
    return render(
        request,
        "placements/approval.html",
        {"approval": approval, "form": form, "refuse_form": refuse_form},
        status=status,
    )


# --- Evaluations -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def student_evaluation(request, pk: int):
    application = application_or_404(request, pk)
    if application.student_id != request.user.pk:
        raise PermissionDenied
    form = StudentEvaluationForm(*bound(request))
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                services.student_evaluation_submit(
                    actor=request.user, application=application, **form.cleaned_data
                )
            except DomainError as exc:
                status = keep_on_form(form, exc)
            else:
                messages.success(request, _("Thank you for your evaluation."))
                return redirect("placements:my_applications")
    return render(
        request,
        "placements/evaluation_form.html",
        {"form": form, "application": application, "by_student": True},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def supervisor_evaluation(request, token: str):
    try:
        application = services.application_from_supervisor_token(token)
    except DomainError as exc:
        return domain_error_response(request, exc, back_url="/")
    form = SupervisorEvaluationForm(*bound(request))
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                services.supervisor_evaluation_submit_by_token(token=token, **form.cleaned_data)
            except DomainError as exc:
                status = keep_on_form(form, exc)
            else:
                return render(request, "placements/evaluation_thanks.html")
    return render(
        request,
        "placements/evaluation_form.html",
        {"form": form, "application": application, "by_student": False},
        status=status,
    )
