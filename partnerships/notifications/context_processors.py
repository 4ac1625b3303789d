from django.utils.functional import cached_property

from .models import Notification


class Bell:
    """The unread count for the bell in the header: one cheap query, run only when a page
    shows it, and capped so the count stops reading the partial index at ``CAP``."""

    CAP = 100

    def __init__(self, user):
        self.user = user

    @cached_property
    def unread(self) -> int:
        unread = Notification.objects.filter(recipient=self.user, read_at__isnull=True)
        return unread.values("pk")[: self.CAP].count()

    @property
    def capped(self) -> bool:
        return self.unread >= self.CAP

    @property
    def label(self) -> str:
        """What the badge shows: the number, or "99+"."""
        return f"{self.CAP - 1}+" if self.capped else str(self.unread)


def notification_bell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notification_bell": Bell(user)}
