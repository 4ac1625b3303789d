from django.contrib import admin

from .models import DomainEvent


@admin.register(DomainEvent)
class DomainEventAdmin(admin.ModelAdmin):
    """The audit trail: read-only."""

    list_display = ["created_at", "name", "actor", "organisation", "target_type", "target_id"]
    list_filter = ["name", "target_type"]
    search_fields = ["name", "actor__email", "organisation__name"]
    readonly_fields = [f.name for f in DomainEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
