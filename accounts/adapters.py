from allauth.account.adapter import DefaultAccountAdapter

from partnerships.core import tasks
from partnerships.core.mail import enqueue_after_commit


class AccountAdapter(DefaultAccountAdapter):
    """Account emails (verification, password reset) go out through Celery like every other."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            None,
        )
        if message.content_subtype == "html":
            html, body = message.body, ""
        else:
            body = message.body
        enqueue_after_commit(
            tasks.send_email,
            subject=message.subject,
            body=body,
            html=html,
            to=list(message.to),
            from_email=message.from_email,
            headers=dict(message.extra_headers),
        )
