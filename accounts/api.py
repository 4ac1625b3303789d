from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.views import APIView

from partnerships.core.errors import PermissionDenied
from partnerships.core.models import Sector, Skill
from partnerships.core.serializers import SlugListField
from partnerships.organisations.models import Kind, Organisation

from . import privacy, selectors, services
from .models import Profile, timezone_choices


class ProfileSerializer(serializers.ModelSerializer):
    role = serializers.CharField(source="user.role", read_only=True)
    skills = SlugListField(name="skill", many=True, queryset=Skill.objects.filter(is_active=True))
    sectors = SlugListField(name="sector", many=True, queryset=Sector.objects.all())
    institution = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.verified().filter(kind=Kind.INSTITUTION),
        allow_null=True,
        required=False,
    )
    avatar = serializers.ImageField(read_only=True)
    timezone = serializers.ChoiceField(choices=timezone_choices(), required=False)

    class Meta:
        model = Profile
        fields = [
            "id",
            "role",
            "display_name",
            "headline",
            "bio",
            "location",
            "website",
            "avatar",
            "skills",
            "sectors",
            "timezone",
            "institution",
            "course",
            "level",
            "expected_graduation",
            "discoverable",
        ]


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    role = serializers.CharField(read_only=True)
    is_platform_admin = serializers.BooleanField(read_only=True)
    profile = ProfileSerializer()


class MeView(generics.RetrieveUpdateAPIView):
    """The signed-in person, with their profile. PATCH ``{"profile": {...}}`` to edit it."""

    serializer_class = MeSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.request.user

    @transaction.atomic
    def perform_update(self, serializer):
        data = dict(serializer.validated_data.get("profile", {}))
        services.profile_update(
            actor=self.request.user,
            profile=self.request.user.profile,
            skills=data.pop("skills", None),
            sectors=data.pop("sectors", None),
            **data,
        )
        self.request.user.profile.refresh_from_db()


class ProfileViewSet(viewsets.ReadOnlyModelViewSet):
    """Profiles the caller may see. Students appear only to their institution, admins, and
    (when they opted in) verified industry partners."""

    queryset = Profile.objects.none()  # for the schema; get_queryset() filters per user
    serializer_class = ProfileSerializer
    search_fields = ["display_name", "headline", "location"]
    filterset_fields = {
        "user__role": ["exact"],
        "skills__slug": ["exact"],
        "sectors__slug": ["exact"],
        "discoverable": ["exact"],
    }
    ordering_fields = ["display_name", "updated_at"]

    def get_queryset(self):
        return (
            selectors.visible_profiles(self.request.user).order_by("display_name", "pk").distinct()
        )


class MeExportView(APIView):
    """Everything Tandem holds about you: a ZIP with ``data.json`` and your files (your picture
    and CVs), as on Account settings → Your data. At most ``PRIVACY_EXPORTS_PER_HOUR`` downloads
    an hour, shared with the page (429 beyond). With a browser session you must have confirmed
    your password in the last few minutes (403 ``reauthentication_required`` otherwise); an API
    token is itself the proof, as for every other call made with it."""

    http_method_names = ["get", "options"]  # HEAD would build the archive for nothing

    @extend_schema(
        responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, "The ZIP.")}
    )
    def get(self, request):
        if isinstance(request.successful_authenticator, SessionAuthentication) and (
            not did_recently_reauthenticate(request._request)
        ):
            raise PermissionDenied(
                _("Confirm your password at %(url)s first, then try again within a few minutes.")
                % {"url": reverse("account_reauthenticate")},
                code="reauthentication_required",
            )
        privacy.export_allowance_consume(request.user)
        return privacy.export_response(request.user)
