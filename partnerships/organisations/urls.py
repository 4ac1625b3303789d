from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("new/", views.create, name="create"),
    path("verification/", views.verification_queue, name="verification_queue"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("join-requests/<int:pk>/cancel/", views.join_request_cancel, name="join_request_cancel"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
    path("<slug:slug>/people/", views.people, name="people"),
    path("<slug:slug>/resubmit/", views.resubmit, name="resubmit"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/transfer/", views.transfer, name="transfer"),
    path("<slug:slug>/join/", views.join, name="join"),
    path(
        "<slug:slug>/verification/<str:decision>/",
        views.verification_decide,
        name="verification_decide",
    ),
    path("<slug:slug>/members/<int:pk>/role/", views.membership_role, name="membership_role"),
    path("<slug:slug>/members/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
    path(
        "<slug:slug>/invitations/<int:pk>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "<slug:slug>/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "<slug:slug>/join-requests/<int:pk>/<str:decision>/",
        views.join_request_decide,
        name="join_request_decide",
    ),
]
