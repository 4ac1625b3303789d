"""API for a person's own saved searches (``/api/saved-searches/``).

Create with the browse page's filters (the same names and values as its query string: taxonomy
and organisers by slug); they are validated by the browse page's form and unknown names answer
400. Saving the same search again answers 200 with the one already saved. Only the frequency
changes afterwards; to change the filters, save a new search. Anyone else's answers 404.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from partnerships.projects.models import Mode

from . import saved_searches as ss
from .models import SavedSearch, SavedSearchScope

FREQUENCY_HELP = "`instant` (email at once), `daily` or `weekly` (a digest)."


@extend_schema_field(
    {"type": "string", "enum": ss.ALERT_FREQUENCIES, "description": FREQUENCY_HELP},
    component_name="SavedSearchFrequency",
)
class AlertFrequencyField(serializers.ChoiceField):
    """How often a saved search alerts (there is no ``off``: delete the search instead)."""

    def __init__(self, **kwargs):
        super().__init__(choices=ss.ALERT_FREQUENCIES, **kwargs)


class SavedSearchFiltersSerializer(serializers.Serializer):
    """The browse page's filters (its query-string names). Placements: ``q``, ``kind``,
    ``sector``, ``skill``, ``mode``, ``paid_only``, ``location``, ``level``. Events: ``q``,
    ``kind``, ``sector``, ``organiser``, ``attendance``."""

    q = serializers.CharField(required=False, help_text="Search words.")
    kind = serializers.CharField(required=False, help_text="Placement or event kind.")
    sector = serializers.SlugField(required=False, help_text="Sector slug.")
    skill = serializers.SlugField(required=False, help_text="Skill slug (placements).")
    mode = serializers.ChoiceField(choices=Mode.choices, required=False, help_text="Placements.")
    paid_only = serializers.BooleanField(required=False, help_text="Placements.")
    location = serializers.CharField(required=False, help_text="Placements: part of the place.")
    level = serializers.CharField(required=False, help_text="Placements: study level.")
    attendance = serializers.ChoiceField(
        choices=["online", "in_person"], required=False, help_text="Events."
    )
    organiser = serializers.SlugField(required=False, help_text="Events: organisation slug.")


@extend_schema_field(SavedSearchFiltersSerializer)
class FiltersField(serializers.DictField):
    """The filters as sent, checked by the service (which refuses unknown names)."""


class SavedSearchSerializer(serializers.ModelSerializer):
    filters = serializers.SerializerMethodField()
    frequency = AlertFrequencyField(read_only=True)
    browse_url = serializers.SerializerMethodField()

    class Meta:
        model = SavedSearch
        fields = [
            "id",
            "scope",
            "label",
            "filters",
            "frequency",
            "browse_url",
            "created_at",
            "last_alerted_at",
        ]
        read_only_fields = fields

    @extend_schema_field(SavedSearchFiltersSerializer)
    def get_filters(self, search: SavedSearch) -> dict:
        params = ss.filter_params(search)
        if "paid_only" in params:
            params["paid_only"] = True
        return params

    def get_browse_url(self, search: SavedSearch) -> str:
        """The browse page with these filters (a path on this site)."""
        return ss.browse_url(search)


class SavedSearchCreateSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=SavedSearchScope.choices)
    filters = FiltersField(help_text="The browse page's filters; at least one.")
    frequency = AlertFrequencyField(default="daily")


class SavedSearchUpdateSerializer(serializers.Serializer):
    frequency = AlertFrequencyField()

    def validate(self, attrs):
        others = sorted(set(self.initial_data) - {"frequency"})
        if others:
            raise serializers.ValidationError(
                {name: ["Only the frequency changes: save a new search."] for name in others}
            )
        return attrs


class SavedSearchViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your saved searches: new placements or events matching them are notified at the
    frequency you choose (at most 20 searches)."""

    queryset = SavedSearch.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = SavedSearchSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_backends: list = []

    def get_queryset(self):
        return ss.saved_searches_of(self.request.user)

    @extend_schema(
        request=SavedSearchCreateSerializer,
        responses={
            201: OpenApiResponse(SavedSearchSerializer, description="Newly saved."),
            200: OpenApiResponse(
                SavedSearchSerializer, description="You had already saved this search."
            ),
            400: OpenApiResponse(description="Unknown or invalid filters, or 20 already saved."),
        },
    )
    def create(self, request, *args, **kwargs):
        serializer = SavedSearchCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        saved = ss.save_search(request.user, data["scope"], data["filters"], data["frequency"])
        search = self.get_queryset().get(pk=saved.pk)  # with its sector, skill and organiser
        created = saved.created
        body = SavedSearchSerializer(search, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=SavedSearchUpdateSerializer, responses=SavedSearchSerializer)
    def partial_update(self, request, *args, **kwargs):
        search = self.get_object()
        serializer = SavedSearchUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ss.set_frequency(request.user, search, serializer.validated_data["frequency"])
        return Response(SavedSearchSerializer(search, context=self.get_serializer_context()).data)

    def perform_destroy(self, instance):
        ss.delete_search(self.request.user, instance)
