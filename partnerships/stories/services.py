"""Writes for success stories: one function per use case, keyword-only, taking the acting user.

Every function checks permission and runs in a transaction; state changes are recorded as domain
events (``story.*``) in the same transaction.
"""

from decimal import Decimal, InvalidOperation
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from events.models import Event
from events.permissions import can_view_event
from partnerships.activity.services import record_event
from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.core.validators import validate_image_upload
from partnerships.organisations.models import Organisation
from partnerships.placements.models import Application, ApplicationStatus, Placement
from partnerships.placements.permissions import can_view_placement
from partnerships.projects.models import Opportunity, Partnership, ProposalStatus
from partnerships.projects.permissions import can_view_opportunity, can_view_partnership

from . import permissions
from .models import (
    Metric,
    OutcomeFigure,
    Story,
    StoryApproval,
    StoryImage,
    StoryQuote,
    StorySource,
    StoryStatus,
    TestimonialRequest,
)

S = StoryStatus

# Curators' moves; publishing has its own checks on top.
TRANSITIONS: dict[str, set[str]] = {
    S.NOMINATED: {S.DRAFT, S.ARCHIVED},
    S.DRAFT: {S.IN_REVIEW, S.ARCHIVED},
    S.IN_REVIEW: {S.DRAFT, S.PUBLISHED, S.ARCHIVED},
    S.PUBLISHED: {S.ARCHIVED},
    S.ARCHIVED: {S.DRAFT},
}
EDITABLE_STATUSES = {S.NOMINATED, S.DRAFT, S.IN_REVIEW}
TEXT_FIELDS = ("title", "summary", "body")
THUMBNAIL_SIZE = (400, 300)
SOCIAL_CARD_SIZE = (1200, 630)
# Words the story URLs use for their own pages (``urls_manage``, the feed): never a story's slug.
RESERVED_SLUGS = {"curate", "nominate", "testimonials", "review", "quotes", "feed.atom", "feed"}


# --- collaborations ---------------------------------------------------------------------------


def collaboration_field(collaboration) -> str:
    """The story field that links this kind of collaboration."""
    for model, field in (
        (Partnership, "partnership"),
        (Opportunity, "opportunity"),
        (Placement, "placement"),
        (Event, "event"),
    ):
        if isinstance(collaboration, model):
            return field
    raise DomainError(_("Only partnerships, projects, placements and events can become stories."))


def collaboration_sides(collaboration) -> list[Organisation]:
    """The organisations on the sides of a collaboration (without duplicates)."""
    if isinstance(collaboration, Partnership):
        sides = [collaboration.institution, collaboration.industry_partner]
    elif isinstance(collaboration, Opportunity):
        accepted = Organisation.objects.filter(
            proposals__opportunity=collaboration, proposals__status=ProposalStatus.ACCEPTED
        )
        sides = [collaboration.organisation, *accepted]
    elif isinstance(collaboration, Placement):
        institutions = Organisation.objects.filter(
            pk__in=collaboration.applications.filter(status=ApplicationStatus.COMPLETED)
            .exclude(institution=None)
            .values("institution")
        )
        sides = [collaboration.organisation, *institutions]
    elif isinstance(collaboration, Event):
        # Everyone who ran it, even once their partnership has ended: the story is about what
        # they did together, so both sides approve its text.
        partnership = collaboration.partnership
        sides = [collaboration.organisation]
        if partnership is not None:
            sides += [partnership.institution, partnership.industry_partner]
    else:
        collaboration_field(collaboration)  # raises
        sides = []
    unique: dict[int, Organisation] = {}
    for org in sides:
        if org is not None:
            unique.setdefault(org.pk, org)
    return list(unique.values())


def can_view_collaboration(user, collaboration) -> bool:
    check = {
        "partnership": can_view_partnership,
        "opportunity": can_view_opportunity,
        "placement": can_view_placement,
        "event": can_view_event,
    }[collaboration_field(collaboration)]
    return check(user, collaboration)


# --- helpers ----------------------------------------------------------------------------------


def unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    """A free slug made from the title, never one of ``RESERVED_SLUGS``."""
    base = slugify(title)[:160].strip("-") or "story"
    slug, number = base, 2
    others = Story.objects.exclude(pk=exclude_pk) if exclude_pk else Story.objects.all()
    while slug in RESERVED_SLUGS or others.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _lock(story: Story) -> Story:
    return Story.objects.select_for_update().get(pk=story.pk)


def _require_curator(actor) -> None:
    if not permissions.is_curator(actor):
        raise PermissionDenied(_("Only platform curators can do that."))


def _move(story: Story, to: str, *, actor, only_from: str | None = None) -> Story:
    if to not in TRANSITIONS.get(story.status, set()) or (
        only_from is not None and story.status != only_from
    ):
        raise Conflict(
            _("A story that is %(from)s cannot become %(to)s.")
            % {"from": story.get_status_display().lower(), "to": S(to).label.lower()},
            code="invalid_transition",
        )
    story.status = to
    story.status_changed_at = timezone.now()
    if story.curator_id is None:
        story.curator = actor
    story.save(
        update_fields=["status", "status_changed_at", "curator", "published_at", "updated_at"]
    )
    return story


def _clean_text(
    value: str, field: str, *, required: bool = False, max_length: int | None = None
) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("This field is required."), field=field)
    if max_length is not None and len(value) > max_length:
        raise DomainError(
            _("Keep it to %(n)d characters or fewer.") % {"n": max_length}, field=field
        )
    return value


def _limit(model, field: str) -> int | None:
    return model._meta.get_field(field).max_length


# --- nominations and the completion prompt ----------------------------------------------------


@transaction.atomic
def nominate(*, actor, collaboration, title: str, reason: str = "") -> Story:
    """Anyone signed in who can see a collaboration nominates it as a story."""
    if not permissions.can_nominate(actor) or not can_view_collaboration(actor, collaboration):
        raise PermissionDenied(_("You cannot nominate this collaboration."))
    title = _clean_text(title, "title", required=True, max_length=_limit(Story, "title"))
    field = collaboration_field(collaboration)
    story = Story.objects.create(
        title=title,
        slug=unique_slug(title),
        nomination_reason=_clean_text(
            reason, "reason", max_length=_limit(Story, "nomination_reason")
        ),
        nominated_by=actor,
        source=StorySource.NOMINATION,
        **{field: collaboration},
    )
    story.organisations.set(collaboration_sides(collaboration))
    record_event("story.nominated", target=story, actor=actor, collaboration=field)
    return story


def _completion_target(collaboration):
    """(the collaboration to link, the sides to ask) for a completed project or placement."""
    if isinstance(collaboration, Application):
        placement = collaboration.placement
        sides = collaboration_sides(placement)
        if collaboration.institution_id and all(
            o.pk != collaboration.institution_id for o in sides
        ):
            sides.append(collaboration.institution)
        return placement, sides
    if isinstance(collaboration, (Opportunity, Placement)):
        return collaboration, collaboration_sides(collaboration)
    raise DomainError(_("Only completed projects and placements ask for testimonials."))


@transaction.atomic
def request_testimonials_for_completion(collaboration) -> Story:
    """A project or placement completed: make (once) a draft nomination and ask each side for a
    testimonial. Running it again only adds sides not asked yet."""
    target, sides = _completion_target(collaboration)
    field = collaboration_field(target)
    # Serialise concurrent prompts for the same collaboration on its row.
    type(target).objects.select_for_update().filter(pk=target.pk).first()
    story = Story.objects.filter(source=StorySource.COMPLETION, **{field: target}).first()
    created_story = story is None
    if created_story:
        story = Story.objects.create(
            title=target.title,
            slug=unique_slug(target.title),
            source=StorySource.COMPLETION,
            status=S.NOMINATED,
            **{field: target},
        )
        if field == "opportunity":
            story.sectors.set(target.sectors.all())
        elif target.sector_id:
            story.sectors.add(target.sector_id)
    story.organisations.add(*sides)
    asked = []
    for side in sides:
        _request, created = TestimonialRequest.objects.get_or_create(
            story=story, organisation=side, defaults={field: target}
        )
        if created:
            asked.append(side.pk)
    if asked:
        record_event(
            "story.testimonials_requested",
            target=story,
            collaboration=field,
            organisation_ids=asked,
        )
    return story


def _parse_figures(figures) -> dict[str, Decimal]:
    parsed: dict[str, Decimal] = {}
    for metric, raw in (figures or {}).items():
        if metric not in Metric.values or metric == Metric.OTHER:
            raise DomainError(_("Unknown outcome figure: %(m)s.") % {"m": metric}, field="figures")
        if raw in (None, ""):
            continue
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            raise DomainError(_("Outcome figures must be numbers."), field="figures") from None
        if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
            raise DomainError(_("Outcome figures cannot be negative."), field="figures")
        parsed[metric] = value.quantize(Decimal("0.01"))
    return parsed


@transaction.atomic
def submit_testimonial(
    *,
    actor,
    request: TestimonialRequest,
    text: str,
    figures=None,
    consent_to_publish: bool,
    person_role: str = "",
) -> TestimonialRequest:
    """A member of the side asked answers; the answers become a quote and outcome figures on
    the nomination (the quote is publishable only with consent)."""
    request = (
        TestimonialRequest.objects.select_for_update(of=("self",))
        .select_related("organisation", "story")
        .get(pk=request.pk)
    )
    if not permissions.can_answer_testimonial(actor, request):
        raise PermissionDenied(
            _("Only members of %(org)s can answer.") % {"org": request.organisation}
        )
    if request.is_submitted:
        raise Conflict(_("This testimonial has already been submitted."), code="already_submitted")
    story = request.story
    if story is not None and story.status in (S.PUBLISHED, S.ARCHIVED):
        raise Conflict(_("This story no longer takes testimonials."), code="closed")
    text = _clean_text(text, "text")
    parsed = _parse_figures(figures)
    if not text and not parsed:
        raise DomainError(_("Write a testimonial or give at least one figure."), field="text")
    now = timezone.now()
    request.text = text
    request.person_role = _clean_text(person_role, "person_role")
    request.figures = {metric: str(value) for metric, value in parsed.items()}
    request.consent_to_publish = bool(consent_to_publish)
    request.submitted_at = now
    request.submitted_by = actor
    request.save()
    if story is not None:
        if text:
            StoryQuote.objects.create(
                story=story,
                text=text,
                person_name=actor.display_name or actor.email,
                person_role=request.person_role,
                organisation=request.organisation,
                user=actor,
                consent_given_at=now if consent_to_publish else None,
                consent_by=actor if consent_to_publish else None,
            )
        OutcomeFigure.objects.bulk_create(
            OutcomeFigure(story=story, metric=m, value=v, organisation=request.organisation)
            for m, v in parsed.items()
        )
        record_event(
            "story.testimonial_submitted",
            target=story,
            actor=actor,
            organisation=request.organisation,
            request_id=request.pk,
        )
    return request


# --- curation ---------------------------------------------------------------------------------


@transaction.atomic
def accept_nomination(*, actor, story: Story) -> Story:
    _require_curator(actor)
    story = _move(_lock(story), S.DRAFT, actor=actor, only_from=S.NOMINATED)
    record_event("story.accepted", target=story, actor=actor)
    return story


@transaction.atomic
def edit_story(
    *,
    actor,
    story: Story,
    title: str | None = None,
    slug: str | None = None,
    summary: str | None = None,
    body: str | None = None,
    sectors=None,
    organisations=None,
) -> Story:
    """Curators shape the story. Changing the text withdraws the sides' approvals."""
    _require_curator(actor)
    story = _lock(story)
    if story.status not in EDITABLE_STATUSES:
        raise Conflict(_("A published or archived story cannot be edited."), code="not_editable")
    changed_text = False
    for field, value in (("title", title), ("summary", summary), ("body", body)):
        if value is None:
            continue
        value = _clean_text(
            value, field, required=field == "title", max_length=_limit(Story, field)
        )
        if value != getattr(story, field):
            setattr(story, field, value)
            changed_text = True
    if slug is not None:
        slug = slugify(slug)
        if len(slug) > _limit(Story, "slug"):
            raise DomainError(_("The web address is too long."), field="slug")
        if not slug:
            raise DomainError(_("Give the story a web address."), field="slug")
        if slug in RESERVED_SLUGS:
            raise DomainError(
                _("“%(slug)s” is used by Tandem’s own pages. Choose another address.")
                % {"slug": slug},
                code="reserved_slug",
                field="slug",
            )
        if Story.objects.exclude(pk=story.pk).filter(slug=slug).exists():
            raise Conflict(_("Another story already uses this address."), field="slug")
        story.slug = slug
    if story.curator_id is None:
        story.curator = actor
    story.save()
    if sectors is not None:
        story.sectors.set(sectors)
    if organisations is not None:
        organisations = list(organisations)
        story.organisations.set(organisations)
        story.approvals.exclude(organisation__in=organisations).delete()
    if changed_text:
        story.approvals.all().delete()
    record_event("story.edited", target=story, actor=actor, text_changed=changed_text)
    return story


@transaction.atomic
def send_for_review(*, actor, story: Story) -> Story:
    _require_curator(actor)
    story = _lock(story)
    if not story.organisations.exists():
        raise DomainError(_("Link the organisations involved before sending it for review."))
    story = _move(story, S.IN_REVIEW, actor=actor)
    story.approvals.all().delete()
    record_event("story.sent_for_review", target=story, actor=actor)
    return story


@transaction.atomic
def return_to_draft(*, actor, story: Story) -> Story:
    _require_curator(actor)
    story = _move(_lock(story), S.DRAFT, actor=actor, only_from=S.IN_REVIEW)
    story.approvals.all().delete()
    record_event("story.returned_to_draft", target=story, actor=actor)
    return story


def publication_problems(story: Story) -> list[str]:
    """Why this story cannot be published yet (empty when it can)."""
    problems = []
    if story.status != S.IN_REVIEW:
        problems.append(_("Only a story in review can be published."))
    for field in TEXT_FIELDS:
        if not getattr(story, field).strip():
            problems.append(
                _("The %(field)s is missing.")
                % {"field": Story._meta.get_field(field).verbose_name}
            )
    approved = set(story.approvals.values_list("organisation_id", flat=True))
    for org in story.organisations.all():
        if org.pk not in approved:
            problems.append(_("%(org)s has not approved the text.") % {"org": org.name})
    if story.quotes.filter(consent_given_at__isnull=True).exists():
        problems.append(_("Every quote needs the consent of the person quoted."))
    return problems


@transaction.atomic
def publish(*, actor, story: Story) -> Story:
    _require_curator(actor)
    story = _lock(story)
    problems = publication_problems(story)
    if problems:
        raise Conflict(" ".join(str(p) for p in problems), code="not_publishable")
    story.published_at = story.published_at or timezone.now()
    story = _move(story, S.PUBLISHED, actor=actor)
    record_event("story.published", target=story, actor=actor)
    return story


@transaction.atomic
def archive(*, actor, story: Story) -> Story:
    _require_curator(actor)
    story = _move(_lock(story), S.ARCHIVED, actor=actor)
    if story.featured:
        story.featured = False
        story.save(update_fields=["featured"])
    record_event("story.archived", target=story, actor=actor)
    return story


@transaction.atomic
def restore(*, actor, story: Story) -> Story:
    """An archived story goes back to draft (and through review again)."""
    _require_curator(actor)
    story = _move(_lock(story), S.DRAFT, actor=actor, only_from=S.ARCHIVED)
    story.approvals.all().delete()
    record_event("story.restored", target=story, actor=actor)
    return story


@transaction.atomic
def feature(*, actor, story: Story, featured: bool = True, order: int = 0) -> Story:
    _require_curator(actor)
    story = _lock(story)
    if featured and story.status != S.PUBLISHED:
        raise Conflict(_("Only a published story can be featured."), code="not_published")
    if order < 0:
        raise DomainError(_("The order cannot be negative."), field="feature_order")
    story.featured = featured
    story.feature_order = order
    story.save(update_fields=["featured", "feature_order", "updated_at"])
    record_event("story.featured", target=story, actor=actor, featured=featured, order=order)
    return story


# --- approval by the sides --------------------------------------------------------------------


@transaction.atomic
def approve_text(*, actor, story: Story, organisation: Organisation | None = None) -> StoryApproval:
    """A member of a linked organisation approves the text for it, while it is in review."""
    story = _lock(story)
    allowed = permissions.approving_organisations(actor, story)
    if organisation is None:
        if len(allowed) != 1:
            if not allowed:
                raise PermissionDenied(_("Only the organisations in the story approve it."))
            raise DomainError(_("Choose which organisation you approve for."), field="organisation")
        organisation = allowed[0]
    elif organisation not in allowed:
        raise PermissionDenied(_("Only the organisations in the story approve it."))
    if story.status != S.IN_REVIEW:
        raise Conflict(_("Only a story in review can be approved."), code="not_in_review")
    approval, created = StoryApproval.objects.get_or_create(
        story=story, organisation=organisation, defaults={"approved_by": actor}
    )
    if created:
        record_event("story.approved", target=story, actor=actor, organisation=organisation)
    return approval


# --- quotes and figures -----------------------------------------------------------------------


def _require_editable(story: Story) -> None:
    if story.status not in EDITABLE_STATUSES:
        raise Conflict(_("A published or archived story cannot be edited."), code="not_editable")


@transaction.atomic
def add_quote(
    *,
    actor,
    story: Story,
    text: str,
    person_name: str,
    person_role: str = "",
    user=None,
    organisation: Organisation | None = None,
) -> StoryQuote:
    """A curator adds someone's words. A quote of someone with an account waits for their
    consent (they are asked); the sides' approvals are withdrawn, since the text changed."""
    _require_curator(actor)
    story = _lock(story)
    _require_editable(story)
    quote = StoryQuote.objects.create(
        story=story,
        text=_clean_text(text, "text", required=True, max_length=_limit(StoryQuote, "text")),
        person_name=_clean_text(
            person_name, "person_name", required=True, max_length=_limit(StoryQuote, "person_name")
        ),
        person_role=_clean_text(
            person_role, "person_role", max_length=_limit(StoryQuote, "person_role")
        ),
        user=user,
        organisation=organisation,
        order=story.quotes.count(),
    )
    story.approvals.all().delete()
    record_event("story.quote_added", target=story, actor=actor, quote_id=quote.pk)
    return quote


@transaction.atomic
def edit_quote(
    *,
    actor,
    quote: StoryQuote,
    text: str,
    person_name: str | None = None,
    person_role: str | None = None,
) -> StoryQuote:
    """Changing the words withdraws the consent given to the old ones (the person is asked
    again) and the sides' approvals."""
    _require_curator(actor)
    story = _lock(quote.story)
    _require_editable(story)
    quote = StoryQuote.objects.select_for_update().get(pk=quote.pk)
    text = _clean_text(text, "text", required=True, max_length=_limit(StoryQuote, "text"))
    fields = []
    if person_name is not None:
        person_name = _clean_text(
            person_name, "person_name", required=True, max_length=_limit(StoryQuote, "person_name")
        )
        if person_name != quote.person_name:
            quote.person_name = person_name
            fields.append("person_name")
    if person_role is not None:
        person_role = _clean_text(
            person_role, "person_role", max_length=_limit(StoryQuote, "person_role")
        )
        if person_role != quote.person_role:
            quote.person_role = person_role
            fields.append("person_role")
    words_changed = text != quote.text
    if words_changed:
        quote.text = text
        quote.consent_given_at = None
        quote.consent_by = None
        fields += ["text", "consent_given_at", "consent_by"]
    if fields:
        quote.save(update_fields=fields)
        story.approvals.all().delete()
        record_event(
            "story.quote_edited",
            target=story,
            actor=actor,
            quote_id=quote.pk,
            words_changed=words_changed,
        )
    return quote


@transaction.atomic
def remove_quote(*, actor, quote: StoryQuote) -> None:
    _require_curator(actor)
    story = _lock(quote.story)
    _require_editable(story)
    deleted, _rows = StoryQuote.objects.filter(pk=quote.pk, story=story).delete()
    if deleted:
        story.approvals.all().delete()
        record_event("story.quote_removed", target=story, actor=actor, quote_id=quote.pk)


@transaction.atomic
def give_quote_consent(*, actor, quote: StoryQuote) -> StoryQuote:
    if not permissions.can_consent_to_quote(actor, quote):
        raise PermissionDenied(_("Only the person quoted can consent to this quote."))
    if quote.consent_given_at is None:
        quote.consent_given_at = timezone.now()
        quote.consent_by = actor
        quote.save(update_fields=["consent_given_at", "consent_by"])
        record_event("story.quote_consented", target=quote.story, actor=actor, quote_id=quote.pk)
    return quote


@transaction.atomic
def withdraw_quote_consent(*, actor, quote: StoryQuote) -> StoryQuote:
    """The person quoted may withdraw; a published story then stops showing the quote."""
    if not permissions.can_consent_to_quote(actor, quote):
        raise PermissionDenied(_("Only the person quoted can withdraw consent."))
    quote.consent_given_at = None
    quote.consent_by = None
    quote.save(update_fields=["consent_given_at", "consent_by"])
    record_event("story.quote_withdrawn", target=quote.story, actor=actor, quote_id=quote.pk)
    return quote


@transaction.atomic
def add_figure(
    *,
    actor,
    story: Story,
    metric: str,
    value,
    unit: str = "",
    note: str = "",
    organisation: Organisation | None = None,
) -> OutcomeFigure:
    _require_curator(actor)
    story = _lock(story)
    _require_editable(story)
    if metric not in Metric.values:
        raise DomainError(_("Choose a metric."), field="metric")
    unit = _clean_text(
        unit, "unit", required=metric == Metric.OTHER, max_length=_limit(OutcomeFigure, "unit")
    )
    try:
        value = Decimal(str(value))
    except InvalidOperation:
        raise DomainError(_("Enter a number."), field="value") from None
    if not value.is_finite() or value < 0:
        raise DomainError(_("The value cannot be negative."), field="value")
    if value >= Decimal("1e12"):
        raise DomainError(_("The value is too large."), field="value")
    figure = OutcomeFigure.objects.create(
        story=story,
        metric=metric,
        value=value.quantize(Decimal("0.01")),
        unit=unit,
        note=_clean_text(note, "note", max_length=_limit(OutcomeFigure, "note")),
        organisation=organisation,
        order=story.figures.count(),
    )
    # The sides approve the story as it stands, figures included.
    story.approvals.all().delete()
    record_event("story.figure_added", target=story, actor=actor, figure_id=figure.pk)
    return figure


@transaction.atomic
def remove_figure(*, actor, figure: OutcomeFigure) -> None:
    _require_curator(actor)
    story = _lock(figure.story)
    _require_editable(story)
    deleted, _rows = OutcomeFigure.objects.filter(pk=figure.pk, story=story).delete()
    if deleted:
        story.approvals.all().delete()
        record_event("story.figure_removed", target=story, actor=actor, figure_id=figure.pk)


# --- images -----------------------------------------------------------------------------------


def _rendition(image: Image.Image, size: tuple[int, int]) -> ContentFile:
    fitted = ImageOps.fit(image, size, Image.Resampling.LANCZOS)
    buffer = BytesIO()
    fitted.save(buffer, format="JPEG", quality=85, optimize=True)
    return ContentFile(buffer.getvalue())


def make_renditions(upload) -> tuple[ContentFile, ContentFile]:
    """A thumbnail and a social card (1200×630), cropped to fill, as JPEG."""
    upload.seek(0)
    with Image.open(upload) as source:
        source.seek(0)  # the first frame of an animation
        image = ImageOps.exif_transpose(source)
        if image.mode in ("RGBA", "LA", "P"):
            rgba = image.convert("RGBA")
            image = Image.new("RGB", rgba.size, "white")
            image.paste(rgba, mask=rgba.getchannel("A"))
        else:
            image = image.convert("RGB")
        result = _rendition(image, THUMBNAIL_SIZE), _rendition(image, SOCIAL_CARD_SIZE)
    upload.seek(0)
    return result


@transaction.atomic
def add_image(
    *, actor, story: Story, upload, alt_text: str, caption: str = "", order: int | None = None
) -> StoryImage:
    """Validated by content (and the size limit), stored under a random name, with renditions."""
    _require_curator(actor)
    story = _lock(story)
    _require_editable(story)
    alt_text = _clean_text(
        alt_text, "alt_text", required=True, max_length=_limit(StoryImage, "alt_text")
    )
    try:
        validate_image_upload(upload)
    except ValidationError as error:
        raise DomainError(error.messages[0], code=error.code or "invalid", field="image") from None
    try:
        thumbnail, social_card = make_renditions(upload)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise DomainError(
            _("This image could not be read to the end. Save it again and upload the copy."),
            code="not_an_image",
            field="image",
        ) from None
    if order is None:
        order = story.images.count()
    image = StoryImage(
        story=story,
        alt_text=alt_text,
        caption=_clean_text(caption, "caption", max_length=_limit(StoryImage, "caption")),
        order=order,
        uploaded_by=actor,
    )
    image.image.save(upload.name, upload, save=False)
    image.thumbnail.save("thumbnail.jpg", thumbnail, save=False)
    image.social_card.save("card.jpg", social_card, save=False)
    image.save()
    record_event("story.image_added", target=story, actor=actor, image_id=image.pk)
    return image


@transaction.atomic
def remove_image(*, actor, image: StoryImage) -> None:
    """The row goes at once; the files are deleted once the transaction has committed."""
    _require_curator(actor)
    story = _lock(image.story)
    _require_editable(story)
    image = StoryImage.objects.filter(pk=image.pk, story=story).first()
    if image is None:
        return
    image_pk = image.pk
    files = [f for f in (image.image, image.thumbnail, image.social_card) if f]
    storage_names = [(f.storage, f.name) for f in files]
    image.delete()

    def delete_files() -> None:
        for storage, name in storage_names:
            storage.delete(name)

    transaction.on_commit(delete_files)
    record_event("story.image_removed", target=story, actor=actor, image_id=image_pk)


@transaction.atomic
def move_image(*, actor, image: StoryImage, offset: int) -> list[StoryImage]:
    """Move an image ``offset`` places earlier (negative) or later; the order is renumbered
    0, 1, 2 … so it stays tidy whatever happened before."""
    _require_curator(actor)
    story = _lock(image.story)
    _require_editable(story)
    images = list(story.images.order_by("order", "pk"))
    position = next((i for i, img in enumerate(images) if img.pk == image.pk), None)
    if position is None:
        raise Conflict(_("This image is no longer part of the story."), code="gone")
    target = max(0, min(len(images) - 1, position + offset))
    images.insert(target, images.pop(position))
    for order, img in enumerate(images):
        img.order = order
    StoryImage.objects.bulk_update(images, ["order"])
    return images
