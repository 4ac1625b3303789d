"""Admin for moderation and support. Seat counts and registration states are read-only here:
they change only through the services, which keep the capacity guarantee."""

from django.contrib import admin

from .models import CalendarFeed, Event, EventMessage, EventSession, Registration, Speaker


class EventSessionInline(admin.TabularInline):
    model = EventSession
    extra = 0


class SpeakerInline(admin.TabularInline):
    model = Speaker
    extra = 0
    raw_id_fields = ["user", "session"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "kind", "status", "starts_at", "capacity"]
    list_filter = ["status", "kind", "format", "audience"]
    search_fields = ["title", "description", "organisation__name"]
    raw_id_fields = ["organisation", "partnership", "created_by"]
    filter_horizontal = ["sectors", "audience_organisations"]
    readonly_fields = ["status", "status_changed_at", "published_at", "seats_taken", "sequence"]
    date_hierarchy = "starts_at"
    inlines = [EventSessionInline, SpeakerInline]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["user", "event", "status", "checked_in_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["user__email", "event__title"]
    raw_id_fields = ["user", "event", "decided_by", "checked_in_by"]
    readonly_fields = [f.name for f in Registration._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(EventMessage)
class EventMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "event", "sender", "recipients", "recipient_count", "created_at"]
    readonly_fields = [f.name for f in EventMessage._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "last_fetched_at"]
    exclude = ["token"]
    readonly_fields = ["user", "created_at", "last_fetched_at"]
