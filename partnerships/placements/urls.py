from django.urls import path

from .views import applications, institution, pipeline, placements

app_name = "placements"

urlpatterns = [
    path("", placements.browse, name="browse"),
    path("new/", placements.create, name="create"),
    path("<int:pk>/", placements.detail, name="detail"),
    path("<int:pk>/edit/", placements.edit, name="edit"),
    path("<int:pk>/status/<str:action>/", placements.transition, name="transition"),
    path("<int:pk>/apply/", applications.apply, name="apply"),
    path("<int:pk>/pipeline/", pipeline.pipeline, name="pipeline"),
    path("<int:pk>/pipeline/reject/", pipeline.bulk_reject, name="bulk_reject"),
    path("<int:pk>/pipeline/export.csv", pipeline.export_csv, name="export_csv"),
    path("applications/", applications.my_applications, name="my_applications"),
    path("applications/<int:pk>/", applications.application_detail, name="application"),
    path("applications/<int:pk>/cv/", pipeline.cv, name="cv"),
    path("applications/<int:pk>/stage/<str:action>/", pipeline.stage, name="stage"),
    path("applications/<int:pk>/note/", pipeline.note, name="note"),
    path("applications/<int:pk>/hire/", pipeline.hire, name="hire"),
    path("applications/<int:pk>/respond/<str:action>/", applications.respond, name="respond"),
    path(
        "applications/<int:pk>/evaluation/",
        applications.student_evaluation,
        name="student_evaluation",
    ),
    path("university/", applications.officer, name="officer"),
    path("applications/<int:pk>/complete/", applications.complete, name="complete"),
    path("approvals/<int:pk>/", applications.approval, name="approval"),
    path("approvals/<int:pk>/refuse/", applications.approval_refuse, name="approval_refuse"),
    path("institutions/<slug:slug>/officers/", institution.officers, name="officers"),
    path(
        "institutions/<slug:slug>/officers/<int:user_id>/remove/",
        institution.officer_remove,
        name="officer_remove",
    ),
    path("institutions/<slug:slug>/checklist/", institution.checklist, name="checklist"),
    path(
        "institutions/<slug:slug>/checklist/<int:pk>/remove/",
        institution.checklist_remove,
        name="checklist_remove",
    ),
    path(
        "supervisor-evaluation/<str:token>/",
        applications.supervisor_evaluation,
        name="supervisor_evaluation",
    ),
]
