from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only, for platform admins: entries are never added, changed or deleted here."""

    list_display = [
        "created_at",
        "action",
        "actor_label",
        "target_type",
        "target_id",
        "target_label",
        "organisation_label",
        "request_id",
    ]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_label", "target_label", "organisation_label", "request_id"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
    show_full_result_count = False

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_platform_admin

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_platform_admin

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
