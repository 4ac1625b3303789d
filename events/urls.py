from django.urls import path

from .views import browse, calendars, manage, registration

app_name = "events"

urlpatterns = [
    path("", browse.browse, name="browse"),
    path("calendar/", browse.month, name="month"),
    path("new/", manage.create, name="create"),
    path("mine/", registration.my_events, name="my_events"),
    path("calendar-feed/", calendars.feed_settings, name="feed_settings"),
    path("feed/<str:token>.ics", calendars.feed, name="feed"),
    path("<int:pk>/", browse.detail, name="detail"),
    path("<int:pk>/event.ics", calendars.event_ics, name="ics"),
    path("<int:pk>/edit/", manage.edit, name="edit"),
    path("<int:pk>/status/<str:action>/", manage.transition, name="transition"),
    path("<int:pk>/agenda/", manage.agenda, name="agenda"),
    path(
        "<int:pk>/agenda/sessions/<int:session_pk>/delete/",
        manage.session_delete,
        name="session_delete",
    ),
    path(
        "<int:pk>/agenda/speakers/<int:speaker_pk>/delete/",
        manage.speaker_delete,
        name="speaker_delete",
    ),
    path("<int:pk>/register/", registration.register, name="register"),
    path("<int:pk>/cancel-registration/", registration.cancel, name="cancel_registration"),
    path("<int:pk>/registrants/", manage.registrants, name="registrants"),
    path("<int:pk>/registrants/export.csv", manage.export_csv, name="export_csv"),
    path(
        "<int:pk>/registrants/<int:registration_pk>/<str:action>/",
        manage.registration_action,
        name="registration_action",
    ),
    path("<int:pk>/check-in/", manage.check_in, name="check_in"),
    path(
        "<int:pk>/check-in/<int:registration_pk>/",
        manage.check_in_toggle,
        name="check_in_toggle",
    ),
    path("<int:pk>/message/", manage.message, name="message"),
    path("<int:pk>/reporting/", manage.reporting, name="reporting"),
]
