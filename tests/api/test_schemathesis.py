"""Schemathesis against the API's own OpenAPI schema, as every role (issue 8).

Every operation in ``/api/schema/`` is called with generated data, valid and invalid, as an
anonymous caller, a student, a university staff member, an industry member and a platform admin
(with two-factor authentication, or the API refuses them), each with a DRF token. No response
may be a server error, and each one's status code, content type, headers and body must be the
ones the schema documents.

The world is the demo data (``seed_demo``: organisations, calls, a proposal, a partnership,
placements, applications, events, stories …) plus what it leaves out (a curriculum review with a
reviewer, a placement sign-off, an evaluation, notifications, saved searches …), loaded once for
the module in a transaction rolled back at the end. Half of the generated ids and slugs are
swapped for ones that exist, so object endpoints answer with real objects (the others stay
random: 404). Each case runs in a savepoint rolled back afterwards, with an empty cache, so every
case sees the same data and none is throttled by the previous ones; a 429 would hide the
behaviour under test, so it fails here.

Schemathesis' fuzzing phase runs, deterministically, with ``max_examples`` cases per operation.
Its coverage phase (every boundary and every invalid value of every parameter: hundreds of cases
for an operation with a large body) is too slow for every run; ``SCHEMATHESIS_COVERAGE=1`` adds it.
"""

import io
import json
import os
import zlib
from dataclasses import dataclass

import pytest
import schemathesis
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.settings import spectacular_settings
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis import checks
from schemathesis.generation import GenerationMode

from accounts import erasure
from accounts.models import User
from events.models import EventKind
from partnerships.api import router
from partnerships.curriculum.models import ReviewerStatus, ReviewResponse
from partnerships.notifications import saved_searches
from partnerships.notifications.models import Frequency, Notification, NotificationType
from partnerships.organisations.models import Organisation
from partnerships.placements.models import (
    ApplicationStatus,
    Placement,
    PlacementApproval,
    PlacementOfficer,
    StudentEvaluation,
)
from partnerships.projects.models import Opportunity, Partnership, Proposal, SavedProposal
from partnerships.stories.models import TestimonialRequest
from tests.conftest import with_two_factor
from tests.curriculum.conftest import ReviewerFactory, ReviewFactory
from tests.events.conftest import EventFactory, RegistrationFactory
from tests.placements.conftest import MINIMAL_PDF, ApplicationFactory, PlacementFactory

MAX_EXAMPLES = 10


def _load_schema() -> dict:
    """The document /api/schema/ serves, generated in-process (no request, no database)."""
    document = SchemaGenerator().get_schema(request=None, public=spectacular_settings.SERVE_PUBLIC)
    return json.loads(OpenApiJsonRenderer().render(document, renderer_context={}))


schema = schemathesis.openapi.from_dict(_load_schema())
schema.config.generation.update(
    modes=list(GenerationMode),  # valid and invalid data
    max_examples=MAX_EXAMPLES,
    deterministic=True,  # the same cases on every run
    database="none",  # no .hypothesis/ example database in the project
    with_security_parameters=False,  # the role's token is the only credential sent
)
schema.config.seed = int(os.environ.get("SCHEMATHESIS_SEED", "2026"))  # reproducible runs
PHASES = ["examples", "fuzzing"]
schema.config.phases.update(
    phases=[*PHASES, "coverage"] if os.environ.get("SCHEMATHESIS_COVERAGE") else PHASES
)

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]

# The demo accounts (README, "Demo logins") who play each role.
ROLES = {
    "anonymous": None,
    "student": "sam.taylor@student.northbridge.example",
    "university": "lena.okafor@northbridge.example",  # owner of Northbridge University
    "industry": "oscar.pike@pixelforge.example",  # owner of Pixel Forge Games
    "admin": "admin@tandem.example",
}


# Request body fields that name other objects -> the router prefix of those objects.
REFERENCES = {
    "opportunity": "opportunities",
    "placement": "placements",
    "application": "applications",
    "applications": "applications",
    "event": "events",
    "session": "event-sessions",
    "review": "curriculum-reviews",
    "partnership": "partnerships",
    **dict.fromkeys(["user", "contact", "industry_contacts", "institution_contacts"], "users"),
    **dict.fromkeys(["sector", "sectors"], "sectors"),
    **dict.fromkeys(
        ["skills", "required_skills", "nice_skills", "missing_skills", "overweighted_skills"],
        "skills",
    ),
    **dict.fromkeys(
        [
            "organisation",
            "organisations",
            "institution",
            "from_organisation",
            "to_organisation",
            "audience_organisations",
            "eligible_institutions",
        ],
        "organisations",
    ),
}


@dataclass
class World:
    media_root: str  # the uploads of the demo data (CVs, pictures)
    tokens: dict[str, str]
    known: dict[str, list]  # router prefix (and "users") -> ids or slugs that exist

    def headers(self, role: str) -> dict[str, str]:
        token = self.tokens.get(role)
        return {"Authorization": f"Token {token}"} if token else {}

    def aim(self, case) -> None:
        """Point half of the generated ids and slugs, in the path and in the body, at objects
        that exist; the other half (and values of another type) stay as generated."""
        prefix = case.operation.path.removeprefix("/api/").split("/{", 1)[0]
        for name, value in (case.path_parameters or {}).items():
            case.path_parameters[name] = self._existing(prefix, value)
        if isinstance(case.body, dict):
            for name, value in case.body.items():
                if name in REFERENCES and isinstance(value, list):
                    case.body[name] = [self._existing(REFERENCES[name], item) for item in value]
                elif name in REFERENCES:
                    case.body[name] = self._existing(REFERENCES[name], value)

    def _existing(self, prefix: str, value):
        known = self.known.get(prefix)
        if not known or type(value) is not type(known[0]):
            return value
        pick = abs(value) if isinstance(value, int) else zlib.crc32(value.encode())
        return known[(pick // 2) % len(known)] if pick % 2 == 0 else value


def _complete_the_world() -> None:
    """What the demo data leaves out, so that those endpoints have objects to show too."""
    people = {user.email.split("@")[0]: user for user in User.objects.all()}
    lena, oscar, sam = people["lena.okafor"], people["oscar.pike"], people["sam.taylor"]
    northbridge = Organisation.objects.get(slug="northbridge")
    pixel_forge = Organisation.objects.get(slug="pixel-forge")
    now = timezone.now()

    # Northbridge asks for a curriculum review; Oscar (Pixel Forge) reviews it.
    review = ReviewFactory(institution=northbridge, requested_by=lena, title="BSc Games Design")
    reviewer = ReviewerFactory(
        review=review,
        user=oscar,
        organisation=pixel_forge,
        status=ReviewerStatus.ACCEPTED,
        decided_at=now,
    )
    ReviewResponse.objects.create(reviewer=reviewer, relevance=4, comments="Add a jam module.")

    # Lena signs placements off for Northbridge; Amira accepted one for credit, Sam finished one.
    PlacementOfficer.objects.create(institution=northbridge, user=lena, appointed_by=lena)
    placement = PlacementFactory(organisation=pixel_forge, created_by=oscar, contact=oscar)
    accepted = ApplicationFactory(
        placement=placement,
        student=people["amira.hassan"],
        institution=northbridge,
        status=ApplicationStatus.ACCEPTED,
    )
    PlacementApproval.objects.create(application=accepted, institution=northbridge)
    completed = ApplicationFactory(
        placement=placement,
        student=sam,
        institution=northbridge,
        status=ApplicationStatus.COMPLETED,
    )
    StudentEvaluation.objects.create(application=completed, overall=5, learning=4, support=5)

    # Two people took part, then deleted their accounts: the records stay, without them.
    leo, mia = people["leo.martin"], people["mia.chen"]  # a student; an admin of Pixel Forge
    ApplicationFactory(placement=placement, student=leo, institution=northbridge)
    workshop = EventFactory(organisation=pixel_forge, created_by=oscar, kind=EventKind.WORKSHOP)
    RegistrationFactory(event=workshop, user=leo)
    second = ReviewerFactory(
        review=review, user=mia, organisation=pixel_forge, status=ReviewerStatus.ACCEPTED
    )
    ReviewResponse.objects.create(reviewer=second, relevance=3, submitted_at=now)
    Proposal.objects.update(submitted_by=mia)
    Placement.objects.filter(organisation=pixel_forge).update(contact=mia)
    for person in (leo, mia):
        erasure.account_delete(actor=person, user=person, confirm_email=person.email)

    # The partnership's agreement and the proposal's attachment, to download.
    for obj, field in (
        (Partnership.objects.first(), "agreement"),
        (Proposal.objects.first(), "attachment"),
    ):
        getattr(obj, field).save(f"{field}.pdf", ContentFile(MINIMAL_PDF))

    # A reusable proposal text, testimonials asked for, notifications and saved searches.
    SavedProposal.objects.create(
        owner=oscar,
        name="Studio pitch",
        team="Two designers",
        approach="Playtests every week",
        experience="Three museum games",
        availability="Spring term",
    )
    TestimonialRequest.objects.create(organisation=pixel_forge, placement=placement)
    TestimonialRequest.objects.create(
        organisation=northbridge, opportunity=Opportunity.objects.order_by("pk").first()
    )
    for number, user in enumerate(User.objects.filter(email__in=ROLES.values())):
        Notification.objects.create(
            recipient=user,
            type=NotificationType.APPLICATION,
            target_type="placements.application",
            target_id=number + 1,
            title="Your application moved on",
            url="/placements/applications/",
            frequency=Frequency.INSTANT,
        )
        saved_searches.save_search(user, "events", {"kind": "workshop"}, Frequency.WEEKLY)
    saved_searches.save_search(sam, "placements", {"paid_only": "true"}, Frequency.DAILY)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media_root = tmp_path_factory.mktemp("media")
    test_settings = override_settings(  # as tests/conftest.py's _isolated_settings
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        MEDIA_ROOT=media_root,
        SITE_URL="http://testserver",
    )
    with django_db_blocker.unblock(), test_settings, transaction.atomic():
        call_command("seed_demo", "--force", stdout=io.StringIO())
        _complete_the_world()
        with_two_factor(User.objects.get(email=ROLES["admin"]))
        tokens = {
            role: Token.objects.create(user=User.objects.get(email=email)).key
            for role, email in ROLES.items()
            if email
        }
        known = {}
        for prefix, viewset, _basename in router.registry:
            lookup = viewset.lookup_field
            model = viewset.queryset.model
            known[prefix] = list(model.objects.order_by("pk").values_list(lookup, flat=True))
        known["users"] = list(User.objects.order_by("pk").values_list("pk", flat=True))
        yield World(media_root=media_root, tokens=tokens, known=known)
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def wsgi_app():
    """Django's WSGI handler, called in-process. Like Django's test client, it must not close
    the database connection at the end of each request (that would end the test transaction)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", list(ROLES))
@schema.parametrize()
# The fixtures are shared by the cases on purpose (each case runs in a savepoint); and how fast
# cases are made depends on the machine: a slow CI runner must not fail the suite.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_api_conforms_to_its_schema(case, role, world, wsgi_app, db, settings):
    settings.MEDIA_ROOT = world.media_root
    world.aim(case)
    with transaction.atomic():
        cache.clear()
        response = case.call_and_validate(app=wsgi_app, headers=world.headers(role), checks=CHECKS)
        assert response.status_code != 429, "throttled: the case did not test the endpoint"
        transaction.set_rollback(True)
