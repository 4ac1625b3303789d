"""Preferences per notification type, and the signed one-click unsubscribe token."""

from django.conf import settings
from django.core import signing

from .models import Frequency, NotificationPreference, NotificationType

UNSUBSCRIBE_SALT = "tandem.notifications.unsubscribe"
# A type, or a whole digest ("digest:daily" turns off every type that was on the daily digest).
DIGESTS = {"digest:daily": Frequency.DAILY, "digest:weekly": Frequency.WEEKLY}
UNSUBSCRIBABLE = [*NotificationType.values, *DIGESTS]


def default_for(type_: str) -> str:
    return settings.NOTIFICATION_DEFAULTS.get(type_, Frequency.INSTANT)


def frequencies_for(user_ids, type_: str) -> dict[int, str]:
    """Each person's frequency for ``type_`` (their choice, else the default), in one query."""
    ids = list(dict.fromkeys(user_ids))
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=ids, type=type_).values_list(
            "user_id", "frequency"
        )
    )
    return {pk: chosen.get(pk, default_for(type_)) for pk in ids}


def preferences_of(user) -> dict[str, str]:
    """Every type with the person's frequency, defaults filled in."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("type", "frequency"))
    return {t: chosen.get(t, default_for(t)) for t in NotificationType.values}


def set_preference(user, type_: str, frequency: str) -> NotificationPreference:
    if type_ not in NotificationType.values:
        raise ValueError(type_)
    if frequency not in Frequency.values:
        raise ValueError(frequency)
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, type=type_, defaults={"frequency": frequency}
    )
    return preference


def unsubscribe_token(user_id: int, type_: str) -> str:
    """Signed (not encrypted): names the person and the type; cannot be forged or altered."""
    return signing.dumps({"u": user_id, "t": type_}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """The (user id, type) a token was made for, or None if it was forged or altered."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("t") not in UNSUBSCRIBABLE:
        return None
    if not isinstance(data.get("u"), int):
        return None
    return data["u"], data["t"]


def unsubscribe(user, what: str) -> list[str]:
    """Turn off a type, or every type on a digest. Returns the types turned off."""
    if what in DIGESTS:
        types = [t for t, f in preferences_of(user).items() if f == DIGESTS[what]]
    else:
        types = [what]
    for type_ in types:
        set_preference(user, type_, Frequency.OFF)
    return types
