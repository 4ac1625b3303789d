"""The studio's pipeline: applicants by stage, private notes, stage actions, bulk reject, CSV
export, and CV downloads (for everyone allowed to see the application, through one view)."""

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from partnerships.core.errors import DomainError
from partnerships.core.files import serve_private_file
from partnerships.core.http import domain_error_response
from partnerships.organisations.permissions import is_platform_admin

from .. import selectors, services
from ..forms import STAGE_FILTER, HireForm, MessageForm, NoteForm
from ..models import ApplicationStatus
from ..permissions import can_view_cv, is_studio
from ..services.applications import TRANSITIONS
from ._common import application_or_404, placement_or_404, run_action

A = ApplicationStatus
STAGE_ACTIONS = {
    "review": (services.application_review, A.UNDER_REVIEW, gettext_lazy("Mark under review")),
    "shortlist": (services.application_shortlist, A.SHORTLISTED, gettext_lazy("Shortlist")),
    "interview": (
        services.application_invite_to_interview,
        A.INTERVIEW,
        gettext_lazy("Invite to interview"),
    ),
    "offer": (services.application_offer, A.OFFERED, gettext_lazy("Offer a position")),
    "reject": (services.application_reject, A.REJECTED, gettext_lazy("Reject")),
    "complete": (services.application_complete, A.COMPLETED, gettext_lazy("Mark completed")),
}
PAGE_SIZE = 25
TAKES_MESSAGE = {"shortlist", "interview", "offer", "reject"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def studio_actions(application) -> list[tuple[str, str]]:
    allowed = TRANSITIONS.get(application.status, {})
    return [(name, label) for name, (_s, to, label) in STAGE_ACTIONS.items() if to in allowed]


def _studio_placement(request, pk: int, *, read_only: bool = False):
    """The studio acts on its pipeline; platform admins may read it but never act for a party."""
    placement = placement_or_404(request, pk)
    if is_studio(request.user, placement):
        return placement
    if read_only and is_platform_admin(request.user):
        return placement
    raise PermissionDenied


@login_required
@require_GET
def pipeline(request, pk: int):
    placement = _studio_placement(request, pk, read_only=True)
    acts = is_studio(request.user, placement)
    stage = request.GET.get("stage", "")
    if stage not in dict(STAGE_FILTER):
        stage = ""
    applicants = selectors.placement_pipeline(request.user, placement, stage=stage)
    # The busiest placements draw hundreds of applicants: a page at a time, notes prefetched
    # for that page only.
    page = Paginator(applicants.prefetch_related("notes__author__profile"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    for row in rows:
        row.actions = studio_actions(row) if acts else []
        if acts and row.status == A.COMPLETED:
            row.hire_form = HireForm(initial=HireForm.initial_for(row), prefix=f"hire-{row.pk}")
    counts = selectors.pipeline_counts(placement)
    return render(
        request,
        "placements/pipeline.html",
        {
            "placement": placement,
            "applications": rows,
            "page": page,
            "stage": stage,
            "stages": [(value, label, counts.get(value, 0)) for value, label in STAGE_FILTER],
            "acts": acts,
            "note_form": NoteForm(),
            "message_form": MessageForm(),
        },
    )


def _studio_application(request, pk: int):
    application = application_or_404(request, pk)
    if not is_studio(request.user, application.placement):
        raise PermissionDenied
    return application


@login_required
@require_POST
def stage(request, pk: int, action: str):
    application = _studio_application(request, pk)
    if action not in STAGE_ACTIONS:
        raise Http404
    service, _to, _label = STAGE_ACTIONS[action]
    kwargs = {"actor": request.user, "application": application}
    if action in TAKES_MESSAGE:
        kwargs["message"] = request.POST.get("message", "")[:4000]
    return run_action(
        request,
        lambda: service(**kwargs),
        success=_("%(name)s: %(stage)s.") % {"name": application.student_name, "stage": _label},
        redirect_to=reverse("placements:pipeline", args=[application.placement_id]),
    )


@login_required
@require_POST
def hire(request, pk: int):
    """After a completed placement the studio records whether it hired the student."""
    application = _studio_application(request, pk)
    back = reverse("placements:pipeline", args=[application.placement_id])
    form = HireForm(request.POST, prefix=f"hire-{application.pk}")
    if not form.is_valid():
        return domain_error_response(
            request, DomainError(_("Choose yes, no or not known yet.")), back_url=back
        )
    return run_action(
        request,
        lambda: services.application_record_hire(
            actor=request.user, application=application, hired=form.hired_value()
        ),
        success=_("Saved: what happened after %(name)s's placement.")
        % {"name": application.student_name},
        redirect_to=back + f"#applicant-{application.pk}",
    )


@login_required
@require_POST
def note(request, pk: int):
    application = _studio_application(request, pk)
    return run_action(
        request,
        lambda: services.application_note_add(
            actor=request.user, application=application, text=request.POST.get("text", "")
        ),
        success=_("Note added. Only your studio sees it."),
        redirect_to=reverse("placements:pipeline", args=[application.placement_id]),
    )


@login_required
@require_POST
def bulk_reject(request, pk: int):
    placement = _studio_placement(request, pk)
    back = reverse("placements:pipeline", args=[placement.pk])
    ids = [v for v in request.POST.getlist("applications") if v.isdigit()]
    if not ids:
        return domain_error_response(
            request, DomainError(_("Tick the applicants to reject first.")), back_url=back
        )
    return run_action(
        request,
        lambda: services.applications_bulk_reject(
            actor=request.user,
            placement=placement,
            applications=ids,
            message=request.POST.get("message", ""),
        ),
        success=_("The applicants were told."),
        redirect_to=back,
    )


def neutralise(value) -> str:
    """Stop spreadsheet programs running a cell as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@login_required
@require_GET
def export_csv(request, pk: int):
    placement = _studio_placement(request, pk, read_only=True)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="placement-{placement.pk}.csv"'
    response["Cache-Control"] = "private, no-store"
    writer = csv.writer(response)
    questions = list(placement.questions.all())
    writer.writerow(
        [_("Name"), _("Email"), _("Institution"), _("Stage"), _("Submitted"), _("Portfolio")]
        + [q.text for q in questions]
    )
    for row in selectors.placement_pipeline(request.user, placement):
        answers = {a.question_id: a.text for a in row.answers.all()}
        cells = [
            row.student_name,
            row.student_email,
            row.institution.name if row.institution else "",
            row.get_status_display(),
            row.submitted_at.isoformat() if row.submitted_at else "",
            row.portfolio_url,
        ] + [answers.get(q.pk, "") for q in questions]
        writer.writerow([neutralise(c) for c in cells])
    return response


@login_required
@require_GET
def cv(request, pk: int):
    application = application_or_404(request, pk)
    if not can_view_cv(request.user, application):
        raise Http404
    try:
        services.check_cv_available(application)
    except DomainError as exc:
        return domain_error_response(request, exc)
    return serve_private_file(application.cv, title=f"CV {application.student_name}")
