"""Pages for the people in a story: nominate a collaboration, answer a testimonial request,
approve the text for your organisation, and consent to being quoted.

Views parse input and call ``services``; refusals come back as form errors or a 4xx page, and
anything a person may not see answers 404 (a token or an id never reveals that it exists).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from partnerships.core.errors import Conflict, DomainError
from partnerships.core.http import domain_error_response

from .. import permissions, selectors_manage, services
from ..forms import ApproveForm, NominateForm, TestimonialForm
from ..models import Metric, StoryQuote, StoryStatus
from ..selectors_manage import story_page_url

S = StoryStatus
# The unit each testimonial figure is given in, shown beside the number.
POUNDS = {Metric.FUNDING, Metric.REVENUE}


# --- Shared by the story pages ----------------------------------------------------------------


def bound(request):
    return request.POST if request.method == "POST" else None


def keep_on_form(form, exc: DomainError) -> int:
    """Put a service refusal on the form, so nothing typed is lost; return the status to answer."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
    return exc.status


def run_action(request, action, *, success: str, redirect_to: str):
    """Run a service for a POST action: a message on success, a clear 4xx page on failure."""
    try:
        action()
    except DomainError as exc:
        return domain_error_response(request, exc, back_url=redirect_to)
    messages.success(request, success)
    return redirect(redirect_to)


def figure_rows(figures: dict) -> list[dict]:
    """A testimonial's figures (metric → value) as labelled rows with their unit."""
    rows = []
    for metric, value in figures.items():
        if metric not in Metric.values:
            continue
        rows.append(
            {
                "label": Metric(metric).label,
                "value": value,
                "pounds": metric in POUNDS,
            }
        )
    return rows


# --- Nominate -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def nominate(request, kind: str, pk: int):
    """Anyone signed in who can see a collaboration nominates it (``services.nominate``)."""
    collaboration = selectors_manage.collaboration_for_nomination(request.user, kind, pk)
    form = NominateForm(bound(request), initial={"title": collaboration.title})
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                story = services.nominate(
                    actor=request.user,
                    collaboration=collaboration,
                    title=form.cleaned_data["title"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                status = keep_on_form(form, exc)
            else:
                if permissions.can_view_story(request.user, story):
                    messages.success(
                        request,
                        _("Thank you for the nomination. Curators will look at it, and the "
                          "organisations involved approve the text before anything is published."),
                    )  # fmt: skip
                    return redirect(story_page_url(story))
                return redirect("stories:nominate_thanks")
    return render(
        request,
        "stories/participate/nominate.html",
        {"form": form, "collaboration": collaboration, "kind": kind},
        status=status,
    )


@login_required
@require_GET
def nominate_thanks(request):
    """For nominators outside the story's organisations, who cannot see the draft."""
    return render(request, "stories/participate/nominate_thanks.html")


# --- Testimonials ---------------------------------------------------------------------------


@login_required
@require_GET
def testimonials(request):
    return render(
        request,
        "stories/participate/testimonials.html",
        {
            "open_requests": list(selectors_manage.my_open_testimonial_requests(request.user)),
            "answered": list(selectors_manage.my_answered_testimonial_requests(request.user)[:20]),
        },
    )


def _closed(testimonial_request) -> bool:
    story = testimonial_request.story
    return story is not None and story.status in (S.PUBLISHED, S.ARCHIVED)


@login_required
@require_http_methods(["GET", "POST"])
def testimonial(request, token: str):
    """The page a side's member reaches from the email. Once answered it shows what was sent;
    a second submission (a double click, a second colleague) is told so, nothing is saved."""
    testimonial_request = selectors_manage.testimonial_request_for(request.user, token)
    context = {"req": testimonial_request, "figures": figure_rows(testimonial_request.figures)}
    if testimonial_request.is_submitted or _closed(testimonial_request):
        status = 200
        if request.method == "POST":
            status = 409
            messages.error(
                request,
                _("This testimonial has already been submitted. Nothing was changed.")
                if testimonial_request.is_submitted
                else _("This story no longer takes testimonials. Nothing was saved."),
            )
        return render(request, "stories/participate/testimonial_sent.html", context, status=status)
    form = TestimonialForm(bound(request))
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                services.submit_testimonial(
                    actor=request.user,
                    request=testimonial_request,
                    text=form.cleaned_data["text"],
                    person_role=form.cleaned_data["person_role"],
                    figures=form.figures(),
                    consent_to_publish=form.cleaned_data["consent"],
                )
            except Conflict as exc:
                # Someone answered in the meantime: show what they sent instead.
                messages.error(request, exc.message)
                testimonial_request = selectors_manage.testimonial_request_for(request.user, token)
                context = {
                    "req": testimonial_request,
                    "figures": figure_rows(testimonial_request.figures),
                }
                return render(
                    request, "stories/participate/testimonial_sent.html", context, status=409
                )
            except DomainError as exc:
                status = keep_on_form(form, exc)
            else:
                messages.success(request, _("Thank you! Your answer is with the curators."))
                return redirect("stories:testimonial", token=token)
    return render(
        request,
        "stories/participate/testimonial.html",
        {**context, "form": form},
        status=status,
    )


# --- Review and approval ------------------------------------------------------------------------


@login_required
@require_GET
def review_list(request):
    return render(
        request,
        "stories/participate/review_list.html",
        {
            "stories": selectors_manage.awaiting_my_approval(request.user),
            "quotes": list(selectors_manage.quotes_awaiting_my_consent(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk: int):
    """The story as it stands, for its organisations to approve (and curators to read)."""
    story = selectors_manage.story_for_review(request.user, pk)
    allowed = permissions.approving_organisations(request.user, story)
    approved = {a.organisation_id: a for a in story.approvals.all()}
    pending = [org for org in allowed if org.pk not in approved]
    # A post is checked against every organisation the person may approve for, so approving
    # one twice is answered kindly; the page offers only those still to approve.
    form = ApproveForm(
        bound(request),
        organisations=allowed if request.method == "POST" else (pending or allowed),
        initial={"organisation": pending[0].pk if pending else None},
    )
    status = 200
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied
        status = 400
        if form.is_valid():
            organisation = form.cleaned_data["organisation"]
            back = reverse("stories:review", args=[story.pk])
            if organisation.pk in approved:
                messages.info(
                    request,
                    _("%(org)s has already approved this text. Nothing was changed.")
                    % {"org": organisation.name},
                )
                return redirect(back)
            try:
                services.approve_text(actor=request.user, story=story, organisation=organisation)
            except DomainError as exc:
                status = keep_on_form(form, exc)
            else:
                messages.success(
                    request,
                    _("Approved for %(org)s. Thank you.") % {"org": organisation.name},
                )
                return redirect(back)
    quotes = list(story.quotes.all())
    return render(
        request,
        "stories/participate/review.html",
        {
            "story": story,
            "form": form,
            "can_approve": bool(allowed) and story.status == S.IN_REVIEW,
            "pending": pending,
            "sides": [(org, approved.get(org.pk)) for org in story.organisations.all()],
            "quotes": quotes,
            "my_quotes": [q for q in quotes if q.user_id == request.user.pk],
            "is_curator": permissions.is_curator(request.user),
            "story_url": story_page_url(story),
        },
        status=status,
    )


# --- Consent to a quote -----------------------------------------------------------------------


CONSENT_ACTIONS = {"give", "withdraw"}


@login_required
@require_http_methods(["GET", "POST"])
def quote_consent(request, pk: int):
    """The person quoted gives or withdraws consent; curators record it for someone without an
    account. Anyone else who can see the story is refused (403), everyone else gets a 404."""
    quote = get_object_or_404(StoryQuote.objects.select_related("story", "organisation"), pk=pk)
    if not permissions.can_consent_to_quote(request.user, quote):
        if permissions.can_view_story(request.user, quote.story):
            raise PermissionDenied
        raise Http404
    for_someone_else = quote.user_id is None
    back = (
        reverse("stories:curate_story", args=[quote.story_id]) + "#quotes"
        if for_someone_else
        else reverse("stories:quote_consent", args=[quote.pk])
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in CONSENT_ACTIONS:
            return HttpResponseBadRequest(_("Choose to give or to withdraw consent."))
        if (action == "give") == quote.has_consent:
            messages.info(
                request,
                _("Consent is already given. Nothing was changed.")
                if quote.has_consent
                else _("There is no consent to withdraw. Nothing was changed."),
            )
            return redirect(back)
        service = (
            services.give_quote_consent if action == "give" else services.withdraw_quote_consent
        )
        return run_action(
            request,
            lambda: service(actor=request.user, quote=quote),
            success=_("Thank you: consent recorded.")
            if action == "give"
            else _("Consent withdrawn: the quote will not be published."),
            redirect_to=back,
        )
    return render(
        request,
        "stories/participate/quote_consent.html",
        {"quote": quote, "story": quote.story, "for_someone_else": for_someone_else},
    )
