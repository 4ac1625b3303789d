from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile_edit, name="profile_edit"),
    path("profile/avatar/remove/", views.profile_avatar_clear, name="avatar_clear"),
    path("people/<int:pk>/", views.profile_detail, name="profile"),
    path("settings/api-token/", views.api_token, name="api_token"),
]
