"""The DRF router: every API endpoint of Tandem, under /api/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api import MeExportView, MeView, ProfileViewSet
from events.api import EventRegistrationViewSet, EventSessionViewSet, EventViewSet, SpeakerViewSet
from partnerships.core.api_views import SectorViewSet, SkillViewSet
from partnerships.curriculum.api import (
    CurriculumReviewViewSet,
    ReviewerViewSet,
    ReviewResponseViewSet,
)
from partnerships.impact.api import OrganisationImpactViewSet, PlatformImpactView
from partnerships.notifications.api import NotificationPreferencesView, NotificationViewSet
from partnerships.notifications.saved_search_api import SavedSearchViewSet
from partnerships.organisations.api import (
    InvitationViewSet,
    JoinRequestViewSet,
    MembershipViewSet,
    OrganisationViewSet,
)
from partnerships.placements.api import (
    ApplicationViewSet,
    ApprovalViewSet,
    PlacementViewSet,
    StudentEvaluationViewSet,
    SupervisorEvaluationViewSet,
)
from partnerships.projects.api import (
    OpportunityViewSet,
    PartnershipViewSet,
    ProposalViewSet,
    SavedProposalViewSet,
)
from partnerships.stories.api import StoryQuoteViewSet, StoryViewSet, TestimonialRequestViewSet

router = DefaultRouter()
router.register("profiles", ProfileViewSet, basename="profile")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("join-requests", JoinRequestViewSet, basename="joinrequest")
router.register("sectors", SectorViewSet, basename="sector")
router.register("skills", SkillViewSet, basename="skill")
router.register("opportunities", OpportunityViewSet, basename="opportunity")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("saved-proposals", SavedProposalViewSet, basename="savedproposal")
router.register("partnerships", PartnershipViewSet, basename="partnership")
router.register("curriculum-reviews", CurriculumReviewViewSet, basename="curriculumreview")
router.register("curriculum-reviewers", ReviewerViewSet, basename="curriculumreviewer")
router.register("curriculum-responses", ReviewResponseViewSet, basename="curriculumresponse")
router.register("placements", PlacementViewSet, basename="placement")
router.register("applications", ApplicationViewSet, basename="application")
router.register("approvals", ApprovalViewSet, basename="approval")
router.register("student-evaluations", StudentEvaluationViewSet, basename="studentevaluation")
router.register(
    "supervisor-evaluations", SupervisorEvaluationViewSet, basename="supervisorevaluation"
)
router.register("events", EventViewSet, basename="event")
router.register("event-sessions", EventSessionViewSet, basename="eventsession")
router.register("event-speakers", SpeakerViewSet, basename="eventspeaker")
router.register("event-registrations", EventRegistrationViewSet, basename="eventregistration")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("saved-searches", SavedSearchViewSet, basename="savedsearch")
router.register("stories", StoryViewSet, basename="story")
router.register("story-quotes", StoryQuoteViewSet, basename="storyquote")
router.register("testimonial-requests", TestimonialRequestViewSet, basename="testimonialrequest")
router.register("impact/organisations", OrganisationImpactViewSet, basename="impact-organisation")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("me/export/", MeExportView.as_view(), name="api-me-export"),
    path(
        "notification-preferences/",
        NotificationPreferencesView.as_view(),
        name="api-notification-preferences",
    ),
    path("impact/platform/", PlatformImpactView.as_view(), name="api-impact-platform"),
    *router.urls,
]
