from rest_framework import permissions, viewsets

from .models import Sector, Skill
from .serializers import SectorSerializer, SkillSerializer


class SectorViewSet(viewsets.ReadOnlyModelViewSet):
    """The creative-industry sectors (UK DCMS groups)."""

    queryset = Sector.objects.all()
    serializer_class = SectorSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"
    pagination_class = None
    search_fields = ["name"]


class SkillViewSet(viewsets.ReadOnlyModelViewSet):
    """The curated skills vocabulary. ``?search=ble`` powers type-ahead pickers."""

    queryset = Skill.objects.filter(is_active=True).select_related("sector")
    serializer_class = SkillSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"
    search_fields = ["name"]
    filterset_fields = {"sector__slug": ["exact"]}
    ordering_fields = ["name"]
