"""API for a person's own notifications and their notification preferences.

Nobody sees anyone else's notifications: the queryset is the inbox selector, so another person's
id answers 404. Notifications are read-only except for being marked read; the explanation (why a
match was suggested, in words) is computed for a whole page in a constant number of queries.
Preferences are one object per person, type → frequency.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from partnerships.core.serializers import ChoiceLabelField

from . import preferences, selectors, services
from .models import Frequency, Notification, NotificationType


def _truthy(value: str) -> bool:
    return (value or "").lower() in ("1", "true", "yes", "on")


class NotificationSerializer(serializers.ModelSerializer):
    type_display = ChoiceLabelField("type")
    explanation = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        default=list,
        help_text="Why it was suggested, in words, strongest reason first (matches only).",
    )
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "type",
            "type_display",
            "title",
            "url",
            "target_type",
            "target_id",
            "score",
            "explanation",
            "created_at",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields
        extra_kwargs = {"url": {"help_text": "A path on this site, e.g. /placements/12/."}}

    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


READ_ALL_RESPONSE = inline_serializer(
    "NotificationsReadAll", fields={"marked": serializers.IntegerField()}
)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "unread", OpenApiTypes.BOOL, description="Only notifications not yet read."
            )
        ]
    )
)
class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Your own notifications, newest first."""

    queryset = Notification.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = NotificationSerializer
    filter_backends: list = []

    def get_queryset(self):
        notifications = selectors.inbox(self.request.user)
        if self.action == "list" and _truthy(self.request.query_params.get("unread")):
            notifications = notifications.filter(read_at__isnull=True)
        return notifications

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else selectors.with_explanations(page)

    def get_object(self):
        return selectors.with_explanations([super().get_object()])[0]

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one notification read (idempotent)."""
        notification = services.notification_mark_read(
            actor=request.user, notification=self.get_object()
        )
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses=READ_ALL_RESPONSE)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark every unread notification read; answers how many were unread."""
        return Response({"marked": services.notifications_mark_all_read(actor=request.user)})


@extend_schema_field(
    {
        "type": "string",
        "enum": Frequency.values,
        "description": "; ".join(f"`{value}`: {label}" for value, label in Frequency.choices),
    },
    component_name="NotificationFrequency",
)
class FrequencyField(serializers.ChoiceField):
    """One frequency; a named schema component shared by every type."""

    def __init__(self, **kwargs):
        super().__init__(choices=Frequency.choices, **kwargs)


class NotificationPreferencesSerializer(serializers.Serializer):
    """Each notification type with how you hear about it: ``instant`` (email at once),
    ``daily`` or ``weekly`` (a digest), or ``off`` (no notification at all)."""

    def get_fields(self):
        return {
            type_: FrequencyField(help_text=str(label)) for type_, label in NotificationType.choices
        }

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(NotificationType.values))
        if unknown:
            raise serializers.ValidationError(
                {name: ["Not a notification type."] for name in unknown}
            )
        return attrs


BAD_PREFERENCES = OpenApiResponse(description="An unknown type or frequency; the error names it.")


class NotificationPreferencesView(APIView):
    """Your notification preferences: one object, type → frequency. ``PUT`` sets every type;
    ``PATCH`` only those you send. Unknown types and frequencies answer 400."""

    serializer_class = NotificationPreferencesSerializer

    @extend_schema(responses=NotificationPreferencesSerializer)
    def get(self, request):
        return Response(preferences.preferences_of(request.user))

    @extend_schema(
        request=NotificationPreferencesSerializer,
        responses={200: NotificationPreferencesSerializer, 400: BAD_PREFERENCES},
    )
    def put(self, request):
        return self._update(request, partial=False)

    @extend_schema(
        request=NotificationPreferencesSerializer,
        responses={200: NotificationPreferencesSerializer, 400: BAD_PREFERENCES},
    )
    def patch(self, request):
        return self._update(request, partial=True)

    def _update(self, request, *, partial: bool):
        serializer = NotificationPreferencesSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        saved = services.preferences_update(actor=request.user, changes=serializer.validated_data)
        return Response(saved)
