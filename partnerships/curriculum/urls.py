from django.urls import path

from . import views

app_name = "curriculum"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/status/<str:action>/", views.transition, name="transition"),
    path("<int:pk>/volunteer/", views.volunteer, name="volunteer"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/reviewers/", views.reviewers, name="reviewers"),
    path(
        "<int:pk>/reviewers/<int:reviewer_pk>/<str:decision>/",
        views.reviewer_decide,
        name="reviewer_decide",
    ),
    path("<int:pk>/response/", views.response, name="response"),
    path("<int:pk>/summary/", views.summary, name="summary"),
    path("<int:pk>/responses.csv", views.export, name="export"),
    path("<int:pk>/syllabus/", views.syllabus, name="syllabus"),
]
