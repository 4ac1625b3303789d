from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile_edit, name="profile_edit"),
    path("profile/avatar/remove/", views.profile_avatar_clear, name="avatar_clear"),
    path("people/<int:pk>/", views.profile_detail, name="profile"),
    path("settings/api-token/", views.api_token, name="api_token"),
    path("settings/your-data/", views.privacy_data, name="privacy_data"),
    path("settings/your-data/download/", views.privacy_export, name="privacy_export"),
    path("settings/delete-account/", views.account_delete, name="account_delete"),
    path("privacy/", views.privacy_policy, name="privacy"),
]
