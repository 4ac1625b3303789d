"""API for events, their agenda (sessions and speakers) and registrations.

Same conventions as ``partnerships/placements/api.py``: querysets come from the selectors, filtered
to the caller and joined so a list costs the same number of queries whatever its length; every
write goes through the service the pages use; status, seats, ownership and links are never
writable fields and change only through actions, each checked by its service. Objects the caller
may not see answer 404; visible ones they may not change, 403; broken rules 400, 409 or 429.

Public events can be read without signing in (like open placements); everything else needs a
person. The online link is only ever shown to organisers and people holding a confirmed place.
"""

import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Case, Prefetch, Q, Value, When
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.response import Response

from accounts.selectors import visible_profiles
from partnerships.core.api import ID_INPUT, ChangeRule, FileDownloads, VisibleOnly, refuse_change
from partnerships.core.models import Sector
from partnerships.core.serializers import ChoiceLabelField, SlugListField
from partnerships.organisations.api import VisibleOrganisationRef
from partnerships.organisations.models import Membership, Status
from partnerships.organisations.permissions import is_platform_admin
from partnerships.projects.models import LIVE_PARTNERSHIP_STATUSES, Partnership
from partnerships.projects.selectors import visible_partnerships

from . import selectors, services
from .calendar import CONTENT_TYPE, build_calendar, event_filename
from .forms import attach_zone
from .models import (
    Admission,
    Event,
    EventKind,
    EventMessage,
    EventSession,
    Registration,
    RegistrationStatus,
    Speaker,
)
from .permissions import can_manage_event, can_see_online_link, organiser_organisations
from .selectors import with_waitlist_positions

User = get_user_model()
R = RegistrationStatus

ICS_DOWNLOAD = {(200, "text/calendar"): OpenApiTypes.BINARY}
REGISTRATION_STATES = ["open", "not_yet", "closed", "unavailable"]
REGISTRATION_STATUS_HELP = "One of: " + ", ".join(RegistrationStatus.values) + "."


def _id_filter(params, name: str) -> int | None:
    """An optional ``?name=<id>`` list filter: absent → None; anything but an id → 400."""
    raw = params.get(name, "")
    if raw == "":
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise serializers.ValidationError({name: [f"Give {name} as a numeric id."]})
    return int(raw)


def _truthy(value: str) -> bool:
    return (value or "").lower() in ("1", "true", "yes", "on")


def _waitlist_position(registration) -> int | None:
    if hasattr(registration, "waitlist_rank"):
        return registration.waitlist_rank
    return services.waitlist_position(registration)


def _managed_event_q(user, prefix: str = "") -> Q:
    """Events whose registrations the person manages: those of verified organisations they
    belong to, on either side of the event's partnership while it lasts
    (``permissions.can_manage_event``)."""
    orgs = Membership.objects.filter(user=user, organisation__status=Status.VERIFIED).values(
        "organisation_id"
    )
    lasting = Q(**{f"{prefix}partnership__status__in": LIVE_PARTNERSHIP_STATUSES})
    return Q(**{f"{prefix}organisation_id__in": orgs}) | (
        lasting
        & (
            Q(**{f"{prefix}partnership__institution_id__in": orgs})
            | Q(**{f"{prefix}partnership__industry_partner_id__in": orgs})
        )
    )


# --- Times ------------------------------------------------------------------------------------

WALL_CLOCK_HELP = (
    "ISO 8601. A time without a UTC offset is read as the clocks show it in the event's own "
    "time zone (as on the event form), whoever sends it."
)


class WallClockDateTimeField(serializers.DateTimeField):
    """Keeps a time typed without a UTC offset naive, so the serializer can read it in the
    event's own time zone rather than in the caller's."""

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            return value
        return super().enforce_timezone(value)


def attach_event_zone(attrs: dict, names, zone_name: str) -> None:
    """Read each naive time in ``attrs`` in ``zone_name``; 400 for times the clocks skip."""
    tz = zoneinfo.ZoneInfo(zone_name)
    errors = {}
    for name in names:
        value = attrs.get(name)
        if value is not None and timezone.is_naive(value):
            try:
                attrs[name] = attach_zone(value, tz)
            except DjangoValidationError as exc:
                errors[name] = exc.messages
    if errors:
        raise serializers.ValidationError(errors)


# --- Reference fields ---------------------------------------------------------------------------


class VisibleEventField(VisibleOnly, serializers.PrimaryKeyRelatedField):
    """An event, by id, among those the caller can see."""

    not_found_message = "No such event."

    def __init__(self, **kwargs):
        super().__init__(queryset=Event.objects.all(), **kwargs)

    def visible(self, user):
        return selectors.visible_events(user).select_related(
            "organisation", "partnership__institution", "partnership__industry_partner"
        )


class VisibleSessionField(VisibleOnly, serializers.PrimaryKeyRelatedField):
    """A session, by id, of an event the caller can see."""

    not_found_message = "No such session."

    def __init__(self, **kwargs):
        super().__init__(queryset=EventSession.objects.all(), **kwargs)

    def visible(self, user):
        return EventSession.objects.filter(event__in=selectors.visible_events(user))


class VisiblePartnershipField(VisibleOnly, serializers.PrimaryKeyRelatedField):
    """A partnership, by id, of one of the caller's organisations."""

    not_found_message = "No such partnership."

    def __init__(self, **kwargs):
        super().__init__(queryset=Partnership.objects.all(), **kwargs)

    def visible(self, user):
        return visible_partnerships(user)


class VisiblePersonField(VisibleOnly, serializers.PrimaryKeyRelatedField):
    """A person, by user id, whose profile the caller may see."""

    not_found_message = "No such person."

    def __init__(self, **kwargs):
        super().__init__(queryset=User.objects.all(), style=ID_INPUT, **kwargs)

    def visible(self, user):
        return User.objects.filter(pk__in=visible_profiles(user).values("user_id")).select_related(
            "profile"
        )


# --- Events -------------------------------------------------------------------------------------


class OrganiserSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class MyRegistrationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True, help_text=REGISTRATION_STATUS_HELP)
    waitlist_position = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="1 for the next person to move in."
    )


def _caller_registration(serializer, event) -> Registration | None:
    """The caller's registration for ``event``: prefetched by the view, else read once."""
    prefetched = getattr(event, "caller_registrations", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    request = serializer.context.get("request")
    if request is None:
        return None
    cache = serializer.context.setdefault("_registrations", {})
    if event.pk not in cache:
        cache[event.pk] = selectors.registration_of(request.user, event)
    return cache[event.pk]


class EventSerializer(serializers.ModelSerializer):
    organisation = VisibleOrganisationRef(
        help_text="Slug of the verified organisation hosting the event (you must belong to it); "
        "set when the event is created."
    )
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    organisers = serializers.SerializerMethodField()
    partnership = VisiblePartnershipField(
        required=False,
        allow_null=True,
        help_text="Id of an active partnership of the host: both sides then run the event.",
    )
    kind_display = ChoiceLabelField("kind")
    starts_at = WallClockDateTimeField(help_text=WALL_CLOCK_HELP)
    ends_at = WallClockDateTimeField(help_text=WALL_CLOCK_HELP)
    registration_opens_at = WallClockDateTimeField(
        required=False, allow_null=True, help_text="Empty: when published. " + WALL_CLOCK_HELP
    )
    registration_closes_at = WallClockDateTimeField(
        required=False, allow_null=True, help_text="Empty: when it starts. " + WALL_CLOCK_HELP
    )
    format_display = ChoiceLabelField("format")
    sectors = SlugListField(name="sector", many=True, queryset=Sector.objects.all(), required=False)
    online_url = serializers.URLField(
        max_length=500,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Link to join online. Shown (not null) only to organisers and people with a "
        "confirmed place.",
    )
    audience_organisations = VisibleOrganisationRef(
        many=True,
        required=False,
        help_text="Slugs of the organisations whose members (and students) may attend, when "
        "the audience is `members`.",
    )
    seats_left = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Null when there is no limit."
    )
    is_full = serializers.BooleanField(read_only=True)
    registration_state = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True)
    status_display = ChoiceLabelField("status")
    my_registration = serializers.SerializerMethodField()
    admission_display = ChoiceLabelField("admission")
    academic_staff_days = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=services.MAX_STAFF_DAYS,
        required=False,
        allow_null=True,
        help_text="Academic staff time given to the event itself, in days of eight hours (for "
        "knowledge-exchange reports). Shown (not null) only to the organisers.",
    )

    class Meta:
        model = Event
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "organisers",
            "partnership",
            "kind",
            "kind_display",
            "title",
            "summary",
            "description",
            "sectors",
            "starts_at",
            "ends_at",
            "timezone",
            "format",
            "format_display",
            "venue_name",
            "venue_address",
            "online_url",
            "capacity",
            "seats_taken",
            "seats_left",
            "is_full",
            "registration_opens_at",
            "registration_closes_at",
            "registration_state",
            "requires_approval",
            "audience",
            "audience_organisations",
            "admission",
            "admission_display",
            "academic_staff_days",
            "status",
            "status_display",
            "cancellation_reason",
            "sequence",
            "my_registration",
            "published_at",
            "status_changed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "seats_taken",
            "cancellation_reason",
            "sequence",
            "published_at",
            "status_changed_at",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(OrganiserSerializer(many=True))
    def get_organisers(self, obj):
        """The host, and the other side of the event's partnership while it lasts."""
        return [{"slug": org.slug, "name": org.name} for org in organiser_organisations(obj)]

    @extend_schema_field(serializers.ChoiceField(choices=REGISTRATION_STATES))
    def get_registration_state(self, obj) -> str:
        return obj.registration_state()

    @extend_schema_field(MyRegistrationSerializer(allow_null=True))
    def get_my_registration(self, obj):
        """Your registration for this event (any status), or null."""
        registration = _caller_registration(self, obj)
        if registration is None:
            return None
        return {
            "id": registration.pk,
            "status": registration.status,
            "waitlist_position": _waitlist_position(registration),
        }

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = request.user if request is not None else None
        if user is None or not can_see_online_link(
            user, instance, _caller_registration(self, instance)
        ):
            data["online_url"] = None
        if user is None or not user.is_authenticated or not can_manage_event(user, instance):
            data["academic_staff_days"] = None
        return data

    def validate(self, attrs):
        refuse_change(attrs, self.instance, "organisation")
        if "online_url" in attrs and attrs["online_url"] is None:
            attrs["online_url"] = ""
        zone = attrs.get("timezone") or getattr(self.instance, "timezone", settings.TIME_ZONE)
        attach_event_zone(attrs, services.DATETIME_FIELDS, zone)
        return attrs


class EventReportingSerializer(serializers.Serializer):
    admission = serializers.ChoiceField(
        choices=Admission.choices, required=False, help_text="free or chargeable."
    )
    academic_staff_days = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=services.MAX_STAFF_DAYS,
        required=False,
        allow_null=True,
        help_text="Days of eight hours given to the event itself; null clears it.",
    )


class EventRegistrationSerializer(serializers.ModelSerializer):
    event = serializers.PrimaryKeyRelatedField(read_only=True)
    event_title = serializers.CharField(source="event.title", read_only=True)
    event_starts_at = serializers.DateTimeField(source="event.starts_at", read_only=True)
    event_ends_at = serializers.DateTimeField(source="event.ends_at", read_only=True)
    event_status = serializers.CharField(source="event.status", read_only=True)
    organisation_name = serializers.CharField(source="event.organisation.name", read_only=True)
    # Null once the person deleted their account (the registration stays, without them).
    user = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    user_name = serializers.CharField(
        source="user.display_name", read_only=True, default=None, allow_null=True
    )
    status = serializers.CharField(read_only=True, help_text=REGISTRATION_STATUS_HELP)
    status_display = ChoiceLabelField("status")
    waitlist_position = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "id",
            "event",
            "event_title",
            "event_starts_at",
            "event_ends_at",
            "event_status",
            "organisation_name",
            "user",
            "user_name",
            "status",
            "status_display",
            "waitlist_position",
            "waitlisted_at",
            "confirmed_at",
            "cancelled_at",
            "checked_in_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_waitlist_position(self, obj) -> int | None:
        """1 for the next person to move in; null when not on the waitlist."""
        return _waitlist_position(obj)


class RegistrantSerializer(EventRegistrationSerializer):
    email = serializers.EmailField(
        source="user.email", read_only=True, default=None, allow_null=True
    )
    institution = serializers.CharField(
        source="user.profile.institution.name", read_only=True, default=None, allow_null=True
    )
    checked_in_by_name = serializers.SerializerMethodField()

    class Meta(EventRegistrationSerializer.Meta):
        fields = [
            "id",
            "user",
            "user_name",
            "email",
            "institution",
            "status",
            "status_display",
            "waitlist_position",
            "waitlisted_at",
            "confirmed_at",
            "cancelled_at",
            "checked_in_at",
            "checked_in_by_name",
            "created_at",
        ]
        read_only_fields = fields

    def get_checked_in_by_name(self, obj) -> str | None:
        return obj.checked_in_by.display_name if obj.checked_in_by_id else None


def _registration_for_response(registration: Registration) -> Registration:
    return with_waitlist_positions(
        Registration.objects.select_related("event__organisation", "user__profile")
    ).get(pk=registration.pk)


class EventCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Told to everyone registered; required once the event is published.",
    )


class EventMessageSerializer(serializers.ModelSerializer):
    sender_name = serializers.SerializerMethodField()

    class Meta:
        model = EventMessage
        fields = ["id", "recipients", "subject", "body", "recipient_count", "sender_name"]
        fields += ["created_at"]
        read_only_fields = ["recipient_count", "created_at"]
        extra_kwargs = {
            "subject": {"max_length": 160},
            "body": {"max_length": 5000},
        }

    def get_sender_name(self, obj) -> str | None:
        return obj.sender.display_name if obj.sender_id else None


class EventFilterSerializer(serializers.Serializer):
    """The list's query parameters, checked (a bad date or choice answers 400)."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    kind = serializers.ChoiceField(choices=EventKind.choices, required=False, allow_blank=True)
    sector = serializers.CharField(required=False, allow_blank=True, max_length=100)
    organiser = serializers.CharField(required=False, allow_blank=True, max_length=100)
    attendance = serializers.ChoiceField(
        choices=["online", "in_person"], required=False, allow_blank=True
    )
    date_from = serializers.DateField(required=False, allow_null=True)
    date_to = serializers.DateField(required=False, allow_null=True)
    when = serializers.ChoiceField(choices=["upcoming", "past"], required=False, default="upcoming")

    @staticmethod
    def _in_range(value):
        if value is not None and not services.MIN_YEAR <= value.year <= services.MAX_YEAR:
            raise serializers.ValidationError(
                f"Give a date between the years {services.MIN_YEAR} and {services.MAX_YEAR}."
            )
        return value

    def validate_date_from(self, value):
        return self._in_range(value)

    def validate_date_to(self, value):
        return self._in_range(value)

    def validate(self, attrs):
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and end < start:
            raise serializers.ValidationError(
                {"date_to": "The end date must not be before the start date."}
            )
        return attrs


class RegistrantFilterSerializer(serializers.Serializer):
    """The registrant list's query parameters (an unknown status answers 400)."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    status = serializers.ChoiceField(
        choices=RegistrationStatus.choices, required=False, allow_blank=True
    )


LIST_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Full-text search, best matches first."),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=EventKind.values, description="Event kind."),
    OpenApiParameter("sector", OpenApiTypes.STR, description="Sector slug."),
    OpenApiParameter(
        "organiser", OpenApiTypes.STR, description="Slug of an organiser (either side)."
    ),
    OpenApiParameter(
        "attendance",
        OpenApiTypes.STR,
        enum=["online", "in_person"],
        description="online: online or hybrid; in_person: in person or hybrid.",
    ),
    OpenApiParameter(
        "date_from", OpenApiTypes.DATE, description="Still running on or after this day."
    ),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Starting on or before this day."),
    OpenApiParameter(
        "when",
        OpenApiTypes.STR,
        enum=["upcoming", "past"],
        description="upcoming (default, soonest first, cancelled ones left out) or past "
        "(latest first).",
    ),
    OpenApiParameter(
        "mine",
        OpenApiTypes.BOOL,
        description="Only events your organisations run, drafts included (with `when`; other "
        "filters ignored).",
    ),
]


@extend_schema_view(list=extend_schema(parameters=LIST_PARAMETERS))
class EventViewSet(
    FileDownloads,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Events: networking evenings, workshops, guest lectures, seminars, conferences, showcases
    and careers fairs. The list shows published events whose audience includes you (public ones
    also to signed-out visitors), with filters and ``?q=`` search; ``?mine=true`` lists your
    organisations' own, drafts included. Members of a verified organisation create drafts and
    edit them with PATCH; the status changes only through the publish, cancel and complete
    actions. People register with ``register`` and give their place up with
    ``cancel-registration``."""

    queryset = Event.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = EventSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends: list = []  # filters and ranking come from the selector
    change_rule = staticmethod(can_manage_event)
    download_actions = ("ics",)

    def get_permissions(self):
        if self.action in ("list", "retrieve", "ics"):
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated(), ChangeRule()]

    def get_queryset(self):
        user = self.request.user
        params = self.request.query_params
        if self.action != "list":
            qs = selectors.with_cards(selectors.visible_events(user)).order_by("starts_at", "pk")
        else:
            filters = EventFilterSerializer(data=params)
            filters.is_valid(raise_exception=True)
            data = filters.validated_data
            if _truthy(params.get("mine", "")):
                if not user.is_authenticated:
                    return Event.objects.none()
                qs = selectors.hosted_events(user, upcoming=data["when"] != "past")
            else:
                qs = selectors.event_browse(
                    user,
                    q=data.get("q", ""),
                    kind=data.get("kind", ""),
                    sector=data.get("sector", ""),
                    organiser=data.get("organiser", ""),
                    attendance=data.get("attendance", ""),
                    date_from=data.get("date_from"),
                    date_to=data.get("date_to"),
                    when=data["when"],
                )
        qs = qs.prefetch_related("audience_organisations")
        if user.is_authenticated:
            mine = with_waitlist_positions(Registration.objects.filter(user=user))
            qs = qs.prefetch_related(
                Prefetch("registrations", queryset=mine, to_attr="caller_registrations")
            )
        return qs

    @staticmethod
    def _relations(data: dict, *, creating: bool) -> dict:
        default = () if creating else None
        return {name: data.pop(name, default) for name in ("sectors", "audience_organisations")}

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        organisation = data.pop("organisation")
        relations = self._relations(data, creating=True)
        serializer.instance = services.event_create(
            actor=self.request.user, organisation=organisation, **relations, **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        relations = self._relations(data, creating=False)
        serializer.instance = services.event_update(
            actor=self.request.user, event=serializer.instance, **relations, **data
        )

    def _fresh(self, event) -> Event:
        return self.get_queryset().get(pk=event.pk)

    def _respond(self, event):
        return Response(self.get_serializer(self._fresh(event)).data)

    @extend_schema(request=None, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Open a draft to its audience; registration must not already be closed."""
        return self._respond(services.event_publish(actor=request.user, event=self.get_object()))

    @extend_schema(request=EventCancelSerializer, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a draft or published event; everyone registered is told why, with a calendar
        update that removes it."""
        body = EventCancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        event = services.event_cancel(
            actor=request.user, event=self.get_object(), reason=body.validated_data.get("reason")
        )
        return self._respond(event)

    @extend_schema(request=None, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Mark a published event as held, once it has started."""
        return self._respond(services.event_complete(actor=request.user, event=self.get_object()))

    @extend_schema(request=EventReportingSerializer, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def reporting(self, request, pk=None):
        """Organisers record what knowledge-exchange reports need (free or chargeable, academic
        staff time in days), also once the event is held; fields left out stay as they are."""
        body = EventReportingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        event = services.event_record_reporting(
            actor=request.user, event=self.get_object(), **body.validated_data
        )
        return self._respond(event)

    @extend_schema(responses=ICS_DOWNLOAD)
    @action(detail=True, methods=["get"])
    def ics(self, request, pk=None):
        """The event as an iCalendar file; the online link only for organisers and people with a
        confirmed place."""
        event = self.get_object()
        registration = _caller_registration(self.get_serializer(), event)
        links = [event.pk] if can_see_online_link(request.user, event, registration) else []
        response = HttpResponse(build_calendar([event], links_for=links), content_type=CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{event_filename(event)}"'
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(
        request=None,
        responses={
            201: OpenApiResponse(EventRegistrationSerializer, description="Newly registered."),
            200: OpenApiResponse(
                EventRegistrationSerializer,
                description="You were already registered: your registration, unchanged.",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        """Take a seat, join the waitlist when full, or ask for approval when the organisers
        approve each registration. Registering twice is harmless: it answers 200 with the
        registration you already hold."""
        event = self.get_object()
        registration = services.register(actor=request.user, event=event)
        data = EventRegistrationSerializer(
            _registration_for_response(registration), context=self.get_serializer_context()
        ).data
        created = registration.newly_registered
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=None, responses=EventRegistrationSerializer)
    @action(detail=True, methods=["post"], url_path="cancel-registration")
    def cancel_registration(self, request, pk=None):
        """Give up your place (or leave the waitlist); the first person waiting moves in."""
        event = self.get_object()
        registration = selectors.registration_of(request.user, event)
        if registration is None:
            raise NotFound("You are not registered for this event.")
        registration = services.cancel_registration(actor=request.user, registration=registration)
        return Response(
            EventRegistrationSerializer(
                _registration_for_response(registration), context=self.get_serializer_context()
            ).data
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, description="Name, email or institution contains."
            ),
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=RegistrationStatus.values, description="One only."
            ),
        ],
        responses=RegistrantSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def registrants(self, request, pk=None):
        """Organisers' list of the people registered: the waitlist in order, name and email
        search, a status filter."""
        event = self.get_object()
        if not can_manage_event(request.user, event):
            raise DRFPermissionDenied("Only the organisers can see who registered.")
        filters = RegistrantFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.registrants(
            event,
            q=filters.validated_data.get("q", ""),
            status=filters.validated_data.get("status", ""),
        ).select_related("checked_in_by__profile")
        page = self.paginate_queryset(with_waitlist_positions(qs))
        return self.get_paginated_response(RegistrantSerializer(page, many=True).data)

    @extend_schema(request=EventMessageSerializer, responses={201: EventMessageSerializer})
    @action(detail=True, methods=["post"])
    def message(self, request, pk=None):
        """Email a group of registrants (each their own copy; replies go to you). A few
        messages a day per event; beyond that 429."""
        event = self.get_object()
        body = EventMessageSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        message = services.message_registrants(
            actor=request.user,
            event=event,
            subject=body.validated_data["subject"],
            body=body.validated_data["body"],
            recipients=body.validated_data.get("recipients", EventMessage.Recipients.CONFIRMED),
        )
        return Response(EventMessageSerializer(message).data, status=status.HTTP_201_CREATED)


# --- Agenda: sessions and speakers --------------------------------------------------------------


def _can_manage_agenda_of(user, obj) -> bool:
    return can_manage_event(user, obj.event)


_EVENT_JOINS = (
    "event__organisation",
    "event__partnership__institution",
    "event__partnership__industry_partner",
)


class SessionSpeakerSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Speaker
        fields = ["id", "user", "display_name", "affiliation"]
        read_only_fields = fields


class EventSessionSerializer(serializers.ModelSerializer):
    event = VisibleEventField(help_text="Id of the event; set when the session is created.")
    speakers = SessionSpeakerSerializer(many=True, read_only=True)
    starts_at = WallClockDateTimeField(help_text=WALL_CLOCK_HELP)
    ends_at = WallClockDateTimeField(help_text=WALL_CLOCK_HELP)

    class Meta:
        model = EventSession
        fields = ["id", "event", "title", "description", "starts_at", "ends_at", "room"]
        fields += ["speakers"]

    def validate(self, attrs):
        refuse_change(attrs, self.instance, "event")
        event = attrs.get("event") or getattr(self.instance, "event", None)
        if event is not None:
            attach_event_zone(attrs, ("starts_at", "ends_at"), event.timezone)
        return attrs


EVENT_FILTER = OpenApiParameter("event", OpenApiTypes.INT, description="One event's.")


@extend_schema_view(list=extend_schema(parameters=[EVENT_FILTER]))
class EventSessionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The agenda of events you can see (``?event=`` for one event's), in time order. The
    organisers add sessions within the event's times, edit them with PATCH and delete them,
    until the event is cancelled or has taken place."""

    queryset = EventSession.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = EventSessionSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_backends: list = []
    change_rule = staticmethod(_can_manage_agenda_of)

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated(), ChangeRule()]

    def get_queryset(self):
        qs = EventSession.objects.filter(event__in=selectors.visible_events(self.request.user))
        if self.action == "list":
            event = _id_filter(self.request.query_params, "event")
            if event is not None:
                qs = qs.filter(event_id=event)
        speakers = Speaker.objects.select_related("user__profile")
        return (
            qs.select_related(*_EVENT_JOINS)
            .prefetch_related(Prefetch("speakers", queryset=speakers))
            .order_by("event_id", "starts_at", "pk")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.session_save(
            actor=self.request.user, event=data.pop("event"), **data
        )

    def perform_update(self, serializer):
        session = serializer.instance
        data = serializer.validated_data
        serializer.instance = services.session_save(
            actor=self.request.user,
            event=session.event,
            session=session,
            title=data.get("title", session.title),
            starts_at=data.get("starts_at", session.starts_at),
            ends_at=data.get("ends_at", session.ends_at),
            description=data.get("description", session.description),
            room=data.get("room", session.room),
        )

    def perform_destroy(self, instance):
        services.session_delete(actor=self.request.user, session=instance)


class SpeakerSerializer(serializers.ModelSerializer):
    event = VisibleEventField(help_text="Id of the event.")
    session = VisibleSessionField(
        required=False,
        allow_null=True,
        help_text="Id of one of the event's sessions; empty: a speaker of the whole event.",
    )
    user = VisiblePersonField(
        required=False,
        allow_null=True,
        help_text="User id of a person on Tandem; or leave empty and give `name`.",
    )
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Speaker
        fields = ["id", "event", "session", "user", "name", "display_name", "affiliation"]
        fields += ["order"]
        read_only_fields = ["order"]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            EVENT_FILTER,
            OpenApiParameter("session", OpenApiTypes.INT, description="One session's."),
        ]
    )
)
class SpeakerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Speakers of events you can see: a person on Tandem (``user``) or simply a name, for the
    whole event or one session. The organisers add and remove them."""

    queryset = Speaker.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = SpeakerSerializer
    http_method_names = ["get", "post", "delete", "head", "options"]
    filter_backends: list = []

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_queryset(self):
        qs = Speaker.objects.filter(event__in=selectors.visible_events(self.request.user))
        params = self.request.query_params
        if self.action == "list":
            for name, column in (("event", "event_id"), ("session", "session_id")):
                value = _id_filter(params, name)
                if value is not None:
                    qs = qs.filter(**{column: value})
        return qs.select_related(*_EVENT_JOINS, "user__profile").order_by("event_id", "order", "pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.speaker_add(
            actor=self.request.user,
            event=data["event"],
            session=data.get("session"),
            user=data.get("user"),
            name=data.get("name", ""),
            affiliation=data.get("affiliation", ""),
        )

    def perform_destroy(self, instance):
        services.speaker_remove(actor=self.request.user, speaker=instance)


# --- Registrations ------------------------------------------------------------------------------


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Optional; told to them."
    )


class CheckInSerializer(serializers.Serializer):
    undo = serializers.BooleanField(default=False, help_text="Take a check-in back.")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "when",
                OpenApiTypes.STR,
                enum=["upcoming", "past"],
                description="Only upcoming (soonest first) or past (latest first) events; "
                "default both, upcoming first.",
            )
        ]
    )
)
class EventRegistrationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Registrations. The list is your own that still matter (pending, confirmed, waitlisted);
    you may read any of yours, and the organisers any registration for their events. The
    organisers ``approve`` or ``decline`` pending ones and ``check-in`` people at the door; you
    (or the organisers) ``cancel``. Register through ``/api/events/{id}/register/``."""

    queryset = Registration.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = EventRegistrationSerializer
    filter_backends: list = []

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            when = self.request.query_params.get("when", "")
            if when in ("upcoming", "past"):
                qs = selectors.my_registrations(user, upcoming=when == "upcoming")
            else:
                qs = self._mine_upcoming_then_past(user)
        else:
            qs = Registration.objects.all()
            if not is_platform_admin(user):
                qs = qs.filter(Q(user=user) | _managed_event_q(user, prefix="event__"))
            qs = qs.order_by("created_at", "pk")
        return with_waitlist_positions(
            qs.select_related("event__organisation", "user__profile", *_EVENT_JOINS[1:])
        )

    @staticmethod
    def _mine_upcoming_then_past(user):
        """``my_registrations`` upcoming (soonest first), then past (latest first)."""
        upcoming = selectors.my_registrations(user, upcoming=True)
        past = selectors.my_registrations(user, upcoming=False)
        now = timezone.now()
        is_past = Case(When(event__ends_at__lte=now, then=Value(1)), default=Value(0))
        soonest = Case(When(event__ends_at__gt=now, then="event__starts_at"))
        latest = Case(When(event__ends_at__lte=now, then="event__starts_at"))
        return (upcoming | past).order_by(
            is_past, soonest.asc(nulls_last=True), latest.desc(nulls_last=True), "pk"
        )

    def _respond(self, registration):
        return Response(self.get_serializer(self.get_queryset().get(pk=registration.pk)).data)

    @extend_schema(request=None, responses=EventRegistrationSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The organisers approve a pending registration: a seat if one is free, else the
        waitlist."""
        return self._respond(
            services.approve_registration(actor=request.user, registration=self.get_object())
        )

    @extend_schema(request=DeclineSerializer, responses=EventRegistrationSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The organisers turn down a pending or waitlisted registration."""
        body = DeclineSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        registration = services.decline_registration(
            actor=request.user,
            registration=self.get_object(),
            reason=body.validated_data.get("reason", ""),
        )
        return self._respond(registration)

    @extend_schema(request=CheckInSerializer, responses=EventRegistrationSerializer)
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        """The organisers record attendance at the door (from a day before the start);
        ``{"undo": true}`` takes it back."""
        body = CheckInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        registration = services.check_in(
            actor=request.user, registration=self.get_object(), undo=body.validated_data["undo"]
        )
        return self._respond(registration)

    @extend_schema(request=None, responses=EventRegistrationSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """You give up your place (or an organiser removes you); the first person on the
        waitlist moves in."""
        return self._respond(
            services.cancel_registration(actor=request.user, registration=self.get_object())
        )
