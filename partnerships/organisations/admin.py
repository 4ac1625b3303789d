from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from partnerships.core.errors import DomainError

from . import services
from .models import Invitation, JoinRequest, Membership, Organisation, Status


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """The verification queue: filter by “Pending verification”, then verify in bulk.
    Rejections need a reason, given on the in-app queue (/organisations/verification/)."""

    list_display = ["name", "kind", "category", "status", "location", "created_at"]
    list_filter = ["status", "kind", "category", "sectors"]
    search_fields = ["name", "slug", "location"]
    readonly_fields = [
        "status",
        "status_reason",
        "status_changed_at",
        "status_changed_by",
        "created_by",
        "created_at",
    ]
    filter_horizontal = ["sectors"]
    inlines = [MembershipInline]
    actions = ["verify_selected"]

    @admin.action(description=_("Verify selected organisations (owners are emailed)"))
    def verify_selected(self, request, queryset):
        done = 0
        for organisation in queryset.exclude(status=Status.VERIFIED):
            try:
                services.organisation_verify(actor=request.user, organisation=organisation)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{organisation}: {exc.message}", messages.ERROR)
        self.message_user(request, _("%d organisation(s) verified.") % done)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "organisation",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    search_fields = ["email", "organisation__name"]
    raw_id_fields = ["organisation", "invited_by", "accepted_by"]


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    raw_id_fields = ["organisation", "user", "decided_by"]
