from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Profile


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts_profile_for_user")
def ensure_profile(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """Every user has a profile, however the user was created (sign-up, admin, shell)."""
    if created and not raw:
        Profile.objects.get_or_create(
            user=instance, defaults={"display_name": instance.email.split("@")[0][:80]}
        )
