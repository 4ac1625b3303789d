from django.urls import path

from .views import opportunities, partnerships, proposals

app_name = "projects"

urlpatterns = [
    # Calls (opportunities)
    path("opportunities/", opportunities.browse, name="browse"),
    path("opportunities/new/", opportunities.create, name="opportunity_create"),
    path("opportunities/<int:pk>/", opportunities.detail, name="opportunity"),
    path("opportunities/<int:pk>/edit/", opportunities.edit, name="opportunity_edit"),
    path(
        "opportunities/<int:pk>/status/<str:action>/",
        opportunities.transition,
        name="opportunity_transition",
    ),
    path("opportunities/<int:pk>/propose/", proposals.create, name="proposal_create"),
    # Proposals
    path("proposals/", proposals.mine, name="my_proposals"),
    path("proposals/<int:pk>/", proposals.detail, name="proposal"),
    path("proposals/<int:pk>/decide/", proposals.decide, name="proposal_decide"),
    path("proposals/<int:pk>/withdraw/", proposals.withdraw, name="proposal_withdraw"),
    path("proposals/<int:pk>/attachment/", proposals.attachment, name="proposal_attachment"),
    path("saved-proposals/", proposals.saved_list, name="saved_proposals"),
    path("saved-proposals/new/", proposals.saved_edit, name="saved_proposal_create"),
    path("saved-proposals/<int:pk>/edit/", proposals.saved_edit, name="saved_proposal_edit"),
    path("saved-proposals/<int:pk>/delete/", proposals.saved_delete, name="saved_proposal_delete"),
    # Partnerships
    path("partnerships/", partnerships.index, name="partnerships"),
    path("partnerships/new/", partnerships.propose, name="partnership_propose"),
    path("partnerships/<int:pk>/", partnerships.detail, name="partnership"),
    path("partnerships/<int:pk>/edit/", partnerships.edit, name="partnership_edit"),
    path(
        "partnerships/<int:pk>/status/<str:action>/",
        partnerships.change_status,
        name="partnership_status",
    ),
    path("partnerships/<int:pk>/agreement/", partnerships.agreement, name="agreement"),
    path(
        "partnerships/<int:pk>/agreement/upload/",
        partnerships.agreement_upload,
        name="agreement_upload",
    ),
]
