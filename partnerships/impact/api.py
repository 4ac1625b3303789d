"""API for impact figures: one organisation's (its members and platform admins) and the
platform's (platform admins), with the HE-BCI Table 5 rows and the KEF perspectives.

Figures are passed on as ``metrics`` makes them: every attribute of a :class:`Figure` is sent,
grouped by benefit in the order computed, so a figure or attribute added there appears here
without a change. Decimal values travel as strings (no rounding by a JSON float), whole numbers
as numbers, figures not recorded yet as null with a note saying so.
"""

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from partnerships.core.models import Sector
from partnerships.core.serializers import SlugListField
from partnerships.organisations.models import Organisation
from partnerships.organisations.permissions import is_platform_admin, membership_of
from partnerships.organisations.selectors import visible_organisations

from . import export, metrics
from .metrics import Figure, Scope

DATE_ERROR = "Give the date as YYYY-MM-DD (ISO 8601), e.g. 2025-01-31."


# --- Query parameters ---------------------------------------------------------------------------


class ScopeQuerySerializer(serializers.Serializer):
    """The period and sector asked for; a bad date, an end before the start or an unknown
    sector answers 400 naming the parameter."""

    start = serializers.DateField(
        required=False,
        input_formats=["iso-8601"],
        error_messages={"invalid": DATE_ERROR},
        help_text="First day counted (inclusive). Default: no lower bound.",
    )
    end = serializers.DateField(
        required=False,
        input_formats=["iso-8601"],
        error_messages={"invalid": DATE_ERROR},
        help_text="Last day counted (inclusive). Default: no upper bound.",
    )
    sector = SlugListField(
        name="sector",
        queryset=Sector.objects.all(),
        required=False,
        help_text="Only this sector (slug).",
    )

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and end < start:
            raise serializers.ValidationError(
                {"end": [f"The end ({end}) must not be before the start ({start})."]}
            )
        return attrs


class PlatformScopeQuerySerializer(ScopeQuerySerializer):
    organisation = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.all(),
        required=False,
        help_text="Only this organisation's figures (slug).",
        error_messages={"does_not_exist": "No organisation has the slug “{value}”."},
    )


def _scope(request, query_class, **fixed) -> Scope:
    """The scope from the query string; blank parameters count as absent."""
    params = {key: value for key, value in request.query_params.items() if value != ""}
    query = query_class(data=params)
    query.is_valid(raise_exception=True)
    return Scope(**{**query.validated_data, **fixed})


PERIOD_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="First day counted (inclusive)."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day counted (inclusive)."),
    OpenApiParameter("sector", OpenApiTypes.STR, description="Only this sector (slug)."),
]
PLATFORM_PARAMETERS = [
    *PERIOD_PARAMETERS,
    OpenApiParameter(
        "organisation", OpenApiTypes.STR, description="Only this organisation's figures (slug)."
    ),
]


# --- Representation -----------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """A figure's value (or breakdown) as JSON: decimals as strings, dates in ISO 8601,
    dataclasses and mappings as objects, sequences as lists."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(item) for item in value]
    return str(value)


def figure_data(figure: Figure) -> dict:
    """Every attribute of the figure; ``breakdown`` is always present (null when it has none)."""
    data = jsonable(figure)
    data.setdefault("breakdown", None)
    return data


@extend_schema_field(
    {
        # A whole number is also a "number": listing both under oneOf would refuse it.
        "oneOf": [{"type": "number"}, {"type": "string"}],
        "nullable": True,
        "description": 'Whole numbers as numbers, decimals as strings (e.g. "750.00"); null '
        "when not recorded yet (the note says so).",
    }
)
class FigureValueField(serializers.Field):
    """For the schema: the value of a figure."""


class FigureSerializer(serializers.Serializer):
    """For the schema; the response carries every attribute of the figure (see the module)."""

    key = serializers.CharField(help_text="Stable identifier, e.g. talent.students_placed.")
    label = serializers.CharField()
    value = FigureValueField()
    unit = serializers.CharField()
    benefit = serializers.CharField(help_text="Key of the benefit the figure belongs to.")
    note = serializers.CharField(help_text="E.g. “not recorded yet”.")
    breakdown = serializers.JSONField(
        allow_null=True, help_text="The parts of the figure, when it has them; else null."
    )


class BenefitSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    figures = FigureSerializer(many=True)


class ScopeOrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text="institution or industry.")


class ScopeSerializer(serializers.Serializer):
    organisation = ScopeOrganisationSerializer(allow_null=True, help_text="Null: platform-wide.")
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    sector = serializers.CharField(allow_null=True, help_text="Sector slug, or null for all.")


class ImpactSerializer(serializers.Serializer):
    scope = ScopeSerializer()
    benefits = BenefitSerializer(many=True)


class HebciRowSerializer(serializers.Serializer):
    """For the schema: the main columns. Each row carries every column ``export`` makes."""

    sub_head = serializers.CharField(help_text="HE-BCI Table 5 sub-head code (2a–2e).")
    event_type = serializers.CharField()
    our_event_kinds = serializers.CharField()
    events = serializers.IntegerField()
    attendees = serializers.IntegerField()
    academic_staff_days = serializers.DecimalField(
        max_digits=10,
        decimal_places=1,
        allow_null=True,
        help_text="Null when no event in the row recorded staff time.",
    )
    events_with_staff_days = serializers.IntegerField()
    free_or_charged = serializers.ChoiceField(choices=["free", "chargeable"])
    delivery = serializers.CharField()


class HebciSerializer(serializers.Serializer):
    scope = ScopeSerializer()
    rows = HebciRowSerializer(many=True)


class PerspectiveSerializer(serializers.Serializer):
    name = serializers.CharField()
    figures = FigureSerializer(many=True)


class KefSerializer(serializers.Serializer):
    scope = ScopeSerializer()
    perspectives = PerspectiveSerializer(many=True)


def scope_data(scope: Scope) -> dict:
    org = scope.organisation
    return {
        "organisation": None
        if org is None
        else {"id": org.pk, "slug": org.slug, "name": org.name, "kind": org.kind},
        "start": scope.start.isoformat() if scope.start else None,
        "end": scope.end.isoformat() if scope.end else None,
        "sector": scope.sector.slug if scope.sector else None,
    }


def impact_data(scope: Scope) -> dict:
    """The scope and its figures grouped by benefit, in the order ``metrics`` computes them."""
    groups: dict[str, list[dict]] = {}
    for figure in metrics.all_figures(scope):
        groups.setdefault(figure.benefit, []).append(figure_data(figure))
    return {
        "scope": scope_data(scope),
        "benefits": [
            {"key": key, "label": metrics.BENEFITS.get(key, key), "figures": figures}
            for key, figures in groups.items()
        ],
    }


def hebci_data(scope: Scope) -> dict:
    return {
        "scope": scope_data(scope),
        "rows": [jsonable(row) for row in export.hebci_table5_rows(scope)],
    }


def kef_data(scope: Scope) -> dict:
    return {
        "scope": scope_data(scope),
        "perspectives": [
            {"name": name, "figures": [figure_data(figure) for figure in figures]}
            for name, figures in export.kef_perspectives(scope).items()
        ],
    }


# --- Views --------------------------------------------------------------------------------------


class OrganisationImpactViewSet(viewsets.GenericViewSet):
    """One organisation's impact figures, for its members and platform admins. Organisations you
    cannot see answer 404; those you can see but do not belong to, 403."""

    queryset = Organisation.objects.none()  # for the schema; get_queryset() filters per user
    lookup_field = "slug"
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return visible_organisations(self.request.user)

    def _scope(self) -> Scope:
        organisation = self.get_object()
        user = self.request.user
        if not (is_platform_admin(user) or membership_of(user, organisation) is not None):
            raise DRFPermissionDenied(
                "Only members of this organisation and platform admins see its impact figures."
            )
        return _scope(self.request, ScopeQuerySerializer, organisation=organisation)

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=ImpactSerializer)
    def retrieve(self, request, slug=None):
        """Every figure, grouped by the four benefits."""
        return Response(impact_data(self._scope()))

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=HebciSerializer)
    @action(detail=True, methods=["get"], url_path="hebci-table5")
    def hebci_table5(self, request, slug=None):
        """HE-BCI Table 5 rows (social, community and cultural engagement): public events by
        sub-head, free or chargeable, and delivery, with attendees and academic staff days."""
        return Response(hebci_data(self._scope()))

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=KefSerializer)
    @action(detail=True, methods=["get"])
    def kef(self, request, slug=None):
        """The figures grouped by the seven KEF perspectives, in KEF order (some stay empty)."""
        return Response(kef_data(self._scope()))


class PlatformImpactView(APIView):
    """Impact figures across the platform (or one organisation's), for platform admins."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=PLATFORM_PARAMETERS, responses=ImpactSerializer)
    def get(self, request):
        if not is_platform_admin(request.user):
            raise DRFPermissionDenied("Only platform admins see the platform's impact figures.")
        return Response(impact_data(_scope(request, PlatformScopeQuerySerializer)))
