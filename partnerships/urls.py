from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views
from partnerships.core import health
from partnerships.core import views as core_views

# The admin log-in goes through allauth, so its rate limits and email verification apply there too.
admin.site.login = account_views.admin_login
admin.site.site_header = "Tandem administration"
admin.site.site_title = "Tandem admin"

handler404 = "partnerships.core.error_views.page_not_found"
handler500 = "partnerships.core.error_views.server_error"

# Swagger UI injects one fixed <style> element: allowed by its hash, not with 'unsafe-inline'
# (the browser test of the policy fails if a new version of the UI changes it).
SWAGGER_UI_STYLE = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"
swagger_ui = csp_update({"style-src": [SWAGGER_UI_STYLE]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema")
)

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("dashboard/", account_views.dashboard, name="dashboard"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("organisations/", include("partnerships.organisations.urls")),
    path("curriculum-reviews/", include("partnerships.curriculum.urls")),
    path("", include("partnerships.projects.urls")),
    path("placements/", include("partnerships.placements.urls")),
    path("events/", include("events.urls")),
    path("notifications/", include("partnerships.notifications.urls")),
    path("stories/", include("partnerships.stories.urls")),
    path("impact/", include("partnerships.impact.urls")),
    path("audit/", include("partnerships.audit.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("partnerships.api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", swagger_ui, name="api-docs"),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", core_views.media, name="media"),
]
