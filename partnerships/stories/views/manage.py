"""Curation, for platform admins only: the queue, and one editor per story where every change
(text, images, quotes, figures, the workflow) goes through ``services``.

Anyone else signed in gets a 403, anonymous visitors the login page. A refused change re-renders
the editor with the error on its form (and a 4xx status), or shows a 4xx page; never a 500.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnerships.core.errors import Conflict, DomainError
from partnerships.core.http import domain_error_response

from .. import permissions, selectors_manage, services
from ..forms import (
    FeatureForm,
    FigureForm,
    ImageForm,
    QueueFilterForm,
    QuoteEditForm,
    QuoteForm,
    StoryForm,
)
from ..models import OutcomeFigure, Story, StoryImage, StoryQuote, StoryStatus
from ..selectors_manage import story_page_url
from .participate import figure_rows, keep_on_form, run_action

S = StoryStatus
PAGE_SIZE = 25

# action: (service, the status it leads to, the statuses it starts from, button, success)
WORKFLOW = {
    "accept": (
        services.accept_nomination, S.DRAFT, {S.NOMINATED},
        gettext_lazy("Accept the nomination"),
        gettext_lazy("Nomination accepted: the story is a draft now."),
    ),
    "review": (
        services.send_for_review, S.IN_REVIEW, {S.DRAFT},
        gettext_lazy("Send to the organisations for approval"),
        gettext_lazy("Sent for review: the organisations are asked to approve the text."),
    ),
    "draft": (
        services.return_to_draft, S.DRAFT, {S.IN_REVIEW},
        gettext_lazy("Return to draft"),
        gettext_lazy("Back to draft. The approvals given so far were withdrawn."),
    ),
    "publish": (
        services.publish, S.PUBLISHED, {S.IN_REVIEW},
        gettext_lazy("Publish"),
        gettext_lazy("Published: the story is live."),
    ),
    "archive": (
        services.archive, S.ARCHIVED, {S.NOMINATED, S.DRAFT, S.IN_REVIEW, S.PUBLISHED},
        gettext_lazy("Archive"),
        gettext_lazy("Archived: only curators see it now."),
    ),
    "restore": (
        services.restore, S.DRAFT, {S.ARCHIVED},
        gettext_lazy("Restore to draft"),
        gettext_lazy("Restored to draft. It goes through review again before publication."),
    ),
}  # fmt: skip


def curator_required(view):
    """Signed in (else the login page) and a platform admin (else 403)."""

    @wraps(view)
    def check(request, *args, **kwargs):
        if not permissions.is_curator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(check)


def _editor_url(story_pk: int, anchor: str = "") -> str:
    return reverse("stories:curate_story", args=[story_pk]) + (f"#{anchor}" if anchor else "")


# --- The queue --------------------------------------------------------------------------------


@curator_required
@require_GET
def queue(request):
    form = QueueFilterForm(request.GET or None)
    q = status = ""
    response_status = 200
    if form.is_bound:
        if form.is_valid():
            q, status = form.cleaned_data["q"], form.cleaned_data["status"]
        else:
            response_status = 400
    rows = selectors_manage.curation_queue(request.user, status=status, q=q)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors_manage.status_counts()
    return render(
        request,
        "stories/manage/queue.html",
        {
            "form": form,
            "page": page,
            "q": q,
            "status": status,
            "counts": counts,
            "statuses": [(value, label, counts[value]) for value, label in S.choices],
            "filtered": bool(q or status),
        },
        status=response_status,
    )


# --- The editor ---------------------------------------------------------------------------------


def _workflow_buttons(story: Story, problems: list[str]) -> list[dict]:
    buttons = []
    for action, (_service, _target, sources, label, _success) in WORKFLOW.items():
        if story.status not in sources or (action == "publish" and problems):
            continue
        buttons.append({"action": action, "label": label, "danger": action == "archive"})
    return buttons


def _editor(request, story: Story, *, status: int = 200, **forms):
    """Render the editor; ``forms`` replaces any of its forms with a bound one that failed."""
    editable = story.status in services.EDITABLE_STATUSES
    problems = (
        [str(p) for p in services.publication_problems(story)]
        if story.status in (S.DRAFT, S.IN_REVIEW)
        else []
    )
    approvals = {a.organisation_id: a for a in story.approvals.all()}
    requests = list(story.testimonial_requests.all())
    for testimonial_request in requests:
        testimonial_request.figure_rows = figure_rows(testimonial_request.figures)
    context = {
        "story": story,
        "editable": editable,
        "problems": problems,
        "buttons": _workflow_buttons(story, problems),
        "sides": [(org, approvals.get(org.pk)) for org in story.organisations.all()],
        "testimonial_requests": requests,
        "story_url": story_page_url(story),
        "story_form": forms.get("story_form")
        or StoryForm(initial=StoryForm.initial_for(story), prefix="story"),
        "feature_form": forms.get("feature_form")
        or FeatureForm(
            initial={"featured": story.featured, "feature_order": story.feature_order},
            prefix="feature",
        ),
        "image_form": forms.get("image_form") or ImageForm(prefix="image"),
        "quote_form": forms.get("quote_form") or QuoteForm(story=story, prefix="quote"),
        "figure_form": forms.get("figure_form") or FigureForm(story=story, prefix="figure"),
    }
    return render(request, "stories/manage/editor.html", context, status=status)


@curator_required
@require_http_methods(["GET", "POST"])
def story(request, pk: int):
    """The editor, and saving its text form (title, address, summary, body, sectors, sides)."""
    story = selectors_manage.story_for_curation(pk)
    if request.method != "POST":
        return _editor(request, story)
    form = StoryForm(request.POST, prefix="story")
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.edit_story(
                actor=request.user,
                story=story,
                title=data["title"],
                slug=data["slug"],
                summary=data["summary"],
                body=data["body"],
                sectors=data["sectors"],
                organisations=data["organisations"],
            )
        except DomainError as exc:
            status = keep_on_form(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(_editor_url(story.pk))
    return _editor(request, selectors_manage.story_for_curation(pk), status=status, story_form=form)


@curator_required
@require_POST
def transition(request, pk: int, action: str):
    """One workflow move. The form says which status the page showed: when the story has
    moved on since (a double click, another curator), nothing is done and the curator is told."""
    if action not in WORKFLOW:
        raise Http404
    story = get_object_or_404(Story, pk=pk)
    service, target, _sources, _label, success = WORKFLOW[action]
    back = _editor_url(story.pk)
    shown = request.POST.get("from", "")
    if story.status == target:
        messages.info(
            request,
            _("Nothing to do: the story is already %(status)s.")
            % {"status": story.get_status_display().lower()},
        )
        return redirect(back)
    if shown and shown != story.status:
        return domain_error_response(
            request,
            Conflict(
                _("The story changed while you were looking at it: it is now %(status)s. "
                  "Check it and try again.")
                % {"status": story.get_status_display().lower()}
            ),
            back_url=back,
        )  # fmt: skip
    return run_action(
        request, lambda: service(actor=request.user, story=story), success=success, redirect_to=back
    )


@curator_required
@require_POST
def feature(request, pk: int):
    story = get_object_or_404(Story, pk=pk)
    form = FeatureForm(request.POST, prefix="feature")
    status = 400
    if form.is_valid():
        try:
            services.feature(
                actor=request.user,
                story=story,
                featured=form.cleaned_data["featured"],
                order=form.cleaned_data["feature_order"],
            )
        except DomainError as exc:
            status = keep_on_form(form, exc)
        else:
            messages.success(
                request,
                _("Featured on the stories page.")
                if form.cleaned_data["featured"]
                else _("Not featured."),
            )
            return redirect(_editor_url(story.pk))
    return _editor(
        request, selectors_manage.story_for_curation(pk), status=status, feature_form=form
    )


# --- Images -------------------------------------------------------------------------------------


@curator_required
@require_POST
def image_add(request, pk: int):
    story = get_object_or_404(Story, pk=pk)
    form = ImageForm(request.POST, request.FILES, prefix="image")
    status = 400
    if form.is_valid():
        try:
            services.add_image(
                actor=request.user,
                story=story,
                upload=form.cleaned_data["image"],
                alt_text=form.cleaned_data["alt_text"],
                caption=form.cleaned_data["caption"],
            )
        except DomainError as exc:
            status = keep_on_form(form, exc)
        else:
            messages.success(request, _("Image added."))
            return redirect(_editor_url(story.pk, "images"))
    return _editor(request, selectors_manage.story_for_curation(pk), status=status, image_form=form)


@curator_required
@require_POST
def image_delete(request, pk: int, image_pk: int):
    image = get_object_or_404(StoryImage, pk=image_pk, story_id=pk)
    return run_action(
        request,
        lambda: services.remove_image(actor=request.user, image=image),
        success=_("Image removed."),
        redirect_to=_editor_url(pk, "images"),
    )


@curator_required
@require_POST
def image_move(request, pk: int, image_pk: int):
    image = get_object_or_404(StoryImage, pk=image_pk, story_id=pk)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if offset is None:
        return domain_error_response(
            request,
            DomainError(_("Move an image up or down.")),
            back_url=_editor_url(pk, "images"),
        )
    return run_action(
        request,
        lambda: services.move_image(actor=request.user, image=image, offset=offset),
        success=_("Image moved."),
        redirect_to=_editor_url(pk, "images"),
    )


# --- Quotes -------------------------------------------------------------------------------------


@curator_required
@require_POST
def quote_add(request, pk: int):
    story = get_object_or_404(Story, pk=pk)
    form = QuoteForm(request.POST, story=story, prefix="quote")
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_quote(
                actor=request.user,
                story=story,
                text=data["text"],
                person_name=data["person_name"],
                person_role=data["person_role"],
                organisation=data["organisation"],
                user=data["email"],
            )
        except DomainError as exc:
            status = keep_on_form(form, exc)
        else:
            messages.success(
                request,
                _("Quote added. %(name)s is asked to consent.") % {"name": data["person_name"]}
                if data["email"]
                else _("Quote added. Record the person’s consent once you have it."),
            )
            return redirect(_editor_url(story.pk, "quotes"))
    return _editor(request, selectors_manage.story_for_curation(pk), status=status, quote_form=form)


@curator_required
@require_http_methods(["GET", "POST"])
def quote_edit(request, pk: int, quote_pk: int):
    quote = get_object_or_404(StoryQuote.objects.select_related("story", "user"), pk=quote_pk)
    if quote.story_id != pk:
        raise Http404
    initial = {
        "text": quote.text,
        "person_name": quote.person_name,
        "person_role": quote.person_role,
    }
    form = QuoteEditForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                services.edit_quote(actor=request.user, quote=quote, **form.cleaned_data)
            except DomainError as exc:
                status = keep_on_form(form, exc)
            else:
                messages.success(request, _("Quote saved."))
                return redirect(_editor_url(pk, "quotes"))
    return render(
        request,
        "stories/manage/quote_form.html",
        {"form": form, "quote": quote, "story": quote.story},
        status=status,
    )


@curator_required
@require_POST
def quote_delete(request, pk: int, quote_pk: int):
    quote = get_object_or_404(StoryQuote.objects.select_related("story"), pk=quote_pk, story_id=pk)
    return run_action(
        request,
        lambda: services.remove_quote(actor=request.user, quote=quote),
        success=_("Quote removed."),
        redirect_to=_editor_url(pk, "quotes"),
    )


# --- Figures ------------------------------------------------------------------------------------


@curator_required
@require_POST
def figure_add(request, pk: int):
    story = get_object_or_404(Story, pk=pk)
    form = FigureForm(request.POST, story=story, prefix="figure")
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_figure(
                actor=request.user,
                story=story,
                metric=data["metric"],
                value=data["value"],
                unit=data["unit"],
                note=data["note"],
                organisation=data["organisation"],
            )
        except DomainError as exc:
            status = keep_on_form(form, exc)
        else:
            messages.success(request, _("Figure added."))
            return redirect(_editor_url(story.pk, "figures"))
    return _editor(
        request, selectors_manage.story_for_curation(pk), status=status, figure_form=form
    )


@curator_required
@require_POST
def figure_delete(request, pk: int, figure_pk: int):
    figure = get_object_or_404(
        OutcomeFigure.objects.select_related("story"), pk=figure_pk, story_id=pk
    )
    return run_action(
        request,
        lambda: services.remove_figure(actor=request.user, figure=figure),
        success=_("Figure removed."),
        redirect_to=_editor_url(pk, "figures"),
    )
