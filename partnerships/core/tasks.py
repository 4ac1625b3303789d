"""Celery tasks shared by every app."""

import smtplib

from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(
    bind=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
)
def send_email(
    self,
    *,
    subject: str,
    body: str,
    to: list[str],
    html: str | None = None,
    from_email: str | None = None,
    headers: dict | None = None,
    reply_to: list[str] | None = None,
    attachments: list[dict] | None = None,
) -> None:
    """Send one rendered email. Retries with backoff when the SMTP server fails.

    ``attachments`` are ``{"filename", "content", "mimetype"}`` dicts with text content, so the
    task's arguments stay JSON for the broker (calendar files are text).
    """
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        to=to,
        from_email=from_email,
        headers=headers or {},
        reply_to=reply_to or None,
    )
    if html:
        message.attach_alternative(html, "text/html")
    for attachment in attachments or []:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    message.send()
