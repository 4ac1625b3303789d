"""Outbox handlers for stories.

The completion prompt: completed projects and placements ask both sides for a testimonial
(registered after the notification handlers for the same events; a failure is logged and
contained in a savepoint so it never blocks anybody's notifications).

Notifications: testimonial requests, requests to approve a story, a story published, and quotes
waiting for the quoted person's consent.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.activity.models import DomainEvent
from partnerships.core.mail import enqueue_after_commit, render_email
from partnerships.core.tasks import send_email
from partnerships.notifications.emails import unsubscribe_url
from partnerships.notifications.models import Frequency, Notification
from partnerships.notifications.models import NotificationType as T
from partnerships.notifications.outbox import direct, handles
from partnerships.organisations.models import Membership
from partnerships.placements.models import Application
from partnerships.projects.models import Opportunity

from . import services
from .models import Story, StoryQuote, StoryStatus, TestimonialRequest
from .selectors_manage import collaboration_of, story_page_url
from .services import EDITABLE_STATUSES

logger = logging.getLogger(__name__)


def _prompt(event: DomainEvent, model) -> int:
    target = model.objects.filter(pk=event.target_id).first()
    if target is None:
        return 0
    try:
        with transaction.atomic():
            services.request_testimonials_for_completion(target)
    except Exception:
        logger.exception("Could not ask for testimonials after domain event %s", event.pk)
    return 0  # no notifications written here


@handles("opportunity.completed")
def opportunity_completed(event: DomainEvent) -> int:
    return _prompt(event, Opportunity)


@handles("placement.completed")
def placement_completed(event: DomainEvent) -> int:
    return _prompt(event, Application)


# --- Notifications about stories ----------------------------------------------------------------
#
# Each person is told once per domain event (the unique (recipient, event, type) key). Those who
# chose "at once" for ``NotificationType.STORY`` get the story's own email, sent here and marked
# as emailed so the generic instant email does not repeat it; digests carry it for the others;
# "off" writes nothing.


def _members(organisation_ids) -> list[int]:
    """Active members of these organisations (each once)."""
    return sorted(
        set(
            Membership.objects.filter(
                organisation_id__in=list(organisation_ids), user__is_active=True
            ).values_list("user_id", flat=True)
        )
    )


def _email(notification: Notification, template: str, context: dict) -> None:
    unsubscribe = unsubscribe_url(notification.recipient_id, T.STORY)
    rendered = render_email(
        f"stories/{template}",
        {
            **context,
            "person": notification.recipient,
            "notification": notification,
            "link": f"{settings.SITE_URL}{notification.url}",
            "unsubscribe_url": unsubscribe,
            "preferences_url": f"{settings.SITE_URL}{reverse('notifications:preferences')}",
        },
    )
    enqueue_after_commit(
        send_email,
        **rendered,
        to=[notification.recipient.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _notify(
    event: DomainEvent, user_ids, *, title: str, url: str, target, template: str, context: dict
) -> int:
    """Write the notifications, then email the new instant ones (after commit)."""
    written = direct(event, T.STORY, user_ids, title=title, url=url, target=target)
    due = Notification.objects.filter(
        event=event,
        type=T.STORY,
        recipient_id__in=list(user_ids),
        frequency=Frequency.INSTANT,
        emailed_at__isnull=True,
    )
    ids = list(due.values_list("pk", flat=True))
    if not ids:
        return written
    Notification.objects.filter(pk__in=ids).update(emailed_at=timezone.now())
    recipients = (
        Notification.objects.filter(pk__in=ids, recipient__is_active=True)
        .exclude(recipient__email="")
        .select_related("recipient__profile")
        .order_by("pk")
    )
    for notification in recipients:
        _email(notification, template, context)
    return written


def _title_of(collaboration, story: Story) -> str:
    return collaboration.title if collaboration is not None else story.title


@handles("story.testimonials_requested")
def testimonials_requested(event: DomainEvent) -> int:
    """Each member of each side asked: “How did … go?”, linking to their side's request."""
    story = Story.objects.filter(pk=event.target_id).first()
    if story is None or story.status in (StoryStatus.PUBLISHED, StoryStatus.ARCHIVED):
        return 0
    requests = TestimonialRequest.objects.filter(
        story=story,
        organisation_id__in=event.payload.get("organisation_ids") or [],
        submitted_at__isnull=True,
    ).select_related("organisation", "opportunity", "placement")
    written = 0
    for testimonial_request in requests.order_by("pk"):
        collaboration = testimonial_request.opportunity or testimonial_request.placement
        name = _title_of(collaboration, story)
        written += _notify(
            event,
            _members([testimonial_request.organisation_id]),
            title=_("How did “%(title)s” go? Tell us in two minutes") % {"title": name},
            url=reverse("stories:testimonial", args=[testimonial_request.token]),
            target=story,
            template="testimonial_requested",
            context={
                "story": story,
                "collaboration": name,
                "organisation": testimonial_request.organisation,
            },
        )
    return written


@handles("story.sent_for_review")
def sent_for_review(event: DomainEvent) -> int:
    """Members of the story's organisations are asked to approve the text."""
    story = (
        Story.objects.filter(pk=event.target_id, status=StoryStatus.IN_REVIEW)
        .select_related("partnership", "opportunity", "placement", "event")
        .first()
    )
    if story is None:
        return 0
    name = _title_of(collaboration_of(story), story)
    return _notify(
        event,
        _members(story.organisations.values_list("pk", flat=True)),
        title=_("Please approve the story about “%(title)s”") % {"title": name},
        url=reverse("stories:review", args=[story.pk]),
        target=story,
        template="review_requested",
        context={"story": story, "collaboration": name},
    )


@handles("story.published")
def story_published(event: DomainEvent) -> int:
    """Members of the story's organisations: it is live, with its public link."""
    story = Story.objects.filter(pk=event.target_id, status=StoryStatus.PUBLISHED).first()
    if story is None:
        return 0  # archived before we got to it: nothing to celebrate
    return _notify(
        event,
        _members(story.organisations.values_list("pk", flat=True)),
        title=_("Your story is live: “%(title)s”") % {"title": story.title},
        url=story_page_url(story),
        target=story,
        template="published",
        context={"story": story},
    )


@handles("story.quote_added", "story.quote_edited")
def quote_needs_consent(event: DomainEvent) -> int:
    """The person quoted (when they have an account) is asked to consent to the words."""
    if event.name == "story.quote_edited" and not event.payload.get("words_changed"):
        return 0
    quote = (
        StoryQuote.objects.filter(
            pk=event.payload.get("quote_id"),
            story_id=event.target_id,
            user__isnull=False,
            consent_given_at__isnull=True,
            story__status__in=EDITABLE_STATUSES,
        )
        .select_related("story")
        .first()
    )
    if quote is None:
        return 0
    return _notify(
        event,
        [quote.user_id],
        title=_("May we quote you in “%(title)s”?") % {"title": quote.story.title},
        url=reverse("stories:quote_consent", args=[quote.pk]),
        target=quote,
        template="quote_consent",
        context={"story": quote.story, "quote": quote},
    )
