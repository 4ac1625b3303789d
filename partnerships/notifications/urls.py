from django.urls import path

from . import saved_search_views, views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("<int:pk>/read/", views.mark_read, name="read"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("saved-searches/", saved_search_views.saved_searches, name="saved_searches"),
    path("saved-searches/new/", saved_search_views.saved_search_create, name="saved_search_create"),
    path(
        "saved-searches/<int:pk>/",
        saved_search_views.saved_search_update,
        name="saved_search_update",
    ),
    path(
        "saved-searches/<int:pk>/delete/",
        saved_search_views.saved_search_delete,
        name="saved_search_delete",
    ),
]
