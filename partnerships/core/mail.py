"""Rendering emails and handing them to Celery once the surrounding transaction commits."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

from . import tasks

logger = logging.getLogger(__name__)


def enqueue_after_commit(task, **kwargs) -> None:
    """Queue ``task`` once the current transaction commits.

    A request must never fail or hang because the broker is away: if publishing fails the task
    runs in-process instead, so the work is not lost.
    """

    def publish() -> None:
        try:
            task.apply_async(kwargs=kwargs, queue=settings.CELERY_TASK_DEFAULT_QUEUE)
        except Exception:
            logger.exception("Broker unavailable; running %s in-process", task.name)
            task.apply(kwargs=kwargs)

    transaction.on_commit(publish)


def render_email(template: str, context: dict | None = None) -> dict:
    """Render ``email/<template>_{subject,message}.txt`` (and optional ``.html``)."""
    ctx = {"site_url": settings.SITE_URL, **(context or {})}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"email/{template}_subject.txt", ctx).strip()
        body = render_to_string(f"email/{template}_message.txt", ctx)
        try:
            html = render_to_string(f"email/{template}_message.html", ctx)
        except TemplateDoesNotExist:
            html = None
    return {
        "subject": f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{' '.join(subject.splitlines())}",
        "body": body,
        "html": html,
    }


def send_templated_email(
    *,
    to: Iterable[str],
    template: str,
    context: dict | None = None,
    headers: dict | None = None,
    reply_to: list[str] | None = None,
    attachments: list[dict] | None = None,
) -> None:
    """Render ``email/<template>_{subject,message}.txt`` (and optional ``.html``), then send
    once the transaction commits. All of ``to`` see each other: use one call per person for
    anyone who must not see the other recipients."""
    recipients = [address for address in to if address]
    if not recipients:
        return
    enqueue_after_commit(
        tasks.send_email,
        **render_email(template, context),
        to=recipients,
        headers=headers,
        reply_to=reply_to,
        attachments=attachments,
    )
