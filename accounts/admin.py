from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.utils import quote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partnerships.core.errors import DomainError

from .erasure import account_delete_by_admin, accounts_delete_by_admin
from .models import Profile, User


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["skills", "institution"]
    filter_horizontal = ["sectors"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Deleting a user here (the delete page or "Delete selected users") is the same erasure as
    a person deleting their own account (``accounts.erasure``), not a plain ORM delete: records
    organisations keep are anonymised, files and sessions go, and the audit trail names the
    admin. Its refusals (their own account, the last platform admin, the last owner of an
    organisation) come back as an error message and nothing is deleted."""

    ordering = ["email"]
    list_display = ["email", "role", "is_active", "is_staff", "date_joined", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "profile__display_name"]
    inlines = [ProfileInline]
    actions = ["delete_selected"]  # this class's own, in place of the admin site's
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Role"),
            {
                "fields": ["role"],
                "description": _(
                    "Make platform admins here: role “Platform admin”, plus staff status "
                    "for the Django admin."
                ),
            },
        ),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "role", "password1", "password2"]}),
    ]

    def delete_model(self, request, obj):
        account_delete_by_admin(actor=request.user, user=obj)

    def delete_queryset(self, request, queryset):
        accounts_delete_by_admin(actor=request.user, users=list(queryset))

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as error:  # the transaction was rolled back: nothing was deleted
            self.message_user(request, error.message, messages.ERROR)
            opts = self.opts
            change_url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=[quote(object_id)],
                current_app=self.admin_site.name,
            )
            return HttpResponseRedirect(change_url)

    @admin.action(permissions=["delete"], description=_("Delete selected %(verbose_name_plural)s"))
    def delete_selected(self, request, queryset):
        """Django's action (confirmation page, log entries, message) around
        ``delete_queryset``, in one transaction so a refusal also leaves no log entries."""
        try:
            with transaction.atomic():
                return django_delete_selected(self, request, queryset)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return None
