from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnerships.core.errors import Conflict, DomainError
from partnerships.core.files import serve_private_file
from partnerships.core.http import domain_error_response
from partnerships.organisations.models import Kind

from . import selectors, services
from .exports import responses_csv
from .forms import BrowseFilterForm, ResponseForm, ReviewForm, VolunteerForm
from .models import (
    LIVE_REVIEWER_STATUSES,
    CurriculumReview,
    Reviewer,
    ReviewerStatus,
    ReviewResponse,
    ReviewStatus,
)
from .permissions import (
    can_download_syllabus,
    can_manage_review,
    can_request_review,
    can_view_responses,
    can_view_review,
    verified_organisations,
)

TRANSITION_LABELS = {
    "open": gettext_lazy("Open for reviewers"),
    "close": gettext_lazy("Close to reviewers"),
    "complete": gettext_lazy("Mark as completed"),
    "cancel": gettext_lazy("Cancel the review"),
}


def _visible_or_404(request, pk: int) -> CurriculumReview:
    review = get_object_or_404(
        CurriculumReview.objects.select_related("institution", "requested_by"), pk=pk
    )
    if not can_view_review(request.user, review):
        raise Http404
    return review


def _managed_or_deny(request, pk: int) -> CurriculumReview:
    review = _visible_or_404(request, pk)
    if not can_manage_review(request.user, review):
        raise PermissionDenied(
            _("Only members of %(org)s can change this review.") % {"org": review.institution}
        )
    return review


def _responses_or_deny(request, pk: int) -> CurriculumReview:
    review = _visible_or_404(request, pk)
    if not can_view_responses(request.user, review):
        raise PermissionDenied(
            _("Only members of %(org)s can see the responses.") % {"org": review.institution}
        )
    return review


def _run(request, action, *, success: str, redirect_to: str):
    """Run a service for a POST action: a message on success, a clear 4xx page on failure."""
    try:
        action()
    except DomainError as exc:
        return domain_error_response(request, exc, back_url=redirect_to)
    messages.success(request, success)
    return redirect(redirect_to)


def _bound(request) -> tuple:
    """Form data for a POST (even an empty one, which must fail validation), else unbound."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def _form_or_error_page(request, form, exc: DomainError, back_url: str):
    """A service refusal: on the form when it names one of its fields, else the error page."""
    if exc.field and exc.field in form.fields:
        form.add_error(exc.field, exc.message)
        return None
    return domain_error_response(request, exc, back_url=back_url)


@login_required
@require_GET
def browse(request):
    form = BrowseFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
        if "sector" in filters:
            filters["sector"] = filters["sector"].slug
    scope = filters.get("scope", "open")
    page = Paginator(selectors.browse_reviews(request.user, **filters), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "curriculum/browse.html",
        {
            "form": form,
            "page": page,
            "scope": scope,
            "filtered": bool(set(filters) - {"scope"}),
            "can_request": can_request_review(request.user),
        },
    )


@login_required
@require_GET
def detail(request, pk: int):
    review = _visible_or_404(request, pk)
    user = request.user
    mine = review.reviewers.filter(user=user).select_related("organisation").first()
    my_response = ReviewResponse.objects.filter(reviewer=mine).first() if mine else None
    can_manage = can_manage_review(user, review)
    counts = {
        status: review.reviewers.filter(status=status).count()
        for status in (ReviewerStatus.VOLUNTEERED, ReviewerStatus.ACCEPTED)
    }
    actions = [
        (name, TRANSITION_LABELS[name])
        for name, (_target, allowed, _msg) in services.TRANSITIONS.items()
        if review.status in allowed
    ]
    volunteer_possible = (
        review.status == ReviewStatus.OPEN
        and bool(verified_organisations(user, Kind.INDUSTRY))
        and not can_manage
        and (mine is None or mine.status == ReviewerStatus.WITHDRAWN)
    )
    context = {
        "review": review,
        "can_manage": can_manage,
        "can_view_responses": can_view_responses(user, review),
        "can_download": can_download_syllabus(user, review),
        "can_volunteer": volunteer_possible,
        "mine": mine,
        "mine_live": mine is not None and mine.status in LIVE_REVIEWER_STATUSES,
        "my_response": my_response,
        "accepted_count": counts[ReviewerStatus.ACCEPTED],
        "volunteer_count": counts[ReviewerStatus.VOLUNTEERED],
        "actions": actions if can_manage else [],
        "transitions": review.transitions.select_related("actor", "actor__profile")
        if can_manage
        else [],
    }
    return render(request, "curriculum/detail.html", context)


def _review_data(form) -> tuple[dict, list]:
    data = dict(form.cleaned_data)
    sectors = data.pop("sectors", [])
    syllabus = data.get("syllabus")
    if syllabus is False:  # "clear" ticked
        data["syllabus"] = ""
    elif not isinstance(syllabus, UploadedFile):
        data.pop("syllabus", None)
    return data, sectors


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    institutions = verified_organisations(request.user, Kind.INSTITUTION)
    if not institutions:
        raise PermissionDenied(
            _("Only staff of a verified institution can ask for curriculum reviews.")
        )
    form = ReviewForm(*_bound(request), institutions=institutions)
    if request.method == "POST" and form.is_valid():
        data, sectors = _review_data(form)
        try:
            review = services.review_create(actor=request.user, sectors=sectors, **data)
        except DomainError as exc:
            error_page = _form_or_error_page(request, form, exc, reverse("curriculum:browse"))
            if error_page is not None:
                return error_page
        else:
            messages.success(
                request,
                _("Your draft is saved. Check it, then open it so industry members can volunteer."),
            )
            return redirect(review)
    status = 400 if request.method == "POST" else 200
    return render(request, "curriculum/form.html", {"form": form, "creating": True}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    review = _managed_or_deny(request, pk)
    if review.status != ReviewStatus.DRAFT:
        return domain_error_response(
            request,
            Conflict(
                _("Only a draft can be edited; this review is %(status)s.")
                % {"status": review.get_status_display().lower()}
            ),
            back_url=review.get_absolute_url(),
        )
    form = ReviewForm(*_bound(request), instance=review)
    if request.method == "POST" and form.is_valid():
        data, sectors = _review_data(form)
        try:
            services.review_update(actor=request.user, review=review, sectors=sectors, **data)
        except DomainError as exc:
            error_page = _form_or_error_page(request, form, exc, review.get_absolute_url())
            if error_page is not None:
                return error_page
        else:
            messages.success(request, _("The draft has been saved."))
            return redirect("curriculum:detail", pk=review.pk)
    status = 400 if request.method == "POST" else 200
    review.refresh_from_db()
    return render(
        request,
        "curriculum/form.html",
        {"form": form, "review": review, "creating": False},
        status=status,
    )


TRANSITION_SUCCESS = {
    "open": gettext_lazy("The review is open. Industry members can now volunteer."),
    "close": gettext_lazy("The review is closed to new volunteers and responses."),
    "complete": gettext_lazy("The review is marked as completed."),
    "cancel": gettext_lazy("The review has been cancelled."),
}


@login_required
@require_POST
def transition(request, pk: int, action: str):
    if action not in services.TRANSITIONS:
        raise Http404
    review = _visible_or_404(request, pk)
    service = {
        "open": services.review_open,
        "close": services.review_close,
        "complete": services.review_complete,
        "cancel": services.review_cancel,
    }[action]
    return _run(
        request,
        lambda: service(actor=request.user, review=review),
        success=str(TRANSITION_SUCCESS[action]),
        redirect_to=review.get_absolute_url(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def volunteer(request, pk: int):
    review = _visible_or_404(request, pk)
    organisations = verified_organisations(request.user, Kind.INDUSTRY)
    if not organisations:
        raise PermissionDenied(
            _("Only members of a verified industry partner can review curricula.")
        )
    if review.status != ReviewStatus.OPEN:
        return domain_error_response(
            request,
            Conflict(_("This review is not taking volunteers.")),
            back_url=review.get_absolute_url(),
        )
    form = VolunteerForm(_bound(request)[0], organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            services.reviewer_volunteer(
                user=request.user,
                review=review,
                organisation=form.cleaned_data["organisation"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            error_page = _form_or_error_page(request, form, exc, review.get_absolute_url())
            if error_page is not None:
                return error_page
        else:
            messages.success(
                request,
                _("Thank you. %(org)s has been told; we will email you their answer.")
                % {"org": review.institution.name},
            )
            return redirect(review)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "curriculum/volunteer.html", {"form": form, "review": review}, status=status
    )


@login_required
@require_POST
def withdraw(request, pk: int):
    review = _visible_or_404(request, pk)
    reviewer = get_object_or_404(Reviewer, review=review, user=request.user)
    return _run(
        request,
        lambda: services.reviewer_withdraw(user=request.user, reviewer=reviewer),
        success=_("You have withdrawn from this review."),
        redirect_to=review.get_absolute_url(),
    )


@login_required
@require_GET
def reviewers(request, pk: int):
    review = _responses_or_deny(request, pk)
    rows = list(selectors.review_reviewers(review))
    accepted = sum(1 for r in rows if r.status == ReviewerStatus.ACCEPTED)
    return render(
        request,
        "curriculum/reviewers.html",
        {
            "review": review,
            "reviewers": rows,
            "accepted_count": accepted,
            "places_left": max(review.reviewers_wanted - accepted, 0),
            "can_manage": can_manage_review(request.user, review),
        },
    )


@login_required
@require_POST
def reviewer_decide(request, pk: int, reviewer_pk: int, decision: str):
    if decision not in ("accept", "decline"):
        raise Http404
    review = _visible_or_404(request, pk)
    reviewer = get_object_or_404(
        Reviewer.objects.select_related("user", "user__profile"), pk=reviewer_pk, review=review
    )
    service = services.reviewer_accept if decision == "accept" else services.reviewer_decline
    success = (
        _("%(name)s is now a reviewer; they have been emailed.")
        if decision == "accept"
        else _("You declined %(name)s; they have been emailed.")
    ) % {"name": reviewer.person_name}
    return _run(
        request,
        lambda: service(actor=request.user, reviewer=reviewer),
        success=success,
        redirect_to=reverse("curriculum:reviewers", kwargs={"pk": review.pk}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def response(request, pk: int):
    review = _visible_or_404(request, pk)
    mine = review.reviewers.filter(user=request.user).first()
    if mine is None or mine.status != ReviewerStatus.ACCEPTED:
        raise PermissionDenied(
            _("Only reviewers the institution has accepted can answer this review.")
        )
    existing = (
        ReviewResponse.objects.filter(reviewer=mine)
        .prefetch_related("missing_skills", "overweighted_skills")
        .first()
    )
    read_only = (existing is not None and existing.is_submitted) or (
        review.status != ReviewStatus.OPEN
    )
    if request.method == "POST":
        form = ResponseForm(request.POST)
        if form.is_valid():
            submit = request.POST.get("action") == "submit"
            try:
                services.response_save(
                    user=request.user, review=review, submit=submit, **form.cleaned_data
                )
            except DomainError as exc:
                error_page = _form_or_error_page(request, form, exc, review.get_absolute_url())
                if error_page is not None:
                    return error_page
            else:
                if submit:
                    messages.success(request, _("Your response has been submitted. Thank you."))
                    return redirect(review)
                messages.success(
                    request, _("Your answers are saved. Submit them when they are ready.")
                )
                return redirect("curriculum:response", pk=review.pk)
    else:
        form = ResponseForm(initial=ResponseForm.initial_from(existing))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "curriculum/response_form.html",
        {"form": form, "review": review, "response": existing, "read_only": read_only},
        status=status,
    )


@login_required
@require_GET
def summary(request, pk: int):
    review = _responses_or_deny(request, pk)
    return render(
        request,
        "curriculum/summary.html",
        {
            "review": review,
            "summary": selectors.review_summary(review),
            "responses": selectors.submitted_responses(review),
        },
    )


@login_required
@require_GET
def export(request, pk: int):
    review = _responses_or_deny(request, pk)
    return responses_csv(review)


@login_required
@require_GET
def syllabus(request, pk: int):
    review = _visible_or_404(request, pk)
    if not can_download_syllabus(request.user, review):
        raise PermissionDenied(
            _("The syllabus is shared with the institution and the people who volunteer.")
        )
    return serve_private_file(review.syllabus, title=f"{review.course_name} syllabus")
